import type { Detection, ExecutionProvider, SemanticSegmentation, StageTimingsMs } from './detection';
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
  /**
   * Semantic models: the class map per head, at the resolution of the frame the model saw (the UI
   * stretches it over the picture; positions of objects made from it are in camera pixels).
   */
  segmentation?: SemanticSegmentation;
  /**
   * The model is still learning (classic detector: background not known yet). Detections are not
   * meaningful; the PLC gets resultsValid 0.
   */
  learning?: boolean;
  /** Counting-line crossings in this frame (present when counting lines are configured). */
  crossings?: LineCrossing[];
  /** Counters after this frame, in the lines' configured order (present with counting lines). */
  counts?: LineCount[];
}

/**
 * `in`: the reference point went from the side where cross((x2−x1, y2−y1), (px−x1, py−y1)) > 0
 * to the side where it is < 0; `out`: the other way.
 */
export type CrossingDirection = 'in' | 'out';

export interface LineCrossing {
  line: string;
  trackId: number;
  direction: CrossingDirection;
}

export interface LineCount {
  line: string;
  in: number;
  out: number;
}
