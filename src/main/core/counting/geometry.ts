/**
 * Zones and counting lines in camera pixels: which point of a box stands for the object, whether
 * it lies inside a polygon, and which side of a directed line it is on.
 */
import type { BoxXyxy, PointXy } from '../../../shared/detection';

/** `centre` (default) suits a camera looking straight down; `bottom-centre` is where an object stands in a side view. */
export type ReferencePoint = 'centre' | 'bottom-centre';

export function referencePointXy(box: BoxXyxy, ref: ReferencePoint): PointXy {
  const cx = (box[0] + box[2]) / 2;
  return ref === 'bottom-centre' ? [cx, box[3]] : [cx, (box[1] + box[3]) / 2];
}

/**
 * Even-odd ray casting. Points exactly on an edge may fall either side (an object's reference
 * point sitting on a zone border to the sub-pixel is an ambiguity no rule removes).
 */
export function pointInPolygon(p: PointXy, polygon: readonly PointXy[]): boolean {
  const [px, py] = p;
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i];
    const [xj, yj] = polygon[j];
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export interface LineSegment {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** cross((x2−x1, y2−y1), (px−x1, py−y1)): > 0 on one side, < 0 on the other, 0 on the line. */
export function lineSideCross(line: LineSegment, p: PointXy): number {
  return (line.x2 - line.x1) * (p[1] - line.y1) - (line.y2 - line.y1) * (p[0] - line.x1);
}

/**
 * Whether the move from `from` (cross `crossFrom` ≠ 0) to `to` (cross `crossTo`, opposite sign)
 * passes through the segment itself, not its extension beyond the end points (ends included).
 */
export function moveCrossesSegment(
  line: LineSegment,
  from: PointXy,
  to: PointXy,
  crossFrom: number,
  crossTo: number,
): boolean {
  const t = crossFrom / (crossFrom - crossTo);
  const qx = from[0] + t * (to[0] - from[0]);
  const qy = from[1] + t * (to[1] - from[1]);
  const dx = line.x2 - line.x1;
  const dy = line.y2 - line.y1;
  const s = ((qx - line.x1) * dx + (qy - line.y1) * dy) / (dx * dx + dy * dy);
  return s >= 0 && s <= 1;
}
