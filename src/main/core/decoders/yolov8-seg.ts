/**
 * YOLOv8 / YOLO11 segmentation head. Outputs, in this order (detect-layout reorders them):
 * - detections `[1, 4 + nc + nm, N]`, column per anchor: cx, cy, w, h (model-input pixels),
 *   nc class scores (already sigmoid), nm mask coefficients;
 * - prototypes `[1, nm, Hp, Wp]` (nm = 32, Hp × Wp = input / 4).
 * Masks are computed only for detections that survive NMS, only inside their boxes (see masks.ts).
 */
import type { Detection } from '../../../shared/detection';
import { protoMaskInfo } from '../masks';
import { nmsClasswise } from '../nms';
import type { RawTensor } from '../tensor';
import type { DecodeContext, DecodeParams } from './types';
import { yolov8Candidates } from './yolov8';
import { candidatesToDetections } from './yolov5';

export function decodeYolov8Seg(
  outputs: readonly RawTensor[],
  ctx: DecodeContext,
  params: DecodeParams,
): Detection[] {
  const [det, protos] = outputs;
  if (!det || !protos)
    throw new RangeError(`segmentation needs [detections, protos], got ${outputs.length} output(s)`);
  if (det.dims.length !== 3 || protos.dims.length !== 4) {
    throw new RangeError(
      `expected [1, 4+nc+nm, N] and [1, nm, Hp, Wp], got [${det.dims.join(', ')}] and [${protos.dims.join(', ')}]`,
    );
  }
  const nc = ctx.layout.numClasses;
  const nm = protos.dims[1];
  const rows = det.dims[1];
  const n = det.dims[2];
  if (rows !== 4 + nc + nm)
    throw new RangeError(
      `detections have ${rows} rows, expected 4 + ${nc} classes + ${nm} mask coefficients`,
    );

  const kept = nmsClasswise(yolov8Candidates(det, nc, params), params.iouThreshold, params.maxDet);
  const detections = candidatesToDetections(kept, ctx);
  const coefs = new Float64Array(nm);
  const d = det.data;
  for (let i = 0; i < kept.length; i++) {
    const a = kept[i].anchorIndex;
    for (let k = 0; k < nm; k++) coefs[k] = d[(4 + nc + k) * n + a];
    const mask = protoMaskInfo(coefs, protos, kept[i].box, ctx.letterbox);
    if (mask) detections[i].mask = mask;
  }
  return detections;
}
