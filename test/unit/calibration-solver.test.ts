import { describe, expect, it } from 'vitest';
import { applyHomography, type Homography3x3 } from '../../src/main/core/calibration';
import {
  checkerboardCornersMm,
  CheckerboardSchema,
  millimetreGrid,
  solveHomography,
  type CalibrationPoint,
} from '../../src/main/core/calibration-solver';
import { invert3, jacobiEigenSymmetric, mul3 } from '../../src/main/core/linalg';
import type { PointXy } from '../../src/shared/detection';

/** Deterministic standard normal numbers (LCG + Box–Muller), so the test is exact run to run. */
function gaussian(seed: number): () => number {
  let s = seed >>> 0;
  const uniform = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

// A camera tilted a little over a table: 0.4 mm/px, rotated 5°, some perspective.
const TRUE_H: Homography3x3 = [0.398, -0.035, 12.5, 0.036, 0.401, -30.2, 2e-5, -1.5e-5, 1];

function pairsFor(h: Homography3x3, pixels: PointXy[]): CalibrationPoint[] {
  return pixels.map((p) => ({ pixel: p, mm: applyHomography(h, p) }));
}

describe('Jacobi eigen solver', () => {
  it('diagonalises a symmetric matrix: A v = λ v, ascending, orthonormal', () => {
    const a = [
      [4, 1, -2, 2],
      [1, 2, 0, 1],
      [-2, 0, 3, -2],
      [2, 1, -2, -1],
    ];
    const { values, vectors } = jacobiEigenSymmetric(a);
    expect(values).toEqual([...values].sort((x, y) => x - y));
    // trace and determinant-free check: sum of eigenvalues = trace = 8
    expect(values.reduce((s, v) => s + v, 0)).toBeCloseTo(8, 12);
    vectors.forEach((v, k) => {
      const av = a.map((row) => row.reduce((s, x, j) => s + x * v[j]!, 0));
      av.forEach((x, i) => expect(x).toBeCloseTo(values[k]! * v[i]!, 12));
      expect(Math.hypot(...v)).toBeCloseTo(1, 14);
      vectors.forEach((w, m) => {
        if (m !== k) expect(v.reduce((s, x, i) => s + x * w[i]!, 0)).toBeCloseTo(0, 12);
      });
    });
    expect(
      jacobiEigenSymmetric([
        [2, 0],
        [0, 1],
      ]).values,
    ).toEqual([1, 2]);
    expect(() =>
      jacobiEigenSymmetric([
        [1, 2],
        [3, 4],
      ]),
    ).toThrow(/not symmetric/);
  });

  it('3×3 inverse', () => {
    const m = [2, 0, 1, 1, 3, 0, 0, 1, 4];
    const id = mul3(m, invert3(m));
    id.forEach((v, i) => expect(v).toBeCloseTo([1, 0, 0, 0, 1, 0, 0, 0, 1][i]!, 14));
    expect(() => invert3([1, 2, 3, 2, 4, 6, 0, 0, 1])).toThrow(/singular/);
  });
});

describe('solveHomography', () => {
  it('recovers H exactly from 4 points in general position', () => {
    const r = solveHomography(
      pairsFor(TRUE_H, [
        [50, 40],
        [600, 60],
        [580, 430],
        [70, 450],
      ]),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    r.homography.forEach((v, i) => expect(v).toBeCloseTo(TRUE_H[i]!, 9));
    expect(r.rmsMm).toBeLessThan(1e-9);
    expect(r.residuals).toHaveLength(4);
  });

  it('least squares over a noisy 5×5 grid: RMS as expected for σ = 0.2 mm, H within σ', () => {
    const noise = gaussian(7);
    const sigmaMm = 0.2;
    const pixels: PointXy[] = [];
    for (let r = 0; r < 5; r++) for (let c = 0; c < 5; c++) pixels.push([40 + c * 140, 30 + r * 105]);
    const pairs = pixels.map((p): CalibrationPoint => {
      const [x, y] = applyHomography(TRUE_H, p);
      return { pixel: p, mm: [x + sigmaMm * noise(), y + sigmaMm * noise()] };
    });
    const r = solveHomography(pairs);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    // E[residual²] = 2σ²(N − 4)/N for 8 fitted parameters over 2N coordinates.
    const expectedRms = sigmaMm * Math.sqrt((2 * (25 - 4)) / 25);
    expect(r.rmsMm).toBeGreaterThan(0.6 * expectedRms);
    expect(r.rmsMm).toBeLessThan(1.4 * expectedRms);
    expect(r.maxErrorMm).toBeGreaterThanOrEqual(r.rmsMm);
    expect(Math.sqrt(r.residuals.reduce((s, p) => s + p.errorMm ** 2, 0) / 25)).toBeCloseTo(r.rmsMm, 12);
    // The fitted mapping is closer to the truth than one measurement (σ), everywhere on the grid.
    for (const p of [
      [100, 100],
      [400, 250],
      [600, 430],
    ] as PointXy[]) {
      const a = applyHomography(r.homography, p);
      const b = applyHomography(TRUE_H, p);
      expect(Math.hypot(a[0] - b[0], a[1] - b[1])).toBeLessThan(sigmaMm);
    }
  });

  it('refuses fewer than 4 points, duplicates and collinear sets with the reason', () => {
    const four = pairsFor(TRUE_H, [
      [0, 0],
      [100, 0],
      [100, 100],
      [0, 100],
    ]);
    expect(solveHomography(four.slice(0, 3))).toEqual({
      ok: false,
      reason: 'tooFewPoints',
      message: 'a homography needs at least 4 points, got 3',
    });
    expect(solveHomography([...four.slice(0, 3), four[1]!])).toMatchObject({
      ok: false,
      reason: 'duplicatePoints',
      message: 'points 2 and 4 have the same pixel position (100, 0); move or remove one',
    });
    const threeOnALine = pairsFor(TRUE_H, [
      [0, 0],
      [50, 50],
      [100, 100],
      [0, 100],
    ]);
    expect(solveHomography(threeOnALine)).toMatchObject({
      ok: false,
      reason: 'collinearPoints',
      message:
        'three of the four points lie on one line in pixel space; place them at the corners of a quadrilateral',
    });
    const line = pairsFor(
      TRUE_H,
      Array.from({ length: 6 }, (_, i): PointXy => [10 * i, 5 * i]),
    );
    expect(solveHomography(line)).toMatchObject({ ok: false, reason: 'collinearPoints' });
    // Five points, four of them on a line: still no 4 in general position.
    const allButOne = pairsFor(TRUE_H, [
      [0, 0],
      [10, 0],
      [20, 0],
      [30, 0],
      [15, 40],
    ]);
    expect(solveHomography(allButOne)).toMatchObject({
      ok: false,
      reason: 'collinearPoints',
      message:
        'all points but at most one lie on one line in pixel space (through points 1 and 2); spread them over the area',
    });
    // Collinear in mm though not in pixels (mistyped coordinates).
    const typo = four.map((p, i) => ({ ...p, mm: [i * 10, i * 10] as PointXy }));
    expect(solveHomography(typo)).toMatchObject({ ok: false, reason: 'collinearPoints' });
  });
});

describe('millimetre grid', () => {
  it('lines of constant mm, drawn in pixels through the inverse', () => {
    const h: Homography3x3 = [0.5, 0, 0, 0, 0.5, 0, 0, 0, 1]; // 2 px per mm
    const lines = millimetreGrid(h, { widthPx: 100, heightPx: 60 }, 10);
    // 0..50 mm across (6 lines), 0..30 mm down (4 lines)
    expect(lines.filter((l) => l.axis === 'x').map((l) => l.valueMm)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(lines.filter((l) => l.axis === 'y').map((l) => l.valueMm)).toEqual([0, 10, 20, 30]);
    expect(lines[1]).toEqual({ axis: 'x', valueMm: 10, p1Px: [20, 0], p2Px: [20, 60] });
    expect(lines.at(-1)).toEqual({ axis: 'y', valueMm: 30, p1Px: [0, 60], p2Px: [100, 60] });
    expect(() => millimetreGrid(h, { widthPx: 100, heightPx: 60 }, 0.1)).toThrow(/choose a larger spacing/);
    expect(() => millimetreGrid(h, { widthPx: 100, heightPx: 60 }, 0)).toThrow(/positive/);
  });

  it('every grid line point maps back to its mm value', () => {
    for (const l of millimetreGrid(TRUE_H, { widthPx: 640, heightPx: 480 }, 25)) {
      for (const p of [l.p1Px, l.p2Px]) {
        const mm = applyHomography(TRUE_H, p);
        expect(mm[l.axis === 'x' ? 0 : 1]).toBeCloseTo(l.valueMm, 9);
      }
    }
  });
});

describe('checkerboard', () => {
  it('inner corners row by row from the origin', () => {
    const board = CheckerboardSchema.parse({ rows: 3, cols: 4, squareMm: 25, originMm: [100, 50] });
    expect(checkerboardCornersMm(board)).toEqual([
      [100, 50],
      [125, 50],
      [150, 50],
      [100, 75],
      [125, 75],
      [150, 75],
    ]);
    expect(CheckerboardSchema.safeParse({ rows: 2, cols: 4, squareMm: 25 }).success).toBe(false);
  });
});
