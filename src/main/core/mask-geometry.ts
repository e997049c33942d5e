/**
 * Binary mask → shape measurements (area, centroid, outer polygon, orientation, RLE). Pure and
 * allocation-light: one pass per measurement over the mask, scratch buffers reused across calls.
 *
 * Conventions used throughout:
 * - A mask is a row-major `Uint8Array` of `widthPx × heightPx`; any non-zero byte is "set".
 * - Pixel (x, y) covers the square [x, x+1] × [y, y+1]; its centre is (x + 0.5, y + 0.5). Polygons
 *   and hulls run along pixel *edges* (integer corners), so a 10×4 block has a 10×4 outline and the
 *   polygon's area equals its pixel count (for a component without holes).
 * - Connectivity is 8-neighbour (diagonal pixels belong together), as in OpenCV `findContours`.
 * - Angles are in the image frame (x right, y down): 0° = along +x, positive = towards +y, i.e.
 *   clockwise as seen on screen. Range (-90, 90].
 */
import type { MaskInfo, MaskRle, PointXy } from '../../shared/detection';

// ---------------------------------------------------------------------------------------------
// Scratch buffers. JS is single-threaded per isolate (each worker has its own module instance),
// so sharing them between calls is safe; they only grow.
let memberScratch = new Uint8Array(0);
let runRow = new Int32Array(0);
let runStart = new Int32Array(0);
let runEnd = new Int32Array(0);
let runParent = new Int32Array(0);
let runSize = new Int32Array(0);

function ensureScratch(pixels: number, runs: number): void {
  if (memberScratch.length < pixels)
    memberScratch = new Uint8Array(Math.max(pixels, memberScratch.length * 2, 1024));
  if (runRow.length < runs) {
    const size = Math.max(runs, runRow.length * 2, 256);
    runRow = new Int32Array(size);
    runStart = new Int32Array(size);
    runEnd = new Int32Array(size);
    runParent = new Int32Array(size);
    runSize = new Int32Array(size);
  }
}

/** Tight bounds of set pixels, inclusive pixel indices; null when nothing is set. */
export interface MaskStats {
  areaPx: number;
  /** Centre of mass of pixel centres, mask-local pixels. */
  centroidXy: PointXy;
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export function maskStats(mask: Uint8Array, widthPx: number, heightPx: number): MaskStats | null {
  let area = 0;
  let sumX = 0;
  let sumY = 0;
  let minX = widthPx;
  let minY = heightPx;
  let maxX = -1;
  let maxY = -1;
  for (let y = 0; y < heightPx; y++) {
    const row = y * widthPx;
    let rowCount = 0;
    let rowSumX = 0;
    for (let x = 0; x < widthPx; x++) {
      if (mask[row + x] !== 0) {
        rowCount++;
        rowSumX += x;
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
      }
    }
    if (rowCount > 0) {
      area += rowCount;
      sumX += rowSumX;
      sumY += rowCount * y;
      if (y < minY) minY = y;
      maxY = y;
    }
  }
  if (area === 0) return null;
  return { areaPx: area, centroidXy: [sumX / area + 0.5, sumY / area + 0.5], minX, minY, maxX, maxY };
}

function findRoot(r: number): number {
  let root = r;
  while (runParent[root] !== root) root = runParent[root];
  while (runParent[r] !== root) {
    const next = runParent[r];
    runParent[r] = root;
    r = next;
  }
  return root;
}

/**
 * Largest 8-connected component inside the given bounds, by run-length labelling (runs per row,
 * union-find between overlapping runs of neighbouring rows): work is per run, not per pixel
 * neighbourhood. Leaves that component's pixels set to 1 in `memberScratch` (indices
 * `y * widthPx + x`; valid only inside the bounds) and returns its first pixel in raster order.
 */
function largestComponent(
  mask: Uint8Array,
  widthPx: number,
  b: { minX: number; minY: number; maxX: number; maxY: number },
): { sizePx: number; startX: number; startY: number } {
  const boxW = b.maxX - b.minX + 1;
  const boxH = b.maxY - b.minY + 1;
  ensureScratch(widthPx * (b.maxY + 1), ((boxW + 1) >> 1) * boxH + 1);
  let n = 0;
  let prevFirst = 0; // runs of the previous row are [prevFirst, rowFirst)
  for (let y = b.minY; y <= b.maxY; y++) {
    const rowFirst = n;
    const row = y * widthPx;
    let x = b.minX;
    while (x <= b.maxX) {
      if (mask[row + x] === 0) {
        x++;
        continue;
      }
      const xs = x;
      while (x <= b.maxX && mask[row + x] !== 0) x++;
      runRow[n] = y;
      runStart[n] = xs;
      runEnd[n] = x - 1;
      runParent[n] = n;
      runSize[n] = x - xs;
      n++;
    }
    if (y > b.minY) {
      // Two pointers over the previous row; 8-connectivity widens each run by one pixel.
      let p = prevFirst;
      for (let r = rowFirst; r < n; r++) {
        while (p < rowFirst && runEnd[p] < runStart[r] - 1) p++;
        for (let q = p; q < rowFirst && runStart[q] <= runEnd[r] + 1; q++) {
          const ra = findRoot(r);
          const rb = findRoot(q);
          if (ra === rb) continue;
          // The lower run index becomes the root, so a root is its component's first run.
          const [lo, hi] = ra < rb ? [ra, rb] : [rb, ra];
          runParent[hi] = lo;
          runSize[lo] += runSize[hi];
        }
      }
    }
    prevFirst = rowFirst;
  }
  let best = -1;
  for (let r = 0; r < n; r++) if (runParent[r] === r && (best < 0 || runSize[r] > runSize[best])) best = r;
  const member = memberScratch;
  for (let y = b.minY; y <= b.maxY; y++) member.fill(0, y * widthPx + b.minX, y * widthPx + b.maxX + 1);
  for (let r = 0; r < n; r++) {
    if (findRoot(r) === best)
      member.fill(1, runRow[r] * widthPx + runStart[r], runRow[r] * widthPx + runEnd[r] + 1);
  }
  return { sizePx: runSize[best], startX: runStart[best], startY: runRow[best] };
}

// Direction d: 0 = +x, 1 = +y, 2 = -x, 3 = -y. For a walk with the component on the right-hand
// side, the pixels just ahead-left / ahead-right of vertex (vx, vy) are at these offsets.
const STEP_X = [1, 0, -1, 0];
const STEP_Y = [0, 1, 0, -1];
const AHEAD_LEFT_X = [0, 0, -1, -1];
const AHEAD_LEFT_Y = [-1, 0, 0, -1];
const AHEAD_RIGHT_X = [0, -1, -1, 0];
const AHEAD_RIGHT_Y = [0, 0, -1, -1];

/**
 * Outer boundary of one component, walked along pixel edges (crack following), clockwise on
 * screen. `isSet(x, y)` must return false outside the mask. Starts at the top-left corner of
 * `(startX, startY)`, which must be the component's first pixel in raster order. Returns only the
 * corner vertices, as a flat [x0, y0, x1, y1, ...] array in mask-local corner coordinates.
 */
export function traceOuterContour(
  isSet: (x: number, y: number) => boolean,
  startX: number,
  startY: number,
  maxSteps = 1 << 26,
): number[] {
  const pts: number[] = [];
  let vx = startX;
  let vy = startY;
  let d = 0;
  for (let steps = 0; steps < maxSteps; steps++) {
    vx += STEP_X[d];
    vy += STEP_Y[d];
    const left = isSet(vx + AHEAD_LEFT_X[d], vy + AHEAD_LEFT_Y[d]);
    // 8-connectivity: a set ahead-left pixel is joined to ours (edge or diagonal), so turn towards it.
    const nd = left ? (d + 3) & 3 : isSet(vx + AHEAD_RIGHT_X[d], vy + AHEAD_RIGHT_Y[d]) ? d : (d + 1) & 3;
    if (nd !== d) pts.push(vx, vy);
    d = nd;
    if (vx === startX && vy === startY && d === 0) break;
  }
  return pts;
}

/** Shoelace area of a closed polygon; positive when clockwise on screen (y down). */
export function polygonAreaSigned(points: readonly PointXy[]): number {
  let s = 0;
  for (let i = 0, n = points.length; i < n; i++) {
    const a = points[i];
    const b = points[(i + 1) % n];
    s += a[0] * b[1] - b[0] * a[1];
  }
  return s / 2;
}

/**
 * Douglas–Peucker simplification of a closed polygon: keeps vertices further than `epsilonPx`
 * from the chord of the part they belong to. The ring is split at vertex 0 and the vertex
 * farthest from it, so the result does not depend on a chord between two neighbours.
 */
export function simplifyClosedPolygon(points: readonly PointXy[], epsilonPx: number): PointXy[] {
  const n = points.length;
  if (n <= 3) return points.map((p) => [p[0], p[1]] as PointXy);
  let far = 0;
  let farD2 = -1;
  for (let i = 1; i < n; i++) {
    const dx = points[i][0] - points[0][0];
    const dy = points[i][1] - points[0][1];
    const d2 = dx * dx + dy * dy;
    if (d2 > farD2) {
      farD2 = d2;
      far = i;
    }
  }
  const keep = new Uint8Array(n + 1);
  keep[0] = 1;
  keep[far] = 1;
  keep[n] = 1;
  const at = (i: number): PointXy => points[i === n ? 0 : i];
  const eps2 = epsilonPx * epsilonPx;
  const stack: number[] = [0, far, far, n];
  while (stack.length > 0) {
    const j = stack.pop()!;
    const i = stack.pop()!;
    if (j - i < 2) continue;
    const [ax, ay] = at(i);
    const [bx, by] = at(j);
    const ex = bx - ax;
    const ey = by - ay;
    const len2 = ex * ex + ey * ey;
    let worst = -1;
    let worstD2 = eps2;
    for (let k = i + 1; k < j; k++) {
      const [px, py] = at(k);
      let d2: number;
      if (len2 === 0) d2 = (px - ax) ** 2 + (py - ay) ** 2;
      else {
        const cross = ex * (py - ay) - ey * (px - ax);
        d2 = (cross * cross) / len2;
      }
      if (d2 > worstD2) {
        worstD2 = d2;
        worst = k;
      }
    }
    if (worst >= 0) {
      keep[worst] = 1;
      stack.push(i, worst, worst, j);
    }
  }
  const out: PointXy[] = [];
  for (let i = 0; i < n; i++) if (keep[i]) out.push([points[i][0], points[i][1]]);
  return out;
}

/** Convex hull (Andrew's monotone chain), counter-clockwise in y-up terms, no collinear points. */
export function convexHull(points: readonly PointXy[]): PointXy[] {
  const pts = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (pts.length <= 2) return pts.map((p) => [p[0], p[1]] as PointXy);
  const cross = (o: PointXy, a: PointXy, b: PointXy): number =>
    (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: PointXy[] = [];
  for (const p of pts) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: PointXy[] = [];
  for (let i = pts.length - 1; i >= 0; i--) {
    const p = pts[i];
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], p) <= 0) upper.pop();
    upper.push(p);
  }
  lower.pop();
  upper.pop();
  return lower.concat(upper).map((p) => [p[0], p[1]] as PointXy);
}

/** Maps any angle to the orientation range (-90, 90]. */
export function normalizeAngleDeg(angleDeg: number): number {
  let a = angleDeg % 180;
  if (a <= -90) a += 180;
  if (a > 90) a -= 180;
  return a;
}

export interface RotatedRect {
  centreXy: PointXy;
  /** Length of the longer side. */
  lengthPx: number;
  /** Length of the shorter side. */
  widthPx: number;
  /**
   * Direction of the longer side, degrees in (-90, 90], 0 = +x, positive towards +y (clockwise on
   * screen). A square reports the side whose angle lies in (-45, 45].
   */
  angleDeg: number;
}

/**
 * Minimum-area enclosing rectangle of a convex hull. One side of the optimum is collinear with a
 * hull edge (Freeman & Shapira 1975), so each edge direction is tried with its calipers (min/max
 * projections). O(h²) in hull size, which is tiny for pixel masks (tens of vertices).
 */
export function minAreaRect(hull: readonly PointXy[]): RotatedRect {
  const n = hull.length;
  if (n === 0) return { centreXy: [0, 0], lengthPx: 0, widthPx: 0, angleDeg: 0 };
  let best: { area: number; ux: number; uy: number; s0: number; s1: number; t0: number; t1: number } | null =
    null;
  for (let i = 0; i < n; i++) {
    const a = hull[i];
    const b = hull[(i + 1) % n];
    const ex = b[0] - a[0];
    const ey = b[1] - a[1];
    const len = Math.hypot(ex, ey);
    if (len === 0) continue;
    const ux = ex / len;
    const uy = ey / len;
    let s0 = Infinity;
    let s1 = -Infinity;
    let t0 = Infinity;
    let t1 = -Infinity;
    for (const p of hull) {
      const s = p[0] * ux + p[1] * uy;
      const t = -p[0] * uy + p[1] * ux;
      if (s < s0) s0 = s;
      if (s > s1) s1 = s;
      if (t < t0) t0 = t;
      if (t > t1) t1 = t;
    }
    const area = (s1 - s0) * (t1 - t0);
    if (!best || area < best.area - 1e-9 * Math.max(1, best.area)) best = { area, ux, uy, s0, s1, t0, t1 };
  }
  if (!best) return { centreXy: [hull[0][0], hull[0][1]], lengthPx: 0, widthPx: 0, angleDeg: 0 };
  const { ux, uy, s0, s1, t0, t1 } = best;
  const sMid = (s0 + s1) / 2;
  const tMid = (t0 + t1) / 2;
  const centreXy: PointXy = [sMid * ux - tMid * uy, sMid * uy + tMid * ux];
  const lenS = s1 - s0;
  const lenT = t1 - t0;
  const along = Math.atan2(uy, ux) * (180 / Math.PI);
  let angleDeg: number;
  if (Math.abs(lenS - lenT) <= 1e-9 * Math.max(1, lenS)) {
    // Square: any side will do; pick the one nearest the x axis so the answer is unique.
    angleDeg = normalizeAngleDeg(along);
    if (angleDeg > 45) angleDeg -= 90;
    else if (angleDeg <= -45) angleDeg += 90;
  } else {
    angleDeg = normalizeAngleDeg(lenS > lenT ? along : along + 90);
  }
  return { centreXy, lengthPx: Math.max(lenS, lenT), widthPx: Math.min(lenS, lenT), angleDeg };
}

/**
 * Row-major RLE of the `cropW × cropH` window at (`cropX`, `cropY`) of a mask, starting with a run
 * of zeros (possibly 0), alternating zeros/ones (see `MaskRle`). Defaults to the whole mask.
 */
export function encodeRle(
  mask: Uint8Array,
  widthPx: number,
  heightPx: number,
  cropX = 0,
  cropY = 0,
  cropW = widthPx - cropX,
  cropH = heightPx - cropY,
): MaskRle {
  const counts: number[] = [];
  let current = 0;
  let run = 0;
  for (let y = cropY; y < cropY + cropH; y++) {
    const row = y * widthPx;
    for (let x = cropX; x < cropX + cropW; x++) {
      const v = mask[row + x] !== 0 ? 1 : 0;
      if (v === current) run++;
      else {
        counts.push(run);
        current = v;
        run = 1;
      }
    }
  }
  counts.push(run);
  return { width: cropW, height: cropH, counts };
}

/** Inverse of `encodeRle`: a `width × height` mask of 0/1 bytes. Throws when the runs do not fit. */
export function decodeRle(rle: MaskRle): Uint8Array {
  const total = rle.width * rle.height;
  const out = new Uint8Array(total);
  let pos = 0;
  for (let k = 0; k < rle.counts.length; k++) {
    const run = rle.counts[k];
    if (!(run >= 0) || pos + run > total) throw new RangeError(`RLE runs exceed ${rle.width}x${rle.height}`);
    if (k % 2 === 1) out.fill(1, pos, pos + run);
    pos += run;
  }
  if (pos !== total) throw new RangeError(`RLE covers ${pos} pixels, expected ${total}`);
  return out;
}

export interface MaskInfoOptions {
  /** Douglas–Peucker tolerance for the polygon, pixels. */
  simplifyEpsilonPx?: number;
  /** Include the RLE (cropped to the set pixels' bounds). Default true. */
  includeRle?: boolean;
}

/**
 * Measures a binary mask whose top-left pixel sits at `originXy` in image pixels.
 * - `areaPx`, `centroid`: over all set pixels (centroid of pixel centres).
 * - `polygon`: outer pixel-edge boundary of the largest 8-connected component, simplified by
 *   Douglas–Peucker (default ε = 1 px). Holes are not represented.
 * - `angleDeg`: orientation of the longer side of the minimum-area rectangle around the largest
 *   component (its pixel squares, not centres); see the module conventions. Specks elsewhere in
 *   the mask therefore do not swing the angle.
 * - `rle` + `originXy`: the mask cropped to the bounds of its set pixels.
 * Returns null when no pixel is set.
 */
export function maskInfoFromBinary(
  mask: Uint8Array,
  widthPx: number,
  heightPx: number,
  originXy: PointXy = [0, 0],
  options: MaskInfoOptions = {},
): MaskInfo | null {
  if (mask.length < widthPx * heightPx)
    throw new RangeError(`mask has ${mask.length} bytes, expected ${widthPx}x${heightPx}`);
  const stats = maskStats(mask, widthPx, heightPx);
  if (!stats) return null;
  const [ox, oy] = originXy;
  const comp = largestComponent(mask, widthPx, stats);
  const member = memberScratch;
  // Membership outside the bounds is stale from earlier calls, hence the bounds test.
  const { minX, minY, maxX, maxY } = stats;
  const isSet = (x: number, y: number): boolean =>
    x >= minX && y >= minY && x <= maxX && y <= maxY && member[y * widthPx + x] === 1;
  const flat = traceOuterContour(isSet, comp.startX, comp.startY, 4 * (widthPx + 2) * (heightPx + 2));
  const contour: PointXy[] = [];
  for (let i = 0; i < flat.length; i += 2) contour.push([flat[i], flat[i + 1]]);
  const rect = minAreaRect(convexHull(contour));
  const polygon = simplifyClosedPolygon(contour, options.simplifyEpsilonPx ?? 1).map(
    (p) => [p[0] + ox, p[1] + oy] as PointXy,
  );
  const info: MaskInfo = {
    areaPx: stats.areaPx,
    polygon,
    angleDeg: rect.angleDeg,
    centroid: [stats.centroidXy[0] + ox, stats.centroidXy[1] + oy],
  };
  if (options.includeRle ?? true) {
    info.rle = encodeRle(
      mask,
      widthPx,
      heightPx,
      stats.minX,
      stats.minY,
      stats.maxX - stats.minX + 1,
      stats.maxY - stats.minY + 1,
    );
    info.originXy = [ox + stats.minX, oy + stats.minY];
  }
  return info;
}
