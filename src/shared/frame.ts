import type { Detection, ExecutionProvider, SemanticSegmentation, StageTimingsMs } from './detection';

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
  /**
   * Semantic models: the class map per head, at the resolution of the frame the model saw (the UI
   * stretches it over the picture; positions of objects made from it are in camera pixels).
   */
  segmentation?: SemanticSegmentation;
}
