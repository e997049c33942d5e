/** What the worker runs: an ONNX model or the classic detector, indistinguishable to callers. */
import type { Detection, ExecutionProvider, ModelInfo, StageTimingsMs } from '../../shared/detection';
import type { DecodeParams } from '../core/decoders/types';
import type { ClassicDetectorOptionsInput } from '../core/classic';
import type { RgbImage } from './preprocess';

export interface OnnxModelSpec {
  kind: 'onnx';
  path: string;
  /** Tried in order; the first that loads is used, the others' failures are recorded. */
  providers: ExecutionProvider[];
  intraOpThreads: number;
}

export interface ClassicModelSpec {
  kind: 'classic';
  options?: ClassicDetectorOptionsInput;
}

export type ModelSpec = OnnxModelSpec | ClassicModelSpec;

export interface RunOutput {
  detections: Detection[];
  timings: StageTimingsMs;
  /** The model is still learning (classic background); the result must not count as valid. */
  learning?: boolean;
}

export interface LoadedModel {
  readonly info: ModelInfo;
  run(img: RgbImage, params: DecodeParams): Promise<RunOutput>;
  release(): Promise<void>;
}

/** Progress while loading (e.g. "building TensorRT engine"), shown to the user. */
export type LoadStatusListener = (message: string) => void;
