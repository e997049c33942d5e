/**
 * A/B comparison of two result tracks on the same frames: per frame, objects only in A, only in
 * B, with a changed class, or moved (best IoU below a limit); summed per class. Pure.
 */
import type { BoxXyxy } from '../../../shared/detection';
import { iouXyxy } from '../geometry';

export interface CompareDetection {
  className: string;
  score: number;
  box: BoxXyxy;
}

export interface FrameDiff {
  frameNo: number;
  captureTimeMs: number;
  onlyA: CompareDetection[];
  onlyB: CompareDetection[];
  classChanged: { a: CompareDetection; b: CompareDetection; iou: number }[];
  moved: { a: CompareDetection; b: CompareDetection; iou: number }[];
}

export interface CompareOptions {
  /** Boxes overlapping at least this much are the same object. */
  matchIou: number;
  /** A matched pair overlapping less than this has moved. */
  movedIou: number;
}

export const DEFAULT_COMPARE_OPTIONS: CompareOptions = { matchIou: 0.3, movedIou: 0.7 };

/**
 * Greedy matching by IoU, highest first: objects of the same class first, then what is left
 * across classes, so a class change is reported only where no object of the same class fits.
 */
export function diffFrame(
  frameNo: number,
  captureTimeMs: number,
  a: readonly CompareDetection[],
  b: readonly CompareDetection[],
  opts: CompareOptions = DEFAULT_COMPARE_OPTIONS,
): FrameDiff {
  const out: FrameDiff = { frameNo, captureTimeMs, onlyA: [], onlyB: [], classChanged: [], moved: [] };
  const usedA = new Set<number>();
  const usedB = new Set<number>();
  for (const sameClass of [true, false]) {
    const pairs: { i: number; j: number; iou: number }[] = [];
    a.forEach((da, i) =>
      b.forEach((db, j) => {
        if (usedA.has(i) || usedB.has(j) || (da.className === db.className) !== sameClass) return;
        const iou = iouXyxy(da.box, db.box);
        if (iou >= opts.matchIou) pairs.push({ i, j, iou });
      }),
    );
    pairs.sort((p, q) => q.iou - p.iou || p.i - q.i || p.j - q.j);
    for (const p of pairs) {
      if (usedA.has(p.i) || usedB.has(p.j)) continue;
      usedA.add(p.i);
      usedB.add(p.j);
      const pa = a[p.i]!;
      const pb = b[p.j]!;
      if (!sameClass) out.classChanged.push({ a: pa, b: pb, iou: p.iou });
      else if (p.iou < opts.movedIou) out.moved.push({ a: pa, b: pb, iou: p.iou });
    }
  }
  a.forEach((d, i) => usedA.has(i) || out.onlyA.push(d));
  b.forEach((d, j) => usedB.has(j) || out.onlyB.push(d));
  return out;
}

export const isDifferent = (d: FrameDiff): boolean =>
  d.onlyA.length + d.onlyB.length + d.classChanged.length + d.moved.length > 0;

export interface ClassSummary {
  /** Detections of this class over all compared frames. */
  countA: number;
  countB: number;
  onlyA: number;
  onlyB: number;
  /** Pairs where A said this class and B another. */
  classChangedFromA: number;
  moved: number;
}

export function summarise(
  diffs: readonly FrameDiff[],
  countsA: Map<string, number>,
  countsB: Map<string, number>,
) {
  const perClass = new Map<string, ClassSummary>();
  const get = (c: string): ClassSummary => {
    let s = perClass.get(c);
    if (!s)
      perClass.set(c, (s = { countA: 0, countB: 0, onlyA: 0, onlyB: 0, classChangedFromA: 0, moved: 0 }));
    return s;
  };
  for (const [c, n] of countsA) get(c).countA = n;
  for (const [c, n] of countsB) get(c).countB = n;
  for (const d of diffs) {
    for (const x of d.onlyA) get(x.className).onlyA++;
    for (const x of d.onlyB) get(x.className).onlyB++;
    for (const x of d.classChanged) get(x.a.className).classChangedFromA++;
    for (const x of d.moved) get(x.a.className).moved++;
  }
  return {
    framesCompared: diffs.length,
    framesDifferent: diffs.filter(isDifferent).length,
    perClass: Object.fromEntries([...perClass.entries()].sort((x, y) => x[0].localeCompare(y[0]))),
  };
}
