/** Decoder per model family; `classic` has no tensor outputs and so no decoder. */
import type { ModelFamily } from '../../../shared/detection';
import { UnsupportedModelError } from '../model-layout';
import { decodeDetr, decodeDetrRaw } from './detr';
import { decodeE2e } from './e2e';
import { decodePaddleNms } from './paddle-nms';
import { decodeSemantic } from './semantic';
import type { Decoder } from './types';
import { decodeYolov5 } from './yolov5';
import { decodeYolov8 } from './yolov8';
import { decodeYolov8Obb } from './yolov8-obb';
import { decodeYolov8Pose } from './yolov8-pose';
import { decodeYolov8Seg } from './yolov8-seg';
import { decodeYolox } from './yolox';

const DECODERS: Readonly<Record<Exclude<ModelFamily, 'classic'>, Decoder>> = {
  yolov5: decodeYolov5,
  yolov8: decodeYolov8,
  'yolov8-seg': decodeYolov8Seg,
  'yolov8-obb': decodeYolov8Obb,
  'yolov8-pose': decodeYolov8Pose,
  yolox: decodeYolox,
  e2e: decodeE2e,
  detr: decodeDetr,
  'detr-raw': decodeDetrRaw,
  'paddle-nms': decodePaddleNms,
  // The adapter calls decodeSemantic itself to keep the class maps; this gives the regions only.
  semantic: (outputs, ctx, params) => decodeSemantic(outputs, ctx, params).detections,
};

export function decoderFor(family: ModelFamily): Decoder {
  if (family === 'classic') throw new UnsupportedModelError('the classic detector has no tensor decoder');
  return DECODERS[family];
}

export type { Decoder, DecodeContext, DecodeParams } from './types';
export { DEFAULT_DECODE_PARAMS } from './types';
