/**
 * PASCAL VOC detection AP as the VOC devkit (VOCevaldet.m) and rafaelpadilla's
 * Object-Detection-Metrics compute it: detections of a class sorted by confidence (stable), each
 * matched to the ground truth of its image with the largest "+1 pixel" IoU; a TP only if that
 * ground truth is not matched yet and the IoU reaches the threshold, otherwise an FP. AP by 11-point
 * interpolation (recall 0, 0.1, ..., 1 as numpy.linspace) and by the all-point area (VOC2010+).
 */
import type { BoxXyxy } from './boxes';
import { linspace } from './coco-eval';

export interface VocGroundTruth {
  imageKey: string;
  className: string;
  xyxy: BoxXyxy;
}

export interface VocDetection extends VocGroundTruth {
  score: number;
}

export interface VocClassResult {
  className: string;
  /** -1 when the class has no ground truth (AP is undefined then). */
  ap11: number;
  apAll: number;
  tp: number;
  fp: number;
  positives: number;
  /** Cumulative recall and precision after each detection, by descending confidence. */
  recall: number[];
  precision: number[];
  /** 1 for a TP, 0 for an FP, by descending confidence. */
  tpSequence: (0 | 1)[];
}

export interface VocEvalResult {
  iouThreshold: number;
  perClass: VocClassResult[];
  /** Means over the classes that have ground truth; -1 when none has. */
  mAP11: number;
  mAPAll: number;
}

/** VOC IoU: box corners are inclusive pixel indices, so a box spans x2 - x1 + 1 pixels. */
export function vocIou(a: BoxXyxy, b: BoxXyxy): number {
  const iw = Math.min(a[2], b[2]) - Math.max(a[0], b[0]) + 1;
  const ih = Math.min(a[3], b[3]) - Math.max(a[1], b[1]) + 1;
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  const union = (a[2] - a[0] + 1) * (a[3] - a[1] + 1) + (b[2] - b[0] + 1) * (b[3] - b[1] + 1) - inter;
  return inter / union;
}

const ELEVEN_RECALLS = linspace(0, 1, 11);

/** 11-point interpolated AP: mean over r in {0, 0.1, ..., 1} of the best precision at recall >= r. */
export function ap11Point(recall: readonly number[], precision: readonly number[]): number {
  let sum = 0;
  for (const r of ELEVEN_RECALLS) {
    let best = 0;
    for (let i = 0; i < recall.length; i++) if (recall[i]! >= r && precision[i]! > best) best = precision[i]!;
    sum += best;
  }
  return sum / 11;
}

/** All-point AP (VOC2010+): area under the precision envelope, summed where recall changes. */
export function apAllPoint(recall: readonly number[], precision: readonly number[]): number {
  const mrec = [0, ...recall, 1];
  const mpre = [0, ...precision, 0];
  for (let i = mpre.length - 1; i > 0; i--) mpre[i - 1] = Math.max(mpre[i - 1]!, mpre[i]!);
  let ap = 0;
  for (let i = 1; i < mrec.length; i++)
    if (mrec[i] !== mrec[i - 1]) ap += (mrec[i]! - mrec[i - 1]!) * mpre[i]!;
  return ap;
}

/** Classes: those of the ground truth and of the detections, in `classNames` order first. */
export function evaluateVoc(
  groundTruths: readonly VocGroundTruth[],
  detections: readonly VocDetection[],
  iouThreshold: number,
  classNames: readonly string[] = [],
): VocEvalResult {
  const classes = [
    ...new Set([
      ...classNames,
      ...groundTruths.map((g) => g.className),
      ...detections.map((d) => d.className),
    ]),
  ];
  const perClass = classes.map((className): VocClassResult => {
    const gtByImage = new Map<string, { xyxy: BoxXyxy; matched: boolean }[]>();
    let positives = 0;
    for (const g of groundTruths) {
      if (g.className !== className) continue;
      positives++;
      const list = gtByImage.get(g.imageKey) ?? gtByImage.set(g.imageKey, []).get(g.imageKey)!;
      list.push({ xyxy: g.xyxy, matched: false });
    }
    const dets = detections
      .map((d, i) => ({ d, i }))
      .filter(({ d }) => d.className === className)
      .sort((a, b) => b.d.score - a.d.score || a.i - b.i)
      .map(({ d }) => d);
    const tpSequence: (0 | 1)[] = [];
    for (const d of dets) {
      const gts = gtByImage.get(d.imageKey) ?? [];
      let best = -1;
      let bestIou = -Infinity;
      gts.forEach((g, j) => {
        const v = vocIou(d.xyxy, g.xyxy);
        if (v > bestIou) {
          bestIou = v;
          best = j;
        }
      });
      if (best >= 0 && bestIou >= iouThreshold && !gts[best]!.matched) {
        gts[best]!.matched = true;
        tpSequence.push(1);
      } else tpSequence.push(0);
    }
    const recall: number[] = [];
    const precision: number[] = [];
    let tp = 0;
    let fp = 0;
    for (const s of tpSequence) {
      if (s === 1) tp++;
      else fp++;
      recall.push(positives > 0 ? tp / positives : 0);
      precision.push(tp / (tp + fp));
    }
    return {
      className,
      ap11: positives > 0 ? ap11Point(recall, precision) : -1,
      apAll: positives > 0 ? apAllPoint(recall, precision) : -1,
      tp,
      fp,
      positives,
      recall,
      precision,
      tpSequence,
    };
  });
  const scored = perClass.filter((c) => c.positives > 0);
  const mean = (f: (c: VocClassResult) => number): number =>
    scored.length === 0 ? -1 : scored.reduce((s, c) => s + f(c), 0) / scored.length;
  return { iouThreshold, perClass, mAP11: mean((c) => c.ap11), mAPAll: mean((c) => c.apAll) };
}
