/**
 * Rotated boxes: corners, exact intersection-over-union by convex polygon clipping
 * (Sutherland–Hodgman), and class-wise NMS on them. Pure.
 *
 * A rotated box is (cx, cy, w, h, angle): `w` lies along (cos a, sin a), `h` along (−sin a, cos a),
 * in image coordinates (y down), so a positive angle turns clockwise on screen.
 */
import type { PointXy } from '../../shared/detection';

export interface RotatedBox {
  cx: number;
  cy: number;
  w: number;
  h: number;
  angleRad: number;
}

/** Corners clockwise on screen, starting at the (−w/2, −h/2) corner. */
export function rotatedCorners(b: RotatedBox): [PointXy, PointXy, PointXy, PointXy] {
  const c = Math.cos(b.angleRad);
  const s = Math.sin(b.angleRad);
  const hw = b.w / 2;
  const hh = b.h / 2;
  const at = (u: number, v: number): PointXy => [b.cx + u * c - v * s, b.cy + u * s + v * c];
  return [at(-hw, -hh), at(hw, -hh), at(hw, hh), at(-hw, hh)];
}

/** Shoelace area; positive for corners clockwise on screen (counter-clockwise with y up). */
function signedArea(p: readonly PointXy[]): number {
  let a = 0;
  for (let i = 0; i < p.length; i++) {
    const [x1, y1] = p[i]!;
    const [x2, y2] = p[(i + 1) % p.length]!;
    a += x1 * y2 - x2 * y1;
  }
  return a / 2;
}

/** Intersection of two convex polygons, both with positive signed area. */
export function clipConvexPolygon(subject: readonly PointXy[], clip: readonly PointXy[]): PointXy[] {
  let out: PointXy[] = [...subject];
  for (let i = 0; i < clip.length && out.length > 0; i++) {
    const a = clip[i]!;
    const b = clip[(i + 1) % clip.length]!;
    const side = (p: PointXy): number => (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]);
    const input = out;
    out = [];
    for (let j = 0; j < input.length; j++) {
      const p = input[j]!;
      const q = input[(j + 1) % input.length]!;
      const sp = side(p);
      const sq = side(q);
      if (sp >= 0) out.push(p);
      if (sp >= 0 !== sq >= 0) {
        const t = sp / (sp - sq);
        out.push([p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])]);
      }
    }
  }
  return out;
}

export function rotatedIou(a: RotatedBox, b: RotatedBox): number {
  const areaA = a.w * a.h;
  const areaB = b.w * b.h;
  if (!(areaA > 0) || !(areaB > 0)) return 0;
  const inter = clipConvexPolygon(rotatedCorners(a), rotatedCorners(b));
  const i = inter.length >= 3 ? Math.abs(signedArea(inter)) : 0;
  return i / (areaA + areaB - i);
}

export interface RotatedCandidate {
  box: RotatedBox;
  score: number;
  classId: number;
  anchorIndex: number;
}

/** Class-wise NMS with exact rotated IoU; best score first, ties by anchor index. */
export function nmsRotatedClasswise(
  candidates: readonly RotatedCandidate[],
  iouThreshold: number,
  maxDet = 300,
): RotatedCandidate[] {
  const order = [...candidates].sort((a, b) => b.score - a.score || a.anchorIndex - b.anchorIndex);
  const kept: RotatedCandidate[] = [];
  for (const c of order) {
    if (kept.length >= maxDet) break;
    if (!kept.some((k) => k.classId === c.classId && rotatedIou(k.box, c.box) > iouThreshold)) kept.push(c);
  }
  return kept;
}
