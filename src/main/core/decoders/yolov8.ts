/**
 * YOLOv8 / YOLO11 detection head: output `[1, 4 + nc, N]`, column-major per anchor:
 * rows 0..3 = cx, cy, w, h in model-input pixels, rows 4.. = per-class scores (already sigmoid,
 * no objectness).
 */
import type { Detection } from '../../../shared/detection';
import { unletterboxBoxXyxy, xywh2xyxy } from '../geometry';
import { classNameOf } from '../names';
import { nmsClasswise, type Candidate } from '../nms';
import type { RawTensor } from '../tensor';
import type { DecodeContext, DecodeParams } from './types';

/**
 * The best allowed class of anchor `a` at or above the threshold, from class rows 4..4+nc of a
 * `[1, rows, n]` head (YOLOv8/11 detect, seg, OBB, pose); -1 when none.
 */
export function bestClassOfAnchor(
  d: ArrayLike<number>,
  n: number,
  a: number,
  numClasses: number,
  params: DecodeParams,
): { classId: number; score: number } {
  let best = -1;
  let bestScore = params.confThreshold;
  for (let c = 0; c < numClasses; c++) {
    const s = d[(4 + c) * n + a]!;
    if (s >= bestScore && (best < 0 || s > bestScore)) {
      if (params.classFilter && !params.classFilter.has(c)) continue;
      best = c;
      bestScore = s;
    }
  }
  return { classId: best, score: bestScore };
}

/** Best class per anchor above threshold, boxes still in model-input pixels. */
export function yolov8Candidates(out: RawTensor, numClasses: number, params: DecodeParams): Candidate[] {
  const [, rows, n] = out.dims as [number, number, number];
  if (rows < 4 + numClasses) throw new RangeError(`expected at least ${4 + numClasses} rows, got ${rows}`);
  const d = out.data;
  const candidates: Candidate[] = [];
  for (let a = 0; a < n; a++) {
    const { classId: best, score: bestScore } = bestClassOfAnchor(d, n, a, numClasses, params);
    if (best < 0) continue;
    candidates.push({
      box: xywh2xyxy(d[a]!, d[n + a]!, d[2 * n + a]!, d[3 * n + a]!),
      score: bestScore,
      classId: best,
      anchorIndex: a,
    });
  }
  return candidates;
}

export function decodeYolov8(
  outputs: readonly RawTensor[],
  ctx: DecodeContext,
  params: DecodeParams,
): Detection[] {
  const out = outputs[0]!;
  const kept = nmsClasswise(
    yolov8Candidates(out, ctx.layout.numClasses, params),
    params.iouThreshold,
    params.maxDet,
  );
  return kept.map((c) => ({
    classId: c.classId,
    className: classNameOf(ctx.classNames, c.classId),
    score: c.score,
    box: unletterboxBoxXyxy(c.box, ctx.letterbox),
  }));
}
