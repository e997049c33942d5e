import { describe, expect, it } from 'vitest';
import {
  applyHomography,
  assertHomography,
  detectionPlacement,
  detectionPlacementMm,
  normalizeAngleDeg,
  type Homography3x3,
} from '../../src/main/core/calibration';

const mask = (angleDeg: number) => ({
  areaPx: 1,
  polygon: [],
  angleDeg,
  centroid: [0, 0] as [number, number],
});

describe('homography', () => {
  it('maps points with the projective divide', () => {
    const affine: Homography3x3 = [2, 0, 5, 0, 3, -1, 0, 0, 1];
    expect(applyHomography(affine, [1, 2])).toEqual([7, 5]);
    const projective: Homography3x3 = [1, 0, 0, 0, 1, 0, 0.001, 0, 1];
    // w = 1 + 0.001·1000 = 2
    expect(applyHomography(projective, [1000, 500])).toEqual([500, 250]);
    expect(applyHomography(projective, [-1000, 0]).every(Number.isNaN)).toBe(true);
  });

  it('rejects singular or malformed matrices', () => {
    expect(() => assertHomography([1, 2, 3])).toThrow(/9 finite/);
    expect(() => assertHomography([1, 0, 0, 0, 0, 0, 0, 0, 1])).toThrow(/singular/);
    expect(() => assertHomography([1, 0, 0, 0, 1, 0, 0, 0, 1])).not.toThrow();
  });
});

describe('detection placement', () => {
  const det = { box: [90, 25, 110, 35] as [number, number, number, number] };

  it('pixels without calibration: box centre and size, angle 0', () => {
    expect(detectionPlacement(det, null)).toEqual({ x: 100, y: 30, width: 20, height: 10, angleDeg: 0 });
  });

  it('scale + offset: centre and edge-midpoint distances in mm', () => {
    const h: Homography3x3 = [0.5, 0, 10, 0, 0.25, 0, 0, 0, 1];
    expect(detectionPlacementMm(det, h)).toEqual({ x: 60, y: 7.5, width: 10, height: 2.5, angleDeg: 0 });
  });

  it('a 90° rotation swaps axes; width/height stay edge-to-edge distances; the mask angle turns with it', () => {
    // (u, v) -> (-v, u)
    const h: Homography3x3 = [0, -1, 0, 1, 0, 0, 0, 0, 1];
    const p = detectionPlacementMm({ ...det, mask: mask(10) }, h);
    expect(p.x).toBeCloseTo(-30);
    expect(p.y).toBeCloseTo(100);
    expect(p.width).toBeCloseTo(20);
    expect(p.height).toBeCloseTo(10);
    expect(p.angleDeg).toBeCloseTo(-80);
  });

  it('folds angles into (-90, 90]', () => {
    expect(normalizeAngleDeg(90)).toBe(90);
    expect(normalizeAngleDeg(-90)).toBe(90);
    expect(normalizeAngleDeg(135)).toBe(-45);
    expect(normalizeAngleDeg(Number.NaN)).toBe(0);
  });
});
