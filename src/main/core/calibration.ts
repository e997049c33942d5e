/**
 * Pixel -> millimetre calibration by a planar homography (camera looks down on a flat work area).
 *
 * `H` is 3x3, row-major, mapping homogeneous image pixels [u, v, 1] to world [X, Y, W] with
 * world millimetres (X/W, Y/W).
 *
 * Widths and heights in mm: a homography does not map an axis-aligned box to a rectangle, so the
 * box's "width" in mm is the distance between the mapped midpoints of its left and right edges,
 * and its "height" the distance between the mapped midpoints of its top and bottom edges. For a
 * camera square to the table (affine H) this is exact; under perspective it is the size measured
 * through the box centre, which is what a gripper aligned on the centre needs.
 */
import { z } from 'zod';
import type { BoxXyxy, Detection, PointXy } from '../../shared/detection';

/** Row-major 3x3 matrix. */
export type Homography3x3 = readonly [number, number, number, number, number, number, number, number, number];

export const IDENTITY_HOMOGRAPHY: Homography3x3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];

export function homographyDeterminant(h: Homography3x3): number {
  return (
    h[0] * (h[4] * h[8] - h[5] * h[7]) -
    h[1] * (h[3] * h[8] - h[5] * h[6]) +
    h[2] * (h[3] * h[7] - h[4] * h[6])
  );
}

/** Throws a readable error when H cannot be a pixel -> mm calibration. */
export function assertHomography(h: readonly number[]): asserts h is Homography3x3 {
  if (h.length !== 9 || !h.every((v) => Number.isFinite(v))) {
    throw new RangeError(`a homography needs 9 finite numbers (row-major 3x3), got ${JSON.stringify(h)}`);
  }
  if (Math.abs(homographyDeterminant(h as unknown as Homography3x3)) < 1e-12) {
    throw new RangeError('the homography is singular (determinant 0): it cannot map pixels to millimetres');
  }
}

/**
 * The one schema for a configured calibration (PLC and serial settings, the settings file, the
 * `--calibration` flag): 9 finite numbers, not singular.
 */
export const homographySchema = z
  .array(z.number())
  .length(9, 'a homography is 9 numbers, row-major 3x3')
  .readonly()
  .superRefine((h, ctx) => {
    try {
      assertHomography(h);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
    }
  })
  .transform((h) => h as unknown as Homography3x3);

/** Maps one pixel point to mm. Returns NaNs for a point on the horizon line (W = 0). */
export function applyHomography(h: Homography3x3, point: PointXy): PointXy {
  const [u, v] = point;
  const x = h[0] * u + h[1] * v + h[2];
  const y = h[3] * u + h[4] * v + h[5];
  const w = h[6] * u + h[7] * v + h[8];
  if (Math.abs(w) < 1e-12) return [Number.NaN, Number.NaN];
  return [x / w, y / w];
}

export function applyHomographyToPoints(h: Homography3x3, points: readonly PointXy[]): PointXy[] {
  return points.map((p) => applyHomography(h, p));
}

export interface PlacementXywh {
  /** Centre X, Y; width, height; angle in degrees (-90, 90]. Units: px or mm as the caller says. */
  x: number;
  y: number;
  width: number;
  height: number;
  angleDeg: number;
}

/** Folds an angle into (-90, 90] (an orientation, not a direction). */
export function normalizeAngleDeg(angleDeg: number): number {
  if (!Number.isFinite(angleDeg)) return 0;
  let a = angleDeg % 180;
  if (a <= -90) a += 180;
  if (a > 90) a -= 180;
  return a;
}

/** Centre, size and angle of a detection in pixels: box centre, box size, mask angle or 0. */
/** Orientation sent to the PLC: an oriented box's angle, else the mask's, else 0. */
function orientationDeg(det: Pick<Detection, 'mask' | 'obb'>): number | undefined {
  return det.obb?.angleDeg ?? det.mask?.angleDeg;
}

export function detectionPlacementPx(det: Pick<Detection, 'box' | 'mask' | 'obb'>): PlacementXywh {
  const [x1, y1, x2, y2] = det.box;
  return {
    x: (x1 + x2) / 2,
    y: (y1 + y2) / 2,
    width: x2 - x1,
    height: y2 - y1,
    angleDeg: normalizeAngleDeg(orientationDeg(det) ?? 0),
  };
}

function distance(a: PointXy, b: PointXy): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

/**
 * Centre, size and angle of a detection in millimetres (see the file comment for width/height).
 * The angle is the image angle carried through H: the direction (cos a, sin a) at the centre is
 * mapped, so a calibration that rotates or mirrors the table also turns the angle.
 */
export function detectionPlacementMm(
  det: Pick<Detection, 'box' | 'mask' | 'obb'>,
  h: Homography3x3,
): PlacementXywh {
  const box: BoxXyxy = det.box;
  const [x1, y1, x2, y2] = box;
  const cx = (x1 + x2) / 2;
  const cy = (y1 + y2) / 2;
  const centre = applyHomography(h, [cx, cy]);
  const left = applyHomography(h, [x1, cy]);
  const right = applyHomography(h, [x2, cy]);
  const top = applyHomography(h, [cx, y1]);
  const bottom = applyHomography(h, [cx, y2]);
  let angleDeg = 0;
  const orientation = orientationDeg(det);
  if (orientation !== undefined) {
    const a = (orientation * Math.PI) / 180;
    // A short step along the orientation keeps the local (linearised) mapping accurate.
    const stepPx = Math.max(1, Math.min(x2 - x1, y2 - y1) / 2);
    const ahead = applyHomography(h, [cx + Math.cos(a) * stepPx, cy + Math.sin(a) * stepPx]);
    angleDeg = normalizeAngleDeg((Math.atan2(ahead[1] - centre[1], ahead[0] - centre[0]) * 180) / Math.PI);
  }
  return {
    x: centre[0],
    y: centre[1],
    width: distance(left, right),
    height: distance(top, bottom),
    angleDeg,
  };
}

/** Pixels without a calibration, millimetres with one. */
export function detectionPlacement(
  det: Pick<Detection, 'box' | 'mask' | 'obb'>,
  h: Homography3x3 | null | undefined,
): PlacementXywh {
  return h ? detectionPlacementMm(det, h) : detectionPlacementPx(det);
}
