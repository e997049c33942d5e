/**
 * YOLOv8 / YOLO11 pose (`task=pose`): output `[1, 4 + 1 + K·D, N]`, column per anchor: cx, cy,
 * w, h (model-input pixels), the person score (already sigmoid), then K keypoints of D values:
 * x, y (model-input pixels) and, when D = 3, visibility (already sigmoid). Class-wise NMS on boxes.
 */
import type { Detection, Keypoint } from '../../../shared/detection';
import { unletterboxPointXy } from '../geometry';
import { nmsClasswise } from '../nms';
import type { RawTensor } from '../tensor';
import type { DecodeContext, DecodeParams } from './types';
import { yolov8Candidates } from './yolov8';
import { candidatesToDetections } from './yolov5';

export function decodeYolov8Pose(
  outputs: readonly RawTensor[],
  ctx: DecodeContext,
  params: DecodeParams,
): Detection[] {
  const out = outputs[0]!;
  const shape = ctx.layout.keypointShape;
  if (!shape) throw new RangeError('pose layout has no keypoint shape');
  const [k, dim] = shape;
  const [, rows, n] = out.dims as [number, number, number];
  if (out.dims.length !== 3 || rows !== 5 + k * dim)
    throw new RangeError(`expected pose output [1, ${5 + k * dim}, N], got [${out.dims.join(', ')}]`);
  const kept = nmsClasswise(yolov8Candidates(out, 1, params), params.iouThreshold, params.maxDet);
  const detections = candidatesToDetections(kept, ctx);
  const d = out.data;
  kept.forEach((c, i) => {
    const a = c.anchorIndex;
    const keypoints: Keypoint[] = [];
    for (let j = 0; j < k; j++) {
      const row = 5 + j * dim;
      const [x, y] = unletterboxPointXy(d[row * n + a]!, d[(row + 1) * n + a]!, ctx.letterbox);
      keypoints.push({ x, y, visibility: dim === 3 ? d[(row + 2) * n + a]! : null });
    }
    detections[i]!.keypoints = keypoints;
  });
  return detections;
}
