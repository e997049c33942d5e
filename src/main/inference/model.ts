/** What the worker runs: an ONNX model or the classic detector, indistinguishable to callers. */
import type {
  Detection,
  ExecutionProvider,
  ModelInfo,
  SemanticSegmentation,
  StageTimingsMs,
} from '../../shared/detection';
import type { DecodeParams } from '../core/decoders/types';
import type { ModelFrameFormat } from '../core/model-frame';
import type { ClassicDetectorOptionsInput } from '../core/classic';
import type { RgbImage } from './preprocess';
import { providerOrder } from './providers';

export interface OnnxModelSpec {
  kind: 'onnx';
  path: string;
  /** Tried in order; the first that loads is used, the others' failures are recorded. */
  providers: ExecutionProvider[];
  /** 0: timed at load on this machine (1 thread vs all cores, spinning on/off); N: exactly N. */
  intraOpThreads: number;
  /** Fixes intra-op spinning (otherwise VISION_STATION_ORT_SPIN, or timed with the threads). */
  spinning?: boolean;
  /** Cores the thread tuning may use (a lane's share when frames run in parallel); absent: all. */
  cores?: number;
}

export interface ClassicModelSpec {
  kind: 'classic';
  options?: ClassicDetectorOptionsInput;
}

export type ModelSpec = OnnxModelSpec | ClassicModelSpec;

/**
 * The one place a model reference (`classic` or an .onnx path, as given on the command line, in
 * the settings, in a recipe slot) becomes what the worker loads. 0 threads: chosen at load by timing.
 */
export function modelSpecFor(
  model: string,
  provider: ExecutionProvider = 'cpu',
  intraOpThreads = 0,
  classic?: ClassicDetectorOptionsInput,
): ModelSpec {
  return model === 'classic'
    ? { kind: 'classic', ...(classic ? { options: classic } : {}) }
    : { kind: 'onnx', path: model, providers: providerOrder(provider), intraOpThreads };
}

export interface RunOutput {
  detections: Detection[];
  /** Semantic models only: per-head class shares and class maps at photo resolution. */
  segmentation?: SemanticSegmentation;
  timings: StageTimingsMs;
  /** The model is still learning (classic background); the result must not count as valid. */
  learning?: boolean;
}

export interface LoadedModel {
  readonly info: ModelInfo;
  /**
   * The picture this model can take as it is (its input size, letterboxed or stretched as its
   * preprocessing does), for the decoder to make; absent where it needs the photo itself.
   */
  readonly frameFormat?: ModelFrameFormat | null;
  run(img: RgbImage, params: DecodeParams): Promise<RunOutput>;
  release(): Promise<void>;
}

/** Progress while loading (e.g. "building TensorRT engine"), shown to the user. */
export type LoadStatusListener = (message: string) => void;
