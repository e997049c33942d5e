/**
 * End-to-end heads with NMS built in (YOLOv10, YOLO26, Ultralytics `end2end` exports): output
 * `[1, N, 6]`, rows x1, y1, x2, y2 (model-input pixels), score, classId, sorted by score
 * descending, padded with low-score rows. No NMS here: the model already did it.
 */
import type { Detection } from '../../../shared/detection';
import type { Candidate } from '../nms';
import type { RawTensor } from '../tensor';
import type { DecodeContext, DecodeParams } from './types';
import { candidatesToDetections } from './yolov5';

export function decodeE2e(
  outputs: readonly RawTensor[],
  ctx: DecodeContext,
  params: DecodeParams,
): Detection[] {
  const out = outputs[0];
  const [batch, n, cols] = out.dims as [number, number, number];
  if (out.dims.length !== 3 || batch !== 1 || cols !== 6)
    throw new RangeError(`expected output [1, N, 6], got [${out.dims.join(', ')}]`);
  const d = out.data;
  const kept: Candidate[] = [];
  for (let r = 0; r < n; r++) {
    const o = r * 6;
    const score = d[o + 4];
    if (!(score >= params.confThreshold)) continue;
    const classId = Math.round(d[o + 5]);
    if (params.classFilter && !params.classFilter.has(classId)) continue;
    kept.push({ box: [d[o], d[o + 1], d[o + 2], d[o + 3]], score, classId, anchorIndex: r });
  }
  // Sorting ourselves keeps maxDet honest even if an export does not sort its rows.
  kept.sort((a, b) => b.score - a.score || a.anchorIndex - b.anchorIndex);
  return candidatesToDetections(kept.slice(0, params.maxDet), ctx);
}
