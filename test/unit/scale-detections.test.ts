import { describe, expect, it } from 'vitest';
import { scaleDetections } from '../../src/main/core/scale-detections';
import type { Detection } from '../../src/shared/detection';

const det: Detection = {
  classId: 2,
  className: 'car',
  score: 0.9,
  box: [10, 20, 30, 40],
  mask: {
    areaPx: 100,
    polygon: [
      [10, 20],
      [30, 20],
      [30, 40],
    ],
    angleDeg: 45,
    centroid: [20, 30],
    rle: { width: 1, height: 1, counts: [0, 1] },
    originXy: [10, 20],
  },
};

describe('scaleDetections', () => {
  it('maps boxes, polygons, centroids and areas by the scale factors', () => {
    const [d] = scaleDetections([det], 4, 4);
    expect(d!.box).toEqual([40, 80, 120, 160]);
    expect(d!.mask).toEqual({
      areaPx: 1600,
      polygon: [
        [40, 80],
        [120, 80],
        [120, 160],
      ],
      angleDeg: 45,
      centroid: [80, 120],
    });
    expect(d!.score).toBe(0.9);
  });
  it('turns the angle under a non-uniform scale', () => {
    const [d] = scaleDetections([det], 2, 1);
    // Direction (1, 1) becomes (2, 1): atan2(1, 2) = 26.565°.
    expect(d!.mask!.angleDeg).toBeCloseTo(26.565, 3);
    expect(d!.box).toEqual([20, 20, 60, 40]);
  });
  it('is the identity at scale 1 (a copy)', () => {
    const input = [det];
    const out = scaleDetections(input, 1, 1);
    expect(out).toEqual(input);
    expect(out).not.toBe(input);
  });
});
