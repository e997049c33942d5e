/**
 * Pure geometry of the renderer's zone and line editor: hit tests and edits on plain data, so the
 * React component only turns pointer events into calls of these. Here (not in the renderer) so
 * that it is type-checked and unit-tested with the rest of the pure code.
 */
import type { PointXy } from './detection';
import type { CountingLine, ZoneShape } from './zones';

export type EditTarget =
  | { type: 'zone-vertex'; zone: number; vertex: number }
  | { type: 'zone'; zone: number }
  | { type: 'line-end'; line: number; end: 1 | 2 }
  | { type: 'line'; line: number };

export function pointInPolygon(p: PointXy, polygon: readonly PointXy[]): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i];
    const [xj, yj] = polygon[j];
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Distance from p to the segment a–b. */
export function distanceToSegment(p: PointXy, a: PointXy, b: PointXy): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2));
  return Math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy));
}

/**
 * What is under the pointer, handles first (a vertex or line end within `handlePx`), then lines
 * (within `handlePx`), then zone interiors; the most recently added shape wins.
 */
export function hitTest(
  p: PointXy,
  zones: readonly ZoneShape[],
  lines: readonly CountingLine[],
  handlePx: number,
): EditTarget | null {
  for (let l = lines.length - 1; l >= 0; l--) {
    const line = lines[l];
    if (Math.hypot(p[0] - line.x1, p[1] - line.y1) <= handlePx) return { type: 'line-end', line: l, end: 1 };
    if (Math.hypot(p[0] - line.x2, p[1] - line.y2) <= handlePx) return { type: 'line-end', line: l, end: 2 };
  }
  for (let z = zones.length - 1; z >= 0; z--) {
    const poly = zones[z].polygon;
    for (let v = poly.length - 1; v >= 0; v--)
      if (Math.hypot(p[0] - poly[v][0], p[1] - poly[v][1]) <= handlePx)
        return { type: 'zone-vertex', zone: z, vertex: v };
  }
  for (let l = lines.length - 1; l >= 0; l--) {
    const line = lines[l];
    if (distanceToSegment(p, [line.x1, line.y1], [line.x2, line.y2]) <= handlePx)
      return { type: 'line', line: l };
  }
  for (let z = zones.length - 1; z >= 0; z--)
    if (pointInPolygon(p, zones[z].polygon)) return { type: 'zone', zone: z };
  return null;
}

const clamp = (v: number, max: number): number => Math.min(max, Math.max(0, v));

/**
 * Moves the target by (dx, dy) picture pixels from its state in `zones`/`lines`, kept inside the
 * picture (whole shapes stop at the border rather than deform). Returns new arrays.
 */
export function moveTarget(
  target: EditTarget,
  dx: number,
  dy: number,
  zones: readonly ZoneShape[],
  lines: readonly CountingLine[],
  widthPx: number,
  heightPx: number,
): { zones: ZoneShape[]; lines: CountingLine[] } {
  const nextZones = zones.map((z) => ({ ...z, polygon: z.polygon.map((p) => [p[0], p[1]] as PointXy) }));
  const nextLines = lines.map((l) => ({ ...l }));
  switch (target.type) {
    case 'zone-vertex': {
      const p = nextZones[target.zone].polygon[target.vertex];
      p[0] = clamp(p[0] + dx, widthPx);
      p[1] = clamp(p[1] + dy, heightPx);
      break;
    }
    case 'zone': {
      const poly = nextZones[target.zone].polygon;
      const xs = poly.map((p) => p[0]);
      const ys = poly.map((p) => p[1]);
      const mx = Math.min(Math.max(dx, -Math.min(...xs)), widthPx - Math.max(...xs));
      const my = Math.min(Math.max(dy, -Math.min(...ys)), heightPx - Math.max(...ys));
      for (const p of poly) {
        p[0] += mx;
        p[1] += my;
      }
      break;
    }
    case 'line-end': {
      const l = nextLines[target.line];
      if (target.end === 1) {
        l.x1 = clamp(l.x1 + dx, widthPx);
        l.y1 = clamp(l.y1 + dy, heightPx);
      } else {
        l.x2 = clamp(l.x2 + dx, widthPx);
        l.y2 = clamp(l.y2 + dy, heightPx);
      }
      break;
    }
    case 'line': {
      const l = nextLines[target.line];
      const mx = Math.min(Math.max(dx, -Math.min(l.x1, l.x2)), widthPx - Math.max(l.x1, l.x2));
      const my = Math.min(Math.max(dy, -Math.min(l.y1, l.y2)), heightPx - Math.max(l.y1, l.y2));
      l.x1 += mx;
      l.x2 += mx;
      l.y1 += my;
      l.y2 += my;
      break;
    }
  }
  return { zones: nextZones, lines: nextLines };
}

/** Removes the zone or line the target belongs to. */
export function deleteTarget(
  target: EditTarget,
  zones: readonly ZoneShape[],
  lines: readonly CountingLine[],
): { zones: ZoneShape[]; lines: CountingLine[] } {
  if (target.type === 'zone' || target.type === 'zone-vertex')
    return { zones: zones.filter((_, i) => i !== target.zone), lines: [...lines] };
  return { zones: [...zones], lines: lines.filter((_, i) => i !== target.line) };
}

/** The first free name `line1`, `line2`, ... */
export function nextLineName(lines: readonly CountingLine[]): string {
  for (let i = 1; ; i++) if (!lines.some((l) => l.name === `line${i}`)) return `line${i}`;
}
