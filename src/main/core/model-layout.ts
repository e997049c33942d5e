/**
 * What a model expects and returns, decided from its input/output specs and ONNX metadata
 * (overridable by a sidecar MODEL.json). Pure: the adapter reads the file, this decides.
 */
import type { ModelFamily, ModelTask } from '../../shared/detection';

export type Rgb3 = readonly [number, number, number];

export interface Preprocess {
  /** `letterbox` keeps the aspect and pads; `stretch` fills the input (TF, Paddle, DETR demos). */
  resize: 'letterbox' | 'stretch';
  /** Channel order fed to the model. */
  channelOrder: 'rgb' | 'bgr';
  /**
   * Normalised value = (pixel on the 0..255 scale − mean) / std, per channel given in R, G, B
   * order whatever `channelOrder` is: `/255` is mean 0, std 255; `-1..1` is mean 127.5, std 127.5.
   */
  mean: Rgb3;
  std: Rgb3;
  /** Letterbox only: centred (Ultralytics) or image at top-left (YOLOX). */
  padCentred: boolean;
  /** Letterbox only: pad pixel value on the 0..255 scale (normalised like any pixel). */
  padValue: number;
}

/**
 * A second model input filled from the photo, recognised by its conventional name:
 * - `origSizeWh`: DETR-family exports (`orig_target_sizes`): the photo's [width, height];
 * - `scaleFactorHw`: PaddleDetection (`scale_factor`): [input h / photo h, input w / photo w];
 * - `imShapeHw`: PaddleDetection (`im_shape`): the model input's [height, width].
 */
export interface ExtraInput {
  name: string;
  role: 'origSizeWh' | 'scaleFactorHw' | 'imShapeHw';
  type: 'int64' | 'int32' | 'float32';
  dims: number[];
}

/** Semantic segmentation head: one output, where its class axis is, and its class names. */
export interface SemanticHeadLayout {
  outputName: string;
  name: string;
  /** Axis of the class scores in the 4-D output: 1 for [1,C,H,W], 3 for [1,H,W,C]. */
  classAxis: 1 | 3;
  classNames: string[];
}

export interface SemanticOptions {
  heads: SemanticHeadLayout[];
  /** Class ids (of the first head) whose connected regions become detections. */
  objectClassIds: number[];
  /** Regions smaller than this many photo pixels are not reported as objects. */
  minAreaPx: number;
}

export interface ModelLayout {
  family: ModelFamily;
  task: ModelTask;
  inputName: string;
  inputType: 'float32' | 'float16';
  /** Image tensor layout: [1,3,H,W] or [1,H,W,3] (TensorFlow-born models). */
  inputLayout: 'nchw' | 'nhwc';
  inputWidthPx: number;
  inputHeightPx: number;
  /** Inputs beside the image, filled automatically per photo. */
  extraInputs: ExtraInput[];
  numClasses: number;
  /** Output names in the order the decoder wants them (e.g. [detections, protos]). */
  outputNames: string[];
  preprocess: Preprocess;
  /** Raw DETR heads: how class logits become scores (softmax drops the last, "no object", class). */
  scoreActivation: 'sigmoid' | 'softmax';
  /** Pose: keypoints per detection and values per keypoint (2 = x, y; 3 = x, y, visibility). */
  keypointShape?: [number, 2 | 3];
  semantic?: SemanticOptions;
}

export const ULTRALYTICS_PREPROCESS: Preprocess = {
  resize: 'letterbox',
  channelOrder: 'rgb',
  mean: [0, 0, 0],
  std: [255, 255, 255],
  padCentred: true,
  padValue: 114,
};
export const YOLOX_PREPROCESS: Preprocess = {
  resize: 'letterbox',
  channelOrder: 'bgr',
  mean: [0, 0, 0],
  std: [1, 1, 1],
  padCentred: false,
  padValue: 114,
};
/** DETR-family and semantic-model demos: stretch, RGB, /255. */
export const STRETCH_UNIT_PREPROCESS: Preprocess = {
  resize: 'stretch',
  channelOrder: 'rgb',
  mean: [0, 0, 0],
  std: [255, 255, 255],
  padCentred: true,
  padValue: 0,
};
/** PaddleDetection: stretch, RGB, ImageNet mean/std on the 0..255 scale. */
export const PADDLE_PREPROCESS: Preprocess = {
  resize: 'stretch',
  channelOrder: 'rgb',
  mean: [123.675, 116.28, 103.53],
  std: [58.395, 57.12, 57.375],
  padCentred: true,
  padValue: 0,
};

/** Version-1 sidecars give one multiplier on 0..255 values: value = pixel × pixelScale. */
export function pixelScaleToMeanStd(pixelScale: number): { mean: Rgb3; std: Rgb3 } {
  const s = 1 / pixelScale;
  return { mean: [0, 0, 0], std: [s, s, s] };
}

/** Thrown when a model's layout is not one we can decode; the message names its shapes. */
export class UnsupportedModelError extends Error {
  override name = 'UnsupportedModelError';
}
