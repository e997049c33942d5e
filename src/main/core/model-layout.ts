/**
 * What a model expects and returns, decided from its input/output specs and ONNX metadata
 * (overridable by a sidecar MODEL.json). Pure: the adapter reads the file, this decides.
 */
import type { ModelFamily, ModelTask } from '../../shared/detection';

export interface Preprocess {
  /** Channel order fed to the model. */
  channelOrder: 'rgb' | 'bgr';
  /** Multiplier applied to 0..255 pixel values (1/255 for Ultralytics, 1 for YOLOX). */
  pixelScale: number;
  /** Centred letterbox (Ultralytics) or image at top-left (YOLOX). */
  padCentred: boolean;
  padValue: number;
}

export interface ModelLayout {
  family: ModelFamily;
  task: ModelTask;
  inputName: string;
  inputType: 'float32' | 'float16';
  inputWidthPx: number;
  inputHeightPx: number;
  numClasses: number;
  /** Output names in the order the decoder wants them (e.g. [detections, protos]). */
  outputNames: string[];
  preprocess: Preprocess;
}

export const ULTRALYTICS_PREPROCESS: Preprocess = {
  channelOrder: 'rgb',
  pixelScale: 1 / 255,
  padCentred: true,
  padValue: 114,
};
export const YOLOX_PREPROCESS: Preprocess = {
  channelOrder: 'bgr',
  pixelScale: 1,
  padCentred: false,
  padValue: 114,
};

/** Thrown when a model's layout is not one we can decode; the message names its shapes. */
export class UnsupportedModelError extends Error {
  override name = 'UnsupportedModelError';
}
