/**
 * Solving the pixel → mm homography from point pairs, for the calibration editor.
 *
 * Normalised DLT (Hartley & Zisserman, "Multiple View Geometry", algorithm 4.2): each point set is
 * moved to its centroid and scaled to a mean distance of √2, the 2N×9 system A·h = 0 is solved in
 * the least-squares sense (h = eigenvector of AᵀA with the smallest eigenvalue, which is the right
 * singular vector of A), and the result is taken back out of the normalised frames. Exact for 4
 * points in general position; a least-squares fit for more.
 *
 * Degenerate sets are refused with a reason a person can act on, never solved into nonsense.
 */
import { z } from 'zod';
import type { PointXy } from '../../shared/detection';
import { applyHomography, type Homography3x3 } from './calibration';
import { det3, invert3, jacobiEigenSymmetric, mul3, normalMatrix, type Mat3 } from './linalg';

/** Enough for any target; bounds the O(N³) degeneracy check. */
export const MAX_CALIBRATION_POINTS = 200;

export const CalibrationPointSchema = z
  .object({
    pixel: z.tuple([z.number().finite(), z.number().finite()]),
    mm: z.tuple([z.number().finite(), z.number().finite()]),
  })
  .strict();
export type CalibrationPoint = z.output<typeof CalibrationPointSchema>;

export type SolveRefusal =
  'tooFewPoints' | 'tooManyPoints' | 'duplicatePoints' | 'collinearPoints' | 'illConditioned';

export interface PointResidual {
  index: number;
  pixel: PointXy;
  mm: PointXy;
  /** Where the solved homography puts the pixel. */
  predictedMm: PointXy;
  /** Distance between predicted and given mm. */
  errorMm: number;
}

export type SolveResult =
  | {
      ok: true;
      /** Row-major, scaled so that h33 = 1 when possible. */
      homography: Homography3x3;
      residuals: PointResidual[];
      rmsMm: number;
      maxErrorMm: number;
    }
  | { ok: false; reason: SolveRefusal; message: string };

const refuse = (reason: SolveRefusal, message: string): SolveResult => ({ ok: false, reason, message });

/** Similarity transform to centroid 0 and mean distance √2 (row-major 3×3). */
function normalisingTransform(points: readonly PointXy[]): Mat3 {
  let cx = 0;
  let cy = 0;
  for (const [x, y] of points) {
    cx += x;
    cy += y;
  }
  cx /= points.length;
  cy /= points.length;
  let meanDist = 0;
  for (const [x, y] of points) meanDist += Math.hypot(x - cx, y - cy);
  meanDist /= points.length;
  const s = Math.SQRT2 / meanDist;
  return [s, 0, -s * cx, 0, s, -s * cy, 0, 0, 1];
}

function spread(points: readonly PointXy[]): number {
  let maxD = 0;
  for (const a of points) for (const b of points) maxD = Math.max(maxD, Math.hypot(a[0] - b[0], a[1] - b[1]));
  return maxD;
}

/** |cross| / (longest side)², about the sine of the flattest angle scale: 0 for collinear points. */
function flatness(a: PointXy, b: PointXy, c: PointXy): number {
  const cross = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
  const l = Math.max(
    Math.hypot(b[0] - a[0], b[1] - a[1]),
    Math.hypot(c[0] - a[0], c[1] - a[1]),
    Math.hypot(c[0] - b[0], c[1] - b[1]),
  );
  return l === 0 ? 0 : Math.abs(cross) / (l * l);
}

/** Points closer than this share of the set's extent count as the same point. */
const DUPLICATE_FRACTION = 1e-6;
/** Triangles flatter than this count as collinear (≈ 0.06° at the flattest corner). */
const COLLINEAR_FLATNESS = 1e-3;

/**
 * A homography needs 4 points with no 3 on a line. Points on a plane have no such 4 exactly when
 * all of them, or all but one, lie on one line; returns that line's two defining indices, or null.
 */
function dominantLine(points: readonly PointXy[]): [number, number] | null {
  const n = points.length;
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      let on = 0;
      for (let k = 0; k < n; k++)
        if (k === i || k === j || flatness(points[i]!, points[j]!, points[k]!) < COLLINEAR_FLATNESS) on++;
      if (on >= n - 1) return [i, j];
    }
  return null;
}

function checkPointSet(points: readonly PointXy[], what: 'pixel' | 'mm'): SolveResult | null {
  const ext = spread(points);
  for (let i = 0; i < points.length; i++)
    for (let j = i + 1; j < points.length; j++) {
      const d = Math.hypot(points[i]![0] - points[j]![0], points[i]![1] - points[j]![1]);
      if (d <= ext * DUPLICATE_FRACTION)
        return refuse(
          'duplicatePoints',
          `points ${i + 1} and ${j + 1} have the same ${what} position (${points[i]!.join(', ')}); move or remove one`,
        );
    }
  const line = dominantLine(points);
  if (line)
    return refuse(
      'collinearPoints',
      points.length === 4
        ? `three of the four points lie on one line in ${what} space; place them at the corners of a quadrilateral`
        : `all points but at most one lie on one line in ${what} space (through points ${line[0] + 1} and ${line[1] + 1}); spread them over the area`,
    );
  return null;
}

/** Solve H (pixel → mm) from ≥ 4 point pairs; refuses degenerate sets with the reason. */
export function solveHomography(pairs: readonly CalibrationPoint[]): SolveResult {
  if (pairs.length < 4)
    return refuse('tooFewPoints', `a homography needs at least 4 points, got ${pairs.length}`);
  if (pairs.length > MAX_CALIBRATION_POINTS)
    return refuse('tooManyPoints', `at most ${MAX_CALIBRATION_POINTS} points, got ${pairs.length}`);
  const px = pairs.map((p) => p.pixel as PointXy);
  const mm = pairs.map((p) => p.mm as PointXy);
  const bad = checkPointSet(px, 'pixel') ?? checkPointSet(mm, 'mm');
  if (bad) return bad;

  const tPx = normalisingTransform(px);
  const tMm = normalisingTransform(mm);
  const rows: number[][] = [];
  for (let i = 0; i < pairs.length; i++) {
    const [u, v] = applyHomography(tPx, px[i]!);
    const [x, y] = applyHomography(tMm, mm[i]!);
    // x = (h1 u + h2 v + h3) / (h7 u + h8 v + h9), likewise y.
    rows.push([u, v, 1, 0, 0, 0, -x * u, -x * v, -x]);
    rows.push([0, 0, 0, u, v, 1, -y * u, -y * v, -y]);
  }
  const eig = jacobiEigenSymmetric(normalMatrix(rows));
  // A one-dimensional null space (up to noise) means a unique answer. A second eigenvalue near the
  // first means the data admit a family of homographies.
  if (eig.values[1]! <= 1e-10 * eig.values[8]!)
    return refuse(
      'illConditioned',
      'the points do not determine a unique mapping; spread them over the area',
    );
  const hn = eig.vectors[0]! as Mat3;
  // H = T_mm⁻¹ · Hn · T_px
  let h = mul3(mul3(invert3(tMm), hn), tPx);
  const scale = Math.abs(h[8]) > 1e-12 ? h[8] : Math.hypot(...h);
  h = h.map((v) => v / scale) as Mat3;
  const d = det3(h);
  if (!Number.isFinite(d) || Math.abs(d) < 1e-12)
    return refuse('illConditioned', 'the solved mapping is singular; the points are nearly degenerate');
  const homography = h as unknown as Homography3x3;
  const residuals = pairs.map((_, index): PointResidual => {
    const predictedMm = applyHomography(homography, px[index]!);
    return {
      index,
      pixel: px[index]!,
      mm: mm[index]!,
      predictedMm,
      errorMm: Math.hypot(predictedMm[0] - mm[index]![0], predictedMm[1] - mm[index]![1]),
    };
  });
  const rmsMm = Math.sqrt(residuals.reduce((s, r) => s + r.errorMm ** 2, 0) / residuals.length);
  const maxErrorMm = Math.max(...residuals.map((r) => r.errorMm));
  if (!Number.isFinite(rmsMm))
    return refuse('illConditioned', 'a calibration point maps to infinity; the points are nearly degenerate');
  return { ok: true, homography, residuals, rmsMm, maxErrorMm };
}

// ---------------------------------------------------------------------------------------------
// Millimetre grid for the overlay
// ---------------------------------------------------------------------------------------------

export interface GridLine {
  /** 'x': a line of constant X mm (runs along Y); 'y': constant Y mm. */
  axis: 'x' | 'y';
  valueMm: number;
  /** Endpoints in image pixels (a homography maps lines to lines). */
  p1Px: PointXy;
  p2Px: PointXy;
}

export const MAX_GRID_LINES_PER_AXIS = 200;

/**
 * Lines every `spacingMm` over the area the image sees, in pixel space (through the inverse
 * homography). Assumes the whole image lies on the calibrated plane in front of the camera
 * (true for a camera looking down on a table). Throws when the spacing would draw more than
 * MAX_GRID_LINES_PER_AXIS lines per axis.
 */
export function millimetreGrid(
  h: Homography3x3,
  image: { widthPx: number; heightPx: number },
  spacingMm: number,
): GridLine[] {
  if (!(spacingMm > 0) || !Number.isFinite(spacingMm))
    throw new RangeError(`grid spacing must be a positive number of mm, got ${spacingMm}`);
  const inv = invert3(h);
  const cornersMm = (
    [
      [0, 0],
      [image.widthPx, 0],
      [image.widthPx, image.heightPx],
      [0, image.heightPx],
    ] as PointXy[]
  ).map((p) => applyHomography(h, p));
  if (cornersMm.some((p) => !Number.isFinite(p[0]) || !Number.isFinite(p[1])))
    throw new RangeError('the image reaches the horizon of this calibration; no grid can be drawn');
  const xs = cornersMm.map((p) => p[0]);
  const ys = cornersMm.map((p) => p[1]);
  const [xMin, xMax, yMin, yMax] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const first = (v: number) => Math.ceil(v / spacingMm - 1e-9);
  const last = (v: number) => Math.floor(v / spacingMm + 1e-9);
  const nx = last(xMax) - first(xMin) + 1;
  const ny = last(yMax) - first(yMin) + 1;
  if (nx > MAX_GRID_LINES_PER_AXIS || ny > MAX_GRID_LINES_PER_AXIS)
    throw new RangeError(
      `a ${spacingMm} mm grid needs ${Math.max(nx, ny)} lines on one axis (at most ${MAX_GRID_LINES_PER_AXIS}); choose a larger spacing`,
    );
  const toPx = (p: PointXy): PointXy => applyHomography(inv as unknown as Homography3x3, p);
  const lines: GridLine[] = [];
  for (let k = first(xMin); k <= last(xMax); k++) {
    const x = k * spacingMm + 0; // + 0: no -0 in labels
    lines.push({ axis: 'x', valueMm: x, p1Px: toPx([x, yMin]), p2Px: toPx([x, yMax]) });
  }
  for (let k = first(yMin); k <= last(yMax); k++) {
    const y = k * spacingMm + 0;
    lines.push({ axis: 'y', valueMm: y, p1Px: toPx([xMin, y]), p2Px: toPx([xMax, y]) });
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Checkerboard targets
// ---------------------------------------------------------------------------------------------

export const CheckerboardSchema = z
  .object({
    /** Squares down and across (the board has (rows − 1) × (cols − 1) inner corners). */
    rows: z.number().int().min(3).max(100),
    cols: z.number().int().min(3).max(100),
    squareMm: z.number().finite().positive().max(10_000),
    /** Where the first inner corner lies on the work area, mm. */
    originMm: z.tuple([z.number().finite(), z.number().finite()]).default([0, 0]),
  })
  .strict();
export type Checkerboard = z.output<typeof CheckerboardSchema>;

/**
 * The inner corners' mm coordinates, row by row (OpenCV's order for a board seen upright): corner
 * (r, c) at originMm + (c·square, r·square).
 */
export function checkerboardCornersMm(board: Checkerboard): PointXy[] {
  const out: PointXy[] = [];
  for (let r = 0; r < board.rows - 1; r++)
    for (let c = 0; c < board.cols - 1; c++)
      out.push([board.originMm[0] + c * board.squareMm, board.originMm[1] + r * board.squareMm]);
  return out;
}
