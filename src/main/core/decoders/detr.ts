/**
 * DETR-family exports. No NMS anywhere here: these models already produce one box per query, and
 * the top-k over query × class may list one box twice with two labels (as in their own demos).
 *
 * - `decodeDetr`: post-processing inside the graph (RT-DETR, D-FINE, DEIM `export_onnx.py`,
 *   torchvision-style): outputs [labels [1,Q], boxes [1,Q,4] xyxy, scores [1,Q]] (batch axis
 *   optional). Boxes are in photo pixels when the model was given the photo size (an
 *   `orig_target_sizes` input under a stretch resize), else in model-input pixels.
 * - `decodeDetrRaw`: the bare head: [logits [1,Q,C], boxes [1,Q,4] normalised cxcywh of the input].
 */
import type { BoxXyxy, Detection } from '../../../shared/detection';
import { clipBoxXyxy, unletterboxBoxXyxy } from '../geometry';
import type { ModelLayout } from '../model-layout';
import { classNameOf } from '../names';
import type { Candidate } from '../nms';
import type { RawTensor } from '../tensor';
import type { DecodeContext, DecodeParams } from './types';

/**
 * Photo-size inputs carry the photo's size only under a stretch resize (see onnx-model); under a
 * letterbox they carry the input size and boxes come back in input pixels.
 */
export function boxesInPhotoPx(layout: ModelLayout): boolean {
  return (
    layout.preprocess.resize === 'stretch' &&
    layout.extraInputs.some((e) => e.role === 'origSizeWh' || e.role === 'scaleFactorHw')
  );
}

/** Candidates (model or photo pixels, see `inPhotoPx`) → best-first detections in photo pixels. */
export function finishEndToEnd(
  kept: Candidate[],
  ctx: DecodeContext,
  params: DecodeParams,
  inPhotoPx: boolean,
): Detection[] {
  kept.sort((a, b) => b.score - a.score || a.anchorIndex - b.anchorIndex);
  const lb = ctx.letterbox;
  return kept.slice(0, params.maxDet).map((c) => ({
    classId: c.classId,
    className: classNameOf(ctx.classNames, c.classId),
    score: c.score,
    box: inPhotoPx ? clipBoxXyxy(c.box, lb.srcWidthPx, lb.srcHeightPx) : unletterboxBoxXyxy(c.box, lb),
  }));
}

export function decodeDetr(
  outputs: readonly RawTensor[],
  ctx: DecodeContext,
  params: DecodeParams,
): Detection[] {
  const [labels, boxes, scores] = outputs;
  if (!labels || !boxes || !scores) throw new RangeError(`DETR needs labels, boxes and scores outputs`);
  const q = scores.data.length;
  if (labels.data.length !== q || boxes.data.length !== 4 * q)
    throw new RangeError(
      `DETR outputs disagree: labels [${labels.dims.join(', ')}], boxes [${boxes.dims.join(', ')}], scores [${scores.dims.join(', ')}]`,
    );
  const kept: Candidate[] = [];
  const b = boxes.data;
  for (let i = 0; i < q; i++) {
    const score = scores.data[i]!;
    if (!(score >= params.confThreshold)) continue;
    const classId = Math.round(labels.data[i]!);
    if (classId < 0 || (params.classFilter && !params.classFilter.has(classId))) continue;
    const box: BoxXyxy = [b[4 * i]!, b[4 * i + 1]!, b[4 * i + 2]!, b[4 * i + 3]!];
    kept.push({ box, score, classId, anchorIndex: i });
  }
  return finishEndToEnd(kept, ctx, params, boxesInPhotoPx(ctx.layout));
}

export function decodeDetrRaw(
  outputs: readonly RawTensor[],
  ctx: DecodeContext,
  params: DecodeParams,
): Detection[] {
  const [logits, boxes] = outputs;
  if (!logits || !boxes || logits.dims.length !== 3 || boxes.dims.length !== 3)
    throw new RangeError('raw DETR needs logits [1,Q,C] and boxes [1,Q,4]');
  const [, q, c] = logits.dims as [number, number, number];
  const softmax = ctx.layout.scoreActivation === 'softmax';
  const nc = softmax ? c - 1 : c;
  const W = ctx.layout.inputWidthPx;
  const H = ctx.layout.inputHeightPx;
  const d = logits.data;
  const bx = boxes.data;
  const kept: Candidate[] = [];
  for (let i = 0; i < q; i++) {
    const o = i * c;
    let best = -1;
    let bestLogit = -Infinity;
    for (let k = 0; k < nc; k++) {
      if (params.classFilter && !params.classFilter.has(k)) continue;
      if (d[o + k]! > bestLogit) {
        bestLogit = d[o + k]!;
        best = k;
      }
    }
    if (best < 0) continue;
    let score: number;
    if (softmax) {
      let max = -Infinity;
      for (let k = 0; k < c; k++) max = Math.max(max, d[o + k]!);
      let sum = 0;
      for (let k = 0; k < c; k++) sum += Math.exp(d[o + k]! - max);
      score = Math.exp(bestLogit - max) / sum;
    } else score = 1 / (1 + Math.exp(-bestLogit));
    if (!(score >= params.confThreshold)) continue;
    const cx = bx[4 * i]! * W;
    const cy = bx[4 * i + 1]! * H;
    const hw = (bx[4 * i + 2]! * W) / 2;
    const hh = (bx[4 * i + 3]! * H) / 2;
    kept.push({ box: [cx - hw, cy - hh, cx + hw, cy + hh], score, classId: best, anchorIndex: i });
  }
  return finishEndToEnd(kept, ctx, params, false);
}
