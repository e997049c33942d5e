import type { Detection, ExecutionProvider, StageTimingsMs } from './detection';

/** One processed frame, as sinks (PLC, serial, UI, recorder) receive it. */
export interface FrameResult {
  /** Increasing id assigned at capture. */
  frameId: number;
  /** Wall-clock time (ms since the Unix epoch, `Date.now()`) when the frame was captured. */
  captureTimeMs: number;
  /** Wall-clock time when post-processing finished. */
  resultTimeMs: number;
  widthPx: number;
  heightPx: number;
  detections: Detection[];
  modelName: string;
  provider: ExecutionProvider;
  timings: StageTimingsMs;
}
