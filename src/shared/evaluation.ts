/**
 * Results of an evaluation run (accuracy of models on a labelled set, and their speed on this
 * station), as the main process produces them and the Evaluation panel shows them.
 */

export interface EvaluationStats {
  AP: number;
  AP50: number;
  AP75: number;
  APsmall: number;
  APmedium: number;
  APlarge: number;
  AR1: number;
  AR10: number;
  AR100: number;
  ARsmall: number;
  ARmedium: number;
  ARlarge: number;
}

export interface EvaluationClassResult {
  classId: number;
  className: string;
  /** -1 where undefined (no ground truth of the class). */
  AP: number;
  AP50: number;
  AP75: number;
  AR100: number;
}

export interface EvaluationPrCurve {
  className: string;
  iouThreshold: number;
  /** COCO's 101 recall points with the interpolated precision at each. */
  points: { recall: number; precision: number }[];
}

export interface EvaluationConfusion {
  /** Class names, then "background" last. */
  labels: string[];
  /** counts[true][predicted] */
  counts: number[][];
  scoreThreshold: number;
  iouThreshold: number;
}

export interface ModelEvaluation {
  name: string;
  modelPath: string;
  provider: string;
  stats: EvaluationStats;
  perClass: EvaluationClassResult[];
  prCurves: EvaluationPrCurve[];
  confusion: EvaluationConfusion;
  fps: number;
  latencyMs: { p50: number; p95: number; p99: number };
  timedFrames: number;
  warnings: string[];
}

export interface EvaluationResults {
  dataPath: string;
  images: number;
  classNames: string[];
  models: ModelEvaluation[];
  targetFps: number;
  /** A model holds the target with headroom when fps >= headroom x targetFps. */
  headroom: number;
  recommended: string | null;
  recommendation: string;
  warnings: string[];
}

export interface EvaluationProgress {
  modelIndex: number;
  modelCount: number;
  model: string;
  framesDone: number;
  framesTotal: number;
}

export type EvaluationRunState = 'idle' | 'running' | 'done' | 'failed' | 'cancelled';

/** The station's evaluation run as the UI sees it (pushed as the `evaluation` event). */
export interface EvaluationState {
  state: EvaluationRunState;
  dataPath: string | null;
  /** Library ids of the models of the run, in order. */
  modelIds: string[];
  progress: EvaluationProgress | null;
  results: EvaluationResults | null;
  /** Why the run failed; null otherwise. */
  error: string | null;
}

export interface StartEvaluationRequest {
  /** A labelled set (YOLO folder, COCO JSON, Label Studio JSON) in a media folder or the data dir. */
  dataPath: string;
  /** Library ids of the models to run, one after the other. */
  modelIds: string[];
}
