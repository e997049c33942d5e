import { expect } from 'vitest';
import { iouXyxy } from '../../src/main/core/geometry';
import type { BoxXyxy } from '../../src/shared/detection';
import type { RefDetection } from './manifest';

export interface OutDetection {
  className: string;
  score: number;
  box: BoxXyxy;
}

/**
 * Same classes, one-to-one: every reference detection has its own detection of the same class
 * with |score difference| <= scoreTol (0.02) and IoU >= minIou (0.95), and there is nothing else.
 */
export function expectMatchesReference(
  actual: OutDetection[],
  reference: RefDetection[],
  label: string,
  { scoreTol = 0.02, minIou = 0.95 }: { scoreTol?: number; minIou?: number } = {},
): void {
  const unused = [...actual];
  for (const ref of reference) {
    let bestIdx = -1;
    let bestIou = 0;
    unused.forEach((d, i) => {
      if (d.className !== ref.className) return;
      const iou = iouXyxy(d.box, ref.box);
      if (iou > bestIou) {
        bestIou = iou;
        bestIdx = i;
      }
    });
    const found = bestIdx >= 0 ? unused[bestIdx]! : undefined;
    expect(
      found,
      `${label}: no ${ref.className} near [${ref.box}] in ${JSON.stringify(actual)}`,
    ).toBeDefined();
    expect(bestIou, `${label}: ${ref.className} [${ref.box}] IoU`).toBeGreaterThanOrEqual(minIou);
    expect(
      Math.abs(found!.score - ref.score),
      `${label}: ${ref.className} score ${found!.score} vs ${ref.score}`,
    ).toBeLessThanOrEqual(scoreTol);
    unused.splice(bestIdx, 1);
  }
  expect(unused, `${label}: detections not in the reference`).toEqual([]);
}
