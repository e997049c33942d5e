/**
 * YOLOv5 detection head (`torch.onnx.export` / Ultralytics YOLOv5 export): output `[1, N, 5 + nc]`,
 * one row per anchor: cx, cy, w, h in model-input pixels, objectness, then per-class
 * probabilities, all already sigmoid. N = 3 anchors × grid cells over strides 8/16/32.
 */
import type { Detection } from '../../../shared/detection';
import { unletterboxBoxXyxy, xywh2xyxy } from '../geometry';
import { classNameOf } from '../names';
import { nmsClasswise, type Candidate } from '../nms';
import type { RawTensor } from '../tensor';
import type { DecodeContext, DecodeParams } from './types';

/**
 * Rows `[cx, cy, w, h, obj, cls0..]` → best class per row with score = obj × cls ≥ threshold,
 * boxes still in model-input pixels. Shared with YOLOX, whose rows carry the same fields once its
 * grid offsets are applied (`boxOf` maps a row index to its xyxy box).
 */
export function objectnessCandidates(
  out: RawTensor,
  numClasses: number,
  params: DecodeParams,
  boxOf: (row: number, d: Float32Array, offset: number) => Candidate['box'],
): Candidate[] {
  const [batch, n, cols] = out.dims as [number, number, number];
  if (out.dims.length !== 3 || batch !== 1)
    throw new RangeError(`expected output [1, N, ${5 + numClasses}], got [${out.dims.join(', ')}]`);
  if (cols !== 5 + numClasses) throw new RangeError(`expected ${5 + numClasses} values per row, got ${cols}`);
  const d = out.data;
  const conf = params.confThreshold;
  const candidates: Candidate[] = [];
  for (let r = 0; r < n; r++) {
    const o = r * cols;
    const obj = d[o + 4];
    // Class probabilities are ≤ 1, so obj below the threshold cannot produce a kept score.
    if (obj < conf) continue;
    let best = -1;
    let bestScore = conf;
    for (let c = 0; c < numClasses; c++) {
      const s = obj * d[o + 5 + c];
      if (s >= bestScore && (best < 0 || s > bestScore)) {
        if (params.classFilter && !params.classFilter.has(c)) continue;
        best = c;
        bestScore = s;
      }
    }
    if (best < 0) continue;
    candidates.push({ box: boxOf(r, d, o), score: bestScore, classId: best, anchorIndex: r });
  }
  return candidates;
}

export function candidatesToDetections(kept: readonly Candidate[], ctx: DecodeContext): Detection[] {
  return kept.map((c) => ({
    classId: c.classId,
    className: classNameOf(ctx.classNames, c.classId),
    score: c.score,
    box: unletterboxBoxXyxy(c.box, ctx.letterbox),
  }));
}

/** `outputs[0]` = `[1, N, 5 + nc]` → class-wise NMS → detections in original-image pixels. */
export function decodeYolov5(
  outputs: readonly RawTensor[],
  ctx: DecodeContext,
  params: DecodeParams,
): Detection[] {
  const candidates = objectnessCandidates(outputs[0], ctx.layout.numClasses, params, (_r, d, o) =>
    xywh2xyxy(d[o], d[o + 1], d[o + 2], d[o + 3]),
  );
  return candidatesToDetections(nmsClasswise(candidates, params.iouThreshold, params.maxDet), ctx);
}
