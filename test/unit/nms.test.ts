import { describe, expect, it } from 'vitest';
import { nmsClasswise, type Candidate } from '../../src/main/core/nms';

const c = (
  classId: number,
  score: number,
  box: [number, number, number, number],
  anchorIndex: number,
): Candidate => ({
  classId,
  score,
  box,
  anchorIndex,
});

describe('nmsClasswise', () => {
  const cands = [
    c(0, 0.9, [0, 0, 10, 10], 0),
    c(0, 0.8, [1, 0, 11, 10], 1), // IoU with #0 = 90/110 = 0.818 → suppressed
    c(1, 0.85, [1, 0, 11, 10], 2), // same box, other class → kept
    c(0, 0.7, [20, 20, 30, 30], 3), // no overlap → kept
    c(0, 0.6, [5, 0, 15, 10], 4), // IoU with #0 = 1/3 → kept at 0.45, suppressed at 0.3
  ];
  it('suppresses only within a class, highest score first', () => {
    expect(nmsClasswise(cands, 0.45).map((k) => k.anchorIndex)).toEqual([0, 2, 3, 4]);
  });
  it('a lower IoU threshold suppresses more', () => {
    expect(nmsClasswise(cands, 0.3).map((k) => k.anchorIndex)).toEqual([0, 2, 3]);
  });
  it('keeps at most maxDet', () => {
    expect(nmsClasswise(cands, 0.45, 2).map((k) => k.anchorIndex)).toEqual([0, 2]);
  });
  it('breaks score ties by anchor index', () => {
    const tied = [c(0, 0.5, [0, 0, 10, 10], 7), c(0, 0.5, [0, 0, 10, 10], 3)];
    expect(nmsClasswise(tied, 0.45).map((k) => k.anchorIndex)).toEqual([3]);
  });
  it('handles no candidates', () => {
    expect(nmsClasswise([], 0.45)).toEqual([]);
  });
});
