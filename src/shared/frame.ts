import type { Detection, ExecutionProvider, StageTimingsMs } from './detection';
import type { FilteredDetection } from './verdict';

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
  /** Detections kept by the per-class limits (all of them without limits). */
  detections: Detection[];
  /** Detections the per-class limits removed, with the reason; absent without limits. */
  filtered?: FilteredDetection[];
  modelName: string;
  provider: ExecutionProvider;
  timings: StageTimingsMs;
}
