/**
 * Finding a checkerboard's inner corners in a grey image, for calibration against a printed target.
 *
 * 1. Saddle response: at every pixel, the ring of 16 samples at radius r around an inner corner
 *    (an X junction) goes light-dark-light-dark; across an edge or an outer (L) corner it does not.
 *    Response = |sum of opposite-quadrant differences| (after the ChESS detector, Bennett & Lasenby
 *    2014), minus the edge term, so edges and plain areas score ≈ 0.
 * 2. The strongest well-separated peaks that alternate four times around the ring are kept.
 * 3. Ordering: the four extreme points (max/min of x+y and x−y) are the grid's corners; the
 *    homography from them to grid units puts every corner on an integer (row, col), which must fill
 *    the grid exactly once.
 * 4. Each corner is refined to sub-pixel as the point every nearby image gradient is orthogonal to
 *    (the gradient at p is perpendicular to p − corner on both edges through a saddle; the
 *    least-squares solution of Σ g gᵀ (p − q) = 0, as OpenCV's cornerSubPix does).
 *
 * Works for a board seen roughly upright (rotation well under 45°) filling a fair part of the image;
 * anything else is refused with the reason rather than guessed.
 */
import type { PointXy } from '../../shared/detection';
import { applyHomography, type Homography3x3 } from './calibration';
import { solveHomography } from './calibration-solver';

export interface GreyImage {
  /** Row-major, one byte per pixel. */
  data: Uint8Array;
  widthPx: number;
  heightPx: number;
}

export type CornerResult =
  { ok: true; cornersPx: PointXy[] } | { ok: false; reason: 'notFound' | 'ambiguous'; message: string };

const RING = 16;

function ringOffsets(radius: number): PointXy[] {
  return Array.from({ length: RING }, (_, i): PointXy => {
    const a = (2 * Math.PI * i) / RING;
    return [Math.round(radius * Math.cos(a)), Math.round(radius * Math.sin(a))];
  });
}

/** ChESS-style saddle response per pixel (0 at the borders). */
export function saddleResponse(img: GreyImage, radius: number): Float32Array {
  const { data, widthPx: w, heightPx: h } = img;
  const ring = ringOffsets(radius);
  const out = new Float32Array(w * h);
  const s = new Float64Array(RING);
  for (let y = radius; y < h - radius; y++)
    for (let x = radius; x < w - radius; x++) {
      let mean = 0;
      for (let i = 0; i < RING; i++) {
        s[i] = data[(y + ring[i]![1]) * w + x + ring[i]![0]]!;
        mean += s[i]!;
      }
      mean /= RING;
      let sum = 0;
      let diff = 0;
      for (let i = 0; i < 4; i++) {
        // Opposite points alike, quarter-turned points opposite: a saddle.
        sum += Math.abs(s[i]! + s[i + 8]! - s[i + 4]! - s[i + 12]!);
        diff += Math.abs(s[i]! - s[i + 8]!) + Math.abs(s[i + 4]! - s[i + 12]!);
      }
      const local = data[y * w + x]!;
      out[y * w + x] = Math.max(0, sum - diff - 4 * Math.abs(local - mean));
    }
  return out;
}

/** Sub-pixel corner position; returns the start point when the window has no usable gradient. */
export function refineCorner(img: GreyImage, start: PointXy, halfWindow: number, iterations = 4): PointXy {
  const { data, widthPx: w, heightPx: h } = img;
  let [qx, qy] = start;
  for (let it = 0; it < iterations; it++) {
    const cx = Math.round(qx);
    const cy = Math.round(qy);
    let a = 0;
    let b = 0;
    let c = 0;
    let bx = 0;
    let by = 0;
    for (let y = cy - halfWindow; y <= cy + halfWindow; y++)
      for (let x = cx - halfWindow; x <= cx + halfWindow; x++) {
        if (x < 1 || y < 1 || x >= w - 1 || y >= h - 1) continue;
        const gx = (data[y * w + x + 1]! - data[y * w + x - 1]!) / 2;
        const gy = (data[(y + 1) * w + x]! - data[(y - 1) * w + x]!) / 2;
        a += gx * gx;
        b += gx * gy;
        c += gy * gy;
        bx += gx * gx * x + gx * gy * y;
        by += gx * gy * x + gy * gy * y;
      }
    const det = a * c - b * b;
    if (!(Math.abs(det) > 1e-9)) return start;
    const nx = (c * bx - b * by) / det;
    const ny = (a * by - b * bx) / det;
    // A step of more than the window means the fit lost the corner: keep the last good point.
    if (Math.hypot(nx - start[0], ny - start[1]) > halfWindow) return [qx, qy];
    const moved = Math.hypot(nx - qx, ny - qy);
    qx = nx;
    qy = ny;
    if (moved < 0.01) break;
  }
  return [qx, qy];
}

function alternatesFourTimes(img: GreyImage, x: number, y: number, radius: number): boolean {
  const ring = ringOffsets(radius);
  const v = ring.map(([dx, dy]) => img.data[(y + dy) * img.widthPx + x + dx]!);
  const mid = (Math.max(...v) + Math.min(...v)) / 2;
  let changes = 0;
  for (let i = 0; i < RING; i++) if (v[i]! > mid !== v[(i + 1) % RING]! > mid) changes++;
  return changes === 4;
}

/**
 * The inner corners of a board with `rows × cols` squares ((rows − 1) × (cols − 1) corners), row
 * by row from the top-left, in image pixels.
 */
export function findCheckerboardCorners(
  img: GreyImage,
  board: { rows: number; cols: number },
  opts: { radiusPx?: number } = {},
): CornerResult {
  const nr = board.rows - 1;
  const nc = board.cols - 1;
  const want = nr * nc;
  const radius = opts.radiusPx ?? Math.max(3, Math.round(Math.min(img.widthPx, img.heightPx) / 80));
  const resp = saddleResponse(img, radius);
  const w = img.widthPx;
  let max = 0;
  for (const v of resp) max = Math.max(max, v);
  if (max === 0) return { ok: false, reason: 'notFound', message: 'no checkerboard corners in the picture' };
  // Local maxima above a share of the strongest, at least `radius` apart.
  const peaks: { x: number; y: number; v: number }[] = [];
  const r = radius;
  for (let y = r; y < img.heightPx - r; y++)
    for (let x = r; x < w - r; x++) {
      const v = resp[y * w + x]!;
      if (v < 0.2 * max) continue;
      let isMax = true;
      for (let dy = -r; dy <= r && isMax; dy++)
        for (let dx = -r; dx <= r; dx++) {
          const o = resp[(y + dy) * w + x + dx]!;
          if (o > v || (o === v && (dy < 0 || (dy === 0 && dx < 0)))) {
            isMax = false;
            break;
          }
        }
      if (isMax && alternatesFourTimes(img, x, y, radius)) peaks.push({ x, y, v });
    }
  peaks.sort((a, b) => b.v - a.v);
  if (peaks.length < want)
    return {
      ok: false,
      reason: 'notFound',
      message: `found ${peaks.length} of the ${want} inner corners of a ${board.rows}×${board.cols} board; check the size, focus and lighting`,
    };
  const pts = peaks.slice(0, want).map((p) => refineCorner(img, [p.x, p.y], radius));
  const pick = (f: (p: PointXy) => number, sign: 1 | -1): PointXy =>
    pts.reduce((best, p) => (sign * f(p) > sign * f(best) ? p : best));
  const tl = pick((p) => p[0] + p[1], -1);
  const br = pick((p) => p[0] + p[1], 1);
  const tr = pick((p) => p[0] - p[1], 1);
  const bl = pick((p) => p[0] - p[1], -1);
  const frame = solveHomography([
    { pixel: tl, mm: [0, 0] },
    { pixel: tr, mm: [nc - 1, 0] },
    { pixel: br, mm: [nc - 1, nr - 1] },
    { pixel: bl, mm: [0, nr - 1] },
  ]);
  if (!frame.ok)
    return { ok: false, reason: 'ambiguous', message: `cannot order the corners: ${frame.message}` };
  const grid: (PointXy | null)[] = new Array<PointXy | null>(want).fill(null);
  for (const p of pts) {
    const [gc, gr] = applyHomography(frame.homography as Homography3x3, p);
    const c = Math.round(gc);
    const rr = Math.round(gr);
    if (
      Math.abs(gc - c) > 0.3 ||
      Math.abs(gr - rr) > 0.3 ||
      c < 0 ||
      c >= nc ||
      rr < 0 ||
      rr >= nr ||
      grid[rr * nc + c]
    )
      return {
        ok: false,
        reason: 'ambiguous',
        message: 'the corners do not form a regular grid; show the whole board, roughly upright',
      };
    grid[rr * nc + c] = p;
  }
  return { ok: true, cornersPx: grid as PointXy[] };
}
