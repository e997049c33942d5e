/**
 * Semantic segmentation: one class per pixel. Each head is a 4-D output, `[1,C,H,W]` or
 * `[1,H,W,C]` (the layout says which axis holds the classes), of logits or probabilities; argmax
 * works on both. The class map is taken at output resolution and mapped back to every photo pixel
 * by nearest neighbour through the input's letterbox or stretch, so shares are of photo pixels.
 *
 * Classes of the first head that the model's options mark as objects become detections: every
 * 8-connected region of at least `minAreaPx` photo pixels gives a box, polygon, centroid and angle
 * (mask-geometry), with the region's mean winning-class probability as its score.
 */
import type {
  ClassMapRle,
  Detection,
  SemanticClassShare,
  SemanticHead,
  SemanticSegmentation,
} from '../../../shared/detection';
import { ComponentLabeller } from '../classic/components';
import type { Letterbox } from '../geometry';
import { maskInfoFromBinary } from '../mask-geometry';
import type { SemanticHeadLayout, SemanticOptions } from '../model-layout';
import type { RawTensor } from '../tensor';
import type { DecodeContext, DecodeParams } from './types';

export interface SemanticDecodeResult {
  detections: Detection[];
  segmentation: SemanticSegmentation;
}

interface OutputMap {
  widthPx: number;
  heightPx: number;
  numClasses: number;
  classOf: Uint16Array;
  /**
   * Winning-class probability per cell (softmax of logits, or the probability itself); only for
   * cells whose class is asked for (others stay 0), since the softmax is the costly part.
   */
  confidence: Float32Array | null;
}

/** True when the first cells look like probabilities (all in 0..1, summing to 1). */
function looksLikeProbabilities(
  d: Float32Array,
  cells: number,
  numClasses: number,
  at: (cell: number, k: number) => number,
): boolean {
  for (let cell = 0; cell < Math.min(cells, 64); cell++) {
    let sum = 0;
    for (let k = 0; k < numClasses; k++) {
      const v = at(cell, k);
      if (!(v >= 0 && v <= 1)) return false;
      sum += v;
    }
    if (Math.abs(sum - 1) > 0.01) return false;
  }
  return d.length > 0;
}

/** Argmax over the class axis at output resolution; confidences for the classes in `confidenceFor`. */
export function outputClassMap(
  t: RawTensor,
  head: SemanticHeadLayout,
  confidenceFor: ReadonlySet<number> = new Set(),
): OutputMap {
  const withConfidence = confidenceFor.size > 0;
  if (t.dims.length !== 4 || t.dims[0] !== 1)
    throw new RangeError(`semantic head ${head.name}: expected a 4-D output, got [${t.dims.join(', ')}]`);
  const [, a, b, c] = t.dims as [number, number, number, number];
  const [numClasses, heightPx, widthPx] = head.classAxis === 1 ? [a, b, c] : [c, a, b];
  const cells = widthPx * heightPx;
  const d = t.data;
  // Class k of cell i lives at i*C + k (NHWC) or k*cells + i (NCHW).
  const [cellStride, classStride] = head.classAxis === 3 ? [numClasses, 1] : [1, cells];
  const classOf = new Uint16Array(cells);
  const confidence = withConfidence ? new Float32Array(cells) : null;
  const probabilities =
    withConfidence &&
    looksLikeProbabilities(d, cells, numClasses, (i, k) => d[i * cellStride + k * classStride]!);
  for (let i = 0; i < cells; i++) {
    const base = i * cellStride;
    let best = 0;
    let bestV = d[base]!;
    for (let k = 1; k < numClasses; k++) {
      const v = d[base + k * classStride]!;
      if (v > bestV) {
        bestV = v;
        best = k;
      }
    }
    classOf[i] = best;
    if (confidence && confidenceFor.has(best)) {
      if (probabilities) confidence[i] = bestV;
      else {
        let sum = 0;
        for (let k = 0; k < numClasses; k++) sum += Math.exp(d[base + k * classStride]! - bestV);
        confidence[i] = 1 / sum;
      }
    }
  }
  return { widthPx, heightPx, numClasses, classOf, confidence };
}

/**
 * For each photo column (row), the output column (row) under its pixel centre: photo → model
 * input through the letterbox, then input → output by the ratio of their sizes.
 */
export function photoToOutputIndex(
  photoPx: number,
  scale: number,
  padPx: number,
  inputPx: number,
  outputPx: number,
): Int32Array {
  const idx = new Int32Array(photoPx);
  for (let p = 0; p < photoPx; p++) {
    const q = Math.floor((((p + 0.5) * scale + padPx) * outputPx) / inputPx);
    idx[p] = Math.min(outputPx - 1, Math.max(0, q));
  }
  return idx;
}

/** Row-major run-length encoding of a class map. */
export function encodeClassMapRle(map: ArrayLike<number>, widthPx: number, heightPx: number): ClassMapRle {
  const values: number[] = [];
  const counts: number[] = [];
  const n = widthPx * heightPx;
  let i = 0;
  while (i < n) {
    const v = map[i]!;
    let j = i + 1;
    while (j < n && map[j] === v) j++;
    values.push(v);
    counts.push(j - i);
    i = j;
  }
  return { width: widthPx, height: heightPx, values, counts };
}

/** Class map at photo resolution (nearest neighbour) plus per-class pixel counts. */
function photoClassMap(
  m: OutputMap,
  lb: Letterbox,
  inputW: number,
  inputH: number,
): { map: Uint16Array; counts: Float64Array; colIdx: Int32Array; rowIdx: Int32Array } {
  const W = lb.srcWidthPx;
  const H = lb.srcHeightPx;
  const colIdx = photoToOutputIndex(W, lb.scale, lb.padLeftPx, inputW, m.widthPx);
  const rowIdx = photoToOutputIndex(H, lb.scaleY ?? lb.scale, lb.padTopPx, inputH, m.heightPx);
  const map = new Uint16Array(W * H);
  const counts = new Float64Array(m.numClasses);
  for (let y = 0; y < H; y++) {
    const src = rowIdx[y]! * m.widthPx;
    const dst = y * W;
    for (let x = 0; x < W; x++) {
      const v = m.classOf[src + colIdx[x]!]!;
      map[dst + x] = v;
      counts[v]++;
    }
  }
  return { map, counts, colIdx, rowIdx };
}

function classShares(counts: Float64Array, names: readonly string[], totalPx: number): SemanticClassShare[] {
  const out: SemanticClassShare[] = [];
  counts.forEach((pixels, classId) => {
    if (pixels > 0)
      out.push({
        classId,
        className: names[classId] ?? `class${classId}`,
        pixels,
        fraction: pixels / totalPx,
      });
  });
  return out.sort((a, b) => b.pixels - a.pixels || a.classId - b.classId);
}

const labeller = new ComponentLabeller();

/** Connected regions of the object classes → detections in photo pixels. */
function regionsToDetections(
  photo: { map: Uint16Array; colIdx: Int32Array; rowIdx: Int32Array },
  out: OutputMap,
  widthPx: number,
  heightPx: number,
  opts: SemanticOptions,
  names: readonly string[],
  params: DecodeParams,
): Detection[] {
  const detections: Detection[] = [];
  const mask = new Uint8Array(widthPx * heightPx);
  for (const classId of opts.objectClassIds) {
    if (params.classFilter && !params.classFilter.has(classId)) continue;
    let any = false;
    for (let i = 0; i < mask.length; i++) {
      const set = photo.map[i] === classId ? 1 : 0;
      mask[i] = set;
      if (set) any = true;
    }
    if (!any) continue;
    const components = labeller.label(mask, mask, widthPx, heightPx);
    const labels = labeller.labelImage;
    for (const comp of components) {
      if (comp.pixelCount < opts.minAreaPx) continue;
      const bw = comp.maxX - comp.minX + 1;
      const bh = comp.maxY - comp.minY + 1;
      const crop = new Uint8Array(bw * bh);
      let confSum = 0;
      for (let y = 0; y < bh; y++) {
        const py = comp.minY + y;
        const outRow = photo.rowIdx[py]! * out.widthPx;
        for (let x = 0; x < bw; x++) {
          const px = comp.minX + x;
          if (labels[py * widthPx + px] !== comp.label) continue;
          crop[y * bw + x] = 1;
          confSum += out.confidence ? out.confidence[outRow + photo.colIdx[px]!]! : 1;
        }
      }
      const score = confSum / comp.pixelCount;
      if (!(score >= params.confThreshold)) continue;
      const info = maskInfoFromBinary(crop, bw, bh, [comp.minX, comp.minY]);
      if (!info) continue;
      detections.push({
        classId,
        className: names[classId] ?? `class${classId}`,
        score,
        box: [comp.minX, comp.minY, comp.maxX + 1, comp.maxY + 1],
        mask: info,
      });
    }
  }
  detections.sort((a, b) => b.mask!.areaPx - a.mask!.areaPx || a.box[0] - b.box[0] || a.box[1] - b.box[1]);
  return detections.slice(0, params.maxDet);
}

export function decodeSemantic(
  outputs: readonly RawTensor[],
  ctx: DecodeContext,
  params: DecodeParams,
): SemanticDecodeResult {
  const opts = ctx.layout.semantic;
  if (!opts) throw new RangeError('semantic layout has no heads');
  if (outputs.length !== opts.heads.length)
    throw new RangeError(`semantic model has ${opts.heads.length} heads, got ${outputs.length} outputs`);
  const lb = ctx.letterbox;
  const W = lb.srcWidthPx;
  const H = lb.srcHeightPx;
  const heads: SemanticHead[] = [];
  let detections: Detection[] = [];
  opts.heads.forEach((head, i) => {
    const wantObjects = i === 0 && opts.objectClassIds.length > 0;
    const out = outputClassMap(outputs[i]!, head, new Set(wantObjects ? opts.objectClassIds : []));
    const photo = photoClassMap(out, lb, ctx.layout.inputWidthPx, ctx.layout.inputHeightPx);
    heads.push({
      name: head.name,
      classNames: head.classNames,
      classes: classShares(photo.counts, head.classNames, W * H),
      rle: encodeClassMapRle(photo.map, W, H),
    });
    if (wantObjects) detections = regionsToDetections(photo, out, W, H, opts, head.classNames, params);
  });
  return { detections, segmentation: { width: W, height: H, heads } };
}
