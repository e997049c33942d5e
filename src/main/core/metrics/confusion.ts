/**
 * Confusion matrix of a detector at one score and IoU threshold, and precision–recall curves from
 * a COCO evaluation. Rows are the true class, columns the predicted class; the last row and column
 * are "background" (a missed object is [class][background], a false alarm [background][class]).
 */
import { iouXyxy, type BoxXyxy } from './boxes';
import type { CocoEvalResult } from './coco-eval';

export interface LabelledBox {
  imageKey: string;
  className: string;
  xyxy: BoxXyxy;
}

export interface ScoredBox extends LabelledBox {
  score: number;
}

export interface ConfusionMatrix {
  /** The classes, then "background" last. */
  labels: string[];
  /** counts[trueIndex][predictedIndex] */
  counts: number[][];
  scoreThreshold: number;
  iouThreshold: number;
}

export const BACKGROUND = 'background';

/**
 * Pairs are formed per image across classes, the highest IoU first, each box used once, so a
 * right box with the wrong class shows up off the diagonal instead of as a miss plus a false alarm.
 */
export function confusionMatrix(
  classNames: readonly string[],
  groundTruths: readonly LabelledBox[],
  detections: readonly ScoredBox[],
  scoreThreshold: number,
  iouThreshold: number,
): ConfusionMatrix {
  const labels = [...classNames, BACKGROUND];
  const bg = classNames.length;
  const index = (name: string): number => {
    const i = classNames.indexOf(name);
    return i < 0 ? bg : i;
  };
  const counts = labels.map(() => new Array<number>(labels.length).fill(0));
  const images = new Set([...groundTruths.map((g) => g.imageKey), ...detections.map((d) => d.imageKey)]);
  for (const image of images) {
    const gts = groundTruths.filter((g) => g.imageKey === image);
    const dts = detections.filter((d) => d.imageKey === image && d.score >= scoreThreshold);
    const pairs: { g: number; d: number; iou: number }[] = [];
    gts.forEach((g, gi) =>
      dts.forEach((d, di) => {
        const iou = iouXyxy(g.xyxy, d.xyxy);
        if (iou >= iouThreshold) pairs.push({ g: gi, d: di, iou });
      }),
    );
    pairs.sort((a, b) => b.iou - a.iou || a.g - b.g || a.d - b.d);
    const gUsed = new Set<number>();
    const dUsed = new Set<number>();
    for (const p of pairs) {
      if (gUsed.has(p.g) || dUsed.has(p.d)) continue;
      gUsed.add(p.g);
      dUsed.add(p.d);
      counts[index(gts[p.g]!.className)]![index(dts[p.d]!.className)]!++;
    }
    gts.forEach((g, gi) => {
      if (!gUsed.has(gi)) counts[index(g.className)]![bg]!++;
    });
    dts.forEach((d, di) => {
      if (!dUsed.has(di)) counts[bg]![index(d.className)]!++;
    });
  }
  return { labels, counts, scoreThreshold, iouThreshold };
}

export interface PrCurve {
  categoryId: number;
  iouThreshold: number;
  /** COCO's 101 recall points and the interpolated precision at each (0 past the last recall). */
  points: { recall: number; precision: number }[];
}

/** One curve per class that has ground truth, at COCO IoU threshold index `t` (0 is 0.50). */
export function cocoPrCurves(result: CocoEvalResult, t = 0): PrCurve[] {
  const curves: PrCurve[] = [];
  result.perClass.forEach((c, k) => {
    const p = result.precisionAll100[t]![k]!;
    if (p[0] === -1) return;
    curves.push({
      categoryId: c.categoryId,
      iouThreshold: result.iouThresholds[t]!,
      points: result.recallThresholds.map((recall, r) => ({ recall, precision: p[r]! })),
    });
  });
  return curves;
}
