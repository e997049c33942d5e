/**
 * COCO bbox evaluation, numerically the same as pycocotools `COCOeval` (iouType 'bbox', default
 * params): IoU thresholds 0.50:0.05:0.95, recall thresholds i*0.01, 101-point interpolation over
 * the precision envelope, greedy matching per image and category in score order, maxDets 1/10/100,
 * area ranges all/small/medium/large and crowd ground truth ignored. Boxes are COCO `[x, y, w, h]`.
 *
 * One deliberate difference: pycocotools records a match by the matched annotation's id, so a
 * ground truth with id 0 looks unmatched; here a match is a flag, so id 0 is an ordinary id.
 */

import type { EvaluationStats } from '../../../shared/evaluation';
import type { BoxXywh } from './boxes';
export type { BoxXywh };

export interface CocoGroundTruth {
  imageId: number;
  categoryId: number;
  bboxXywh: BoxXywh;
  /** The annotation's `area` field; pycocotools uses it (not w*h) for the area ranges. */
  areaPx2: number;
  iscrowd: boolean;
}

export interface CocoDetection {
  imageId: number;
  categoryId: number;
  bboxXywh: BoxXywh;
  score: number;
}

export interface CocoEvalInput {
  imageIds: readonly number[];
  categoryIds: readonly number[];
  /** In file order: the order decides ties between ground truths. */
  groundTruths: readonly CocoGroundTruth[];
  /** In file order: equal scores keep this order (pycocotools sorts with a stable mergesort). */
  detections: readonly CocoDetection[];
}

/** The 12 COCOeval summary numbers; the same shape the Evaluation panel shows. */
export type CocoStats = EvaluationStats;

export interface CocoClassResult {
  categoryId: number;
  AP: number;
  AP50: number;
  AP75: number;
  AR100: number;
}

export interface CocoEvalResult {
  stats: CocoStats;
  perClass: CocoClassResult[];
  /** precision[t][k][r] at area 'all', maxDets 100; -1 where a class has no ground truth. */
  precisionAll100: number[][][];
  iouThresholds: number[];
  recallThresholds: number[];
}

/** numpy.linspace(start, stop, num) bit for bit: i*step + start, and the last value is `stop`. */
export function linspace(start: number, stop: number, num: number): number[] {
  const step = (stop - start) / (num - 1);
  const out: number[] = [];
  for (let i = 0; i < num; i++) out.push(i * step + start);
  if (num > 1) out[num - 1] = stop;
  return out;
}

export const COCO_IOU_THRESHOLDS: readonly number[] = linspace(
  0.5,
  0.95,
  Math.round((0.95 - 0.5) / 0.05) + 1,
);
export const COCO_RECALL_THRESHOLDS: readonly number[] = Array.from({ length: 101 }, (_, i) => i * 0.01);
export const COCO_MAX_DETS = [1, 10, 100] as const;
export const COCO_AREA_RANGES: Readonly<Record<'all' | 'small' | 'medium' | 'large', [number, number]>> = {
  all: [0, 1e5 ** 2],
  small: [0, 32 ** 2],
  medium: [32 ** 2, 96 ** 2],
  large: [96 ** 2, 1e5 ** 2],
};
const AREA_NAMES = ['all', 'small', 'medium', 'large'] as const;
/** numpy.spacing(1): keeps tp / (tp + fp) finite when both are 0. */
const EPS = 2.220446049250313e-16;

/** pycocotools' bbox IoU (maskApi.c bbIou); a crowd ground truth divides by the detection's area. */
export function cocoIou(d: BoxXywh, g: BoxXywh, crowd: boolean): number {
  const w = Math.min(d[2] + d[0], g[2] + g[0]) - Math.max(d[0], g[0]);
  if (w <= 0) return 0;
  const h = Math.min(d[3] + d[1], g[3] + g[1]) - Math.max(d[1], g[1]);
  if (h <= 0) return 0;
  const inter = w * h;
  const da = d[2] * d[3];
  const union = crowd ? da : da + g[2] * g[3] - inter;
  return inter / union;
}

/** Indices that sort `keys` ascending, equal keys in input order (numpy argsort kind='mergesort'). */
export function stableArgsort(keys: readonly number[]): number[] {
  return keys.map((_, i) => i).sort((a, b) => keys[a]! - keys[b]! || a - b);
}

interface ImageEval {
  dtScores: number[];
  /** [t][d] */
  dtMatched: boolean[][];
  dtIgnore: boolean[][];
  gtIgnore: boolean[];
}

function evaluateImage(
  gts: readonly CocoGroundTruth[],
  dtsSorted: readonly CocoDetection[],
  ious: number[][],
  areaRange: [number, number],
  maxDet: number,
): ImageEval | null {
  if (gts.length === 0 && dtsSorted.length === 0) return null;
  const ignoreFlags = gts.map((g) =>
    g.iscrowd || g.areaPx2 < areaRange[0] || g.areaPx2 > areaRange[1] ? 1 : 0,
  );
  const gtOrder = stableArgsort(ignoreFlags);
  const gt = gtOrder.map((i) => gts[i]!);
  const gtIg = gtOrder.map((i) => ignoreFlags[i] === 1);
  const dt = dtsSorted.slice(0, maxDet);
  const T = COCO_IOU_THRESHOLDS.length;
  const dtMatched: boolean[][] = [];
  const dtIgnore: boolean[][] = [];
  for (let t = 0; t < T; t++) {
    const gtm = new Array<boolean>(gt.length).fill(false);
    const dtm = new Array<boolean>(dt.length).fill(false);
    const dtIg = new Array<boolean>(dt.length).fill(false);
    if (gt.length > 0 && dt.length > 0) {
      for (let d = 0; d < dt.length; d++) {
        let iou = Math.min(COCO_IOU_THRESHOLDS[t]!, 1 - 1e-10);
        let m = -1;
        for (let g = 0; g < gt.length; g++) {
          if (gtm[g] && !gt[g]!.iscrowd) continue;
          // Once matched to a regular ground truth, the ignored ones (sorted last) cannot win.
          if (m > -1 && !gtIg[m] && gtIg[g]) break;
          const v = ious[d]![gtOrder[g]!]!;
          if (v < iou) continue;
          iou = v;
          m = g;
        }
        if (m === -1) continue;
        dtIg[d] = gtIg[m]!;
        dtm[d] = true;
        gtm[m] = true;
      }
    }
    for (let d = 0; d < dt.length; d++) {
      const b = dt[d]!.bboxXywh;
      const area = b[2] * b[3];
      if (!dtm[d] && (area < areaRange[0] || area > areaRange[1])) dtIg[d] = true;
    }
    dtMatched.push(dtm);
    dtIgnore.push(dtIg);
  }
  return { dtScores: dt.map((d) => d.score), dtMatched, dtIgnore, gtIgnore: gtIg };
}

interface Accumulated {
  /** [t][r] */
  precision: number[][];
  /** [t] */
  recall: number[];
}

function accumulate(evals: readonly (ImageEval | null)[], maxDet: number): Accumulated | null {
  const E = evals.filter((e): e is ImageEval => e !== null);
  if (E.length === 0) return null;
  const scores: number[] = [];
  const T = COCO_IOU_THRESHOLDS.length;
  const matched: boolean[][] = Array.from({ length: T }, () => []);
  const ignored: boolean[][] = Array.from({ length: T }, () => []);
  let npig = 0;
  for (const e of E) {
    const n = Math.min(maxDet, e.dtScores.length);
    scores.push(...e.dtScores.slice(0, n));
    for (let t = 0; t < T; t++) {
      matched[t]!.push(...e.dtMatched[t]!.slice(0, n));
      ignored[t]!.push(...e.dtIgnore[t]!.slice(0, n));
    }
    npig += e.gtIgnore.filter((g) => !g).length;
  }
  if (npig === 0) return null;
  const order = stableArgsort(scores.map((s) => -s));
  const R = COCO_RECALL_THRESHOLDS.length;
  const precision: number[][] = [];
  const recall: number[] = [];
  for (let t = 0; t < T; t++) {
    const rc: number[] = [];
    const pr: number[] = [];
    let tp = 0;
    let fp = 0;
    for (const i of order) {
      const ig = ignored[t]![i]!;
      if (matched[t]![i]! && !ig) tp++;
      else if (!matched[t]![i]! && !ig) fp++;
      rc.push(tp / npig);
      pr.push(tp / (fp + tp + EPS));
    }
    const nd = rc.length;
    recall.push(nd > 0 ? rc[nd - 1]! : 0);
    for (let i = nd - 1; i > 0; i--) if (pr[i]! > pr[i - 1]!) pr[i - 1] = pr[i]!;
    const q = new Array<number>(R).fill(0);
    let pi = 0;
    for (let r = 0; r < R; r++) {
      // searchsorted(rc, thr, 'left'): the first index whose recall reaches the threshold.
      while (pi < nd && rc[pi]! < COCO_RECALL_THRESHOLDS[r]!) pi++;
      if (pi >= nd) break;
      q[r] = pr[pi]!;
    }
    precision.push(q);
  }
  return { precision, recall };
}

const meanDefined = (values: readonly number[]): number => {
  const v = values.filter((x) => x > -1);
  return v.length === 0 ? -1 : v.reduce((a, b) => a + b, 0) / v.length;
};

export function evaluateCoco(input: CocoEvalInput): CocoEvalResult {
  const imageIds = [...new Set(input.imageIds)].sort((a, b) => a - b);
  const categoryIds = [...new Set(input.categoryIds)].sort((a, b) => a - b);
  const key = (img: number, cat: number): string => `${img}:${cat}`;
  const gtsBy = new Map<string, CocoGroundTruth[]>();
  for (const g of input.groundTruths) {
    const k = key(g.imageId, g.categoryId);
    (gtsBy.get(k) ?? gtsBy.set(k, []).get(k)!).push(g);
  }
  const dtsBy = new Map<string, CocoDetection[]>();
  for (const d of input.detections) {
    const k = key(d.imageId, d.categoryId);
    (dtsBy.get(k) ?? dtsBy.set(k, []).get(k)!).push(d);
  }
  const maxDetLast = COCO_MAX_DETS[COCO_MAX_DETS.length - 1];
  const T = COCO_IOU_THRESHOLDS.length;
  const K = categoryIds.length;
  // [area][maxDet][k] -> accumulated or null (class without ground truth: -1 everywhere)
  const acc: (Accumulated | null)[][][] = AREA_NAMES.map(() => COCO_MAX_DETS.map(() => []));
  for (let k = 0; k < K; k++) {
    const cat = categoryIds[k]!;
    const perImage = imageIds.map((img) => {
      const gts = gtsBy.get(key(img, cat)) ?? [];
      const dtsAll = dtsBy.get(key(img, cat)) ?? [];
      const dts = stableArgsort(dtsAll.map((d) => -d.score))
        .slice(0, maxDetLast)
        .map((i) => dtsAll[i]!);
      const ious = dts.map((d) => gts.map((g) => cocoIou(d.bboxXywh, g.bboxXywh, g.iscrowd)));
      return { gts, dts, ious };
    });
    AREA_NAMES.forEach((areaName, a) => {
      const evals = perImage.map((p) =>
        evaluateImage(p.gts, p.dts, p.ious, COCO_AREA_RANGES[areaName], maxDetLast),
      );
      COCO_MAX_DETS.forEach((maxDet, m) => acc[a]![m]!.push(accumulate(evals, maxDet)));
    });
  }
  const ap = (a: number, m: number, t: number | null, k: number | null): number => {
    const vals: number[] = [];
    for (let kk = 0; kk < K; kk++) {
      if (k !== null && kk !== k) continue;
      const r = acc[a]![m]![kk];
      for (let tt = 0; tt < T; tt++) {
        if (t !== null && tt !== t) continue;
        vals.push(...(r ? r.precision[tt]! : new Array<number>(COCO_RECALL_THRESHOLDS.length).fill(-1)));
      }
    }
    return meanDefined(vals);
  };
  const ar = (a: number, m: number, k: number | null): number => {
    const vals: number[] = [];
    for (let kk = 0; kk < K; kk++) {
      if (k !== null && kk !== k) continue;
      const r = acc[a]![m]![kk];
      for (let tt = 0; tt < T; tt++) vals.push(r ? r.recall[tt]! : -1);
    }
    return meanDefined(vals);
  };
  // Indices into COCO_IOU_THRESHOLDS: 0 is 0.50 and 5 is 0.75.
  const [ALL, SMALL, MEDIUM, LARGE] = [0, 1, 2, 3];
  const M100 = 2;
  const stats: CocoStats = {
    AP: ap(ALL, M100, null, null),
    AP50: ap(ALL, M100, 0, null),
    AP75: ap(ALL, M100, 5, null),
    APsmall: ap(SMALL, M100, null, null),
    APmedium: ap(MEDIUM, M100, null, null),
    APlarge: ap(LARGE, M100, null, null),
    AR1: ar(ALL, 0, null),
    AR10: ar(ALL, 1, null),
    AR100: ar(ALL, M100, null),
    ARsmall: ar(SMALL, M100, null),
    ARmedium: ar(MEDIUM, M100, null),
    ARlarge: ar(LARGE, M100, null),
  };
  const perClass = categoryIds.map((categoryId, k) => ({
    categoryId,
    AP: ap(ALL, M100, null, k),
    AP50: ap(ALL, M100, 0, k),
    AP75: ap(ALL, M100, 5, k),
    AR100: ar(ALL, M100, k),
  }));
  const precisionAll100 = COCO_IOU_THRESHOLDS.map((_, t) =>
    categoryIds.map((_c, k) => {
      const r = acc[ALL]![M100]![k];
      return r ? [...r.precision[t]!] : new Array<number>(COCO_RECALL_THRESHOLDS.length).fill(-1);
    }),
  );
  return {
    stats,
    perClass,
    precisionAll100,
    iouThresholds: [...COCO_IOU_THRESHOLDS],
    recallThresholds: [...COCO_RECALL_THRESHOLDS],
  };
}
