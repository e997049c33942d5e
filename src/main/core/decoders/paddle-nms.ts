/**
 * PaddleDetection exports with multiclass NMS inside the graph: rows [N,6] of class id, score,
 * x1, y1, x2, y2. Boxes are divided by the `scale_factor` input inside the graph, so they come
 * back in photo pixels under a stretch resize. The companion count output is not read: the
 * exports seen report the candidate count there, not the number of rows (see MANIFEST.md); rows
 * come grouped by class, padded with class −1 or low scores.
 */
import type { Detection } from '../../../shared/detection';
import type { Candidate } from '../nms';
import type { RawTensor } from '../tensor';
import { boxesInPhotoPx, finishEndToEnd } from './detr';
import type { DecodeContext, DecodeParams } from './types';

export function decodePaddleNms(
  outputs: readonly RawTensor[],
  ctx: DecodeContext,
  params: DecodeParams,
): Detection[] {
  const rows = outputs[0];
  if (!rows || rows.dims[rows.dims.length - 1] !== 6)
    throw new RangeError(`expected [N, 6] rows, got [${rows?.dims.join(', ')}]`);
  const d = rows.data;
  const n = d.length / 6;
  const kept: Candidate[] = [];
  for (let r = 0; r < n; r++) {
    const o = r * 6;
    const classId = Math.round(d[o]!);
    const score = d[o + 1]!;
    if (classId < 0 || !(score >= params.confThreshold)) continue;
    if (params.classFilter && !params.classFilter.has(classId)) continue;
    kept.push({ box: [d[o + 2]!, d[o + 3]!, d[o + 4]!, d[o + 5]!], score, classId, anchorIndex: r });
  }
  return finishEndToEnd(kept, ctx, params, boxesInPhotoPx(ctx.layout));
}
