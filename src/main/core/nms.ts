/**
 * Non-maximum suppression over candidate boxes. Pure; boxes are xyxy in any single pixel space.
 */
import type { BoxXyxy } from '../../shared/detection';
import { iouXyxy } from './geometry';

export interface Candidate {
  box: BoxXyxy;
  score: number;
  classId: number;
  /** Index into the model output row/column, so decoders can fetch extra data (mask coefficients). */
  anchorIndex: number;
}

/**
 * Class-wise NMS: a box only suppresses boxes of its own class. Keeps at most `maxDet`, highest
 * score first; ties keep the lower anchor index first so results are deterministic.
 */
export function nmsClasswise(
  candidates: readonly Candidate[],
  iouThreshold: number,
  maxDet = 300,
): Candidate[] {
  const order = [...candidates].sort((a, b) => b.score - a.score || a.anchorIndex - b.anchorIndex);
  const kept: Candidate[] = [];
  for (const c of order) {
    if (kept.length >= maxDet) break;
    let suppressed = false;
    for (const k of kept) {
      if (k.classId === c.classId && iouXyxy(k.box, c.box) > iouThreshold) {
        suppressed = true;
        break;
      }
    }
    if (!suppressed) kept.push(c);
  }
  return kept;
}
