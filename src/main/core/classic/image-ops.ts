/**
 * Low-level image operations of the classic detector, on packed RGB24 and on binary masks
 * (one byte per pixel, 0 or 1). Written as flat loops over typed arrays: they run on every frame.
 */

/**
 * How a full frame maps onto the processing grid: block-averaging by an integer `factor`, with
 * partial blocks at the right and bottom edges (so no full-frame pixel is ever ignored).
 */
export interface ProcessingGrid {
  widthPx: number;
  heightPx: number;
  factor: number;
  smallWidthPx: number;
  smallHeightPx: number;
  /** Full-frame pixels covered by each processing column / row (f, except possibly the last). */
  colWidthPx: Int32Array;
  rowHeightPx: Int32Array;
}

export function makeProcessingGrid(
  widthPx: number,
  heightPx: number,
  maxProcessingWidthPx: number,
): ProcessingGrid {
  const factor = Math.max(1, Math.ceil(widthPx / maxProcessingWidthPx));
  const smallWidthPx = Math.ceil(widthPx / factor);
  const smallHeightPx = Math.ceil(heightPx / factor);
  const colWidthPx = new Int32Array(smallWidthPx);
  for (let c = 0; c < smallWidthPx; c++) colWidthPx[c] = Math.min(factor, widthPx - c * factor);
  const rowHeightPx = new Int32Array(smallHeightPx);
  for (let r = 0; r < smallHeightPx; r++) rowHeightPx[r] = Math.min(factor, heightPx - r * factor);
  return { widthPx, heightPx, factor, smallWidthPx, smallHeightPx, colWidthPx, rowHeightPx };
}

/**
 * Block-average `rgb` (full frame) into `small` (processing grid, RGB24). `acc` is scratch of
 * at least `smallWidthPx * 3` entries. Averaging (not sampling) is what makes the small image
 * calm: sensor noise and GIF dithering shrink by the block size.
 */
export function downscaleRgb(
  rgb: Uint8Array,
  grid: ProcessingGrid,
  small: Uint8Array,
  acc: Uint32Array,
): void {
  const { widthPx, factor, smallWidthPx, smallHeightPx, colWidthPx, rowHeightPx } = grid;
  for (let r = 0; r < smallHeightPx; r++) {
    acc.fill(0, 0, smallWidthPx * 3);
    const yStart = r * factor;
    const yEnd = yStart + rowHeightPx[r];
    for (let y = yStart; y < yEnd; y++) {
      let i = y * widthPx * 3;
      // Sum each block's row segment in locals, then touch the accumulator once per block.
      for (let c = 0, a = 0; c < smallWidthPx; c++, a += 3) {
        let r0 = 0;
        let g0 = 0;
        let b0 = 0;
        const end = i + colWidthPx[c] * 3;
        for (; i < end; i += 3) {
          r0 += rgb[i];
          g0 += rgb[i + 1];
          b0 += rgb[i + 2];
        }
        acc[a] += r0;
        acc[a + 1] += g0;
        acc[a + 2] += b0;
      }
    }
    const rowH = rowHeightPx[r];
    let o = r * smallWidthPx * 3;
    for (let c = 0; c < smallWidthPx; c++) {
      const n = colWidthPx[c] * rowH;
      const half = n >> 1;
      const a = c * 3;
      small[o] = ((acc[a] + half) / n) | 0;
      small[o + 1] = ((acc[a + 1] + half) / n) | 0;
      small[o + 2] = ((acc[a + 2] + half) / n) | 0;
      o += 3;
    }
  }
}

/**
 * Per-element lower median of `count` equally sized byte planes stored back to back in `stack`,
 * written into `out`. Quickselect per element keeps it O(count) rather than a full sort.
 */
export function medianOfStack(stack: Uint8Array, count: number, planeLength: number, out: Uint8Array): void {
  const values = new Uint8Array(count);
  const k = (count - 1) >> 1;
  for (let e = 0; e < planeLength; e++) {
    for (let j = 0; j < count; j++) values[j] = stack[j * planeLength + e];
    out[e] = quickselect(values, count, k);
  }
}

function quickselect(a: Uint8Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

/**
 * Thresholds the colour distance |ΔR|+|ΔG|+|ΔB| between `small` and `background`: `fg` gets 1
 * where it reaches `threshold`. Colour, not grey: a navy part on a grey belt can have the same
 * luma. Returns the count set.
 */
export function thresholdDifference(
  small: Uint8Array,
  background: Uint8Array,
  pixelCount: number,
  threshold: number,
  fg: Uint8Array,
): number {
  let set = 0;
  for (let p = 0, i = 0; p < pixelCount; p++, i += 3) {
    const dr = small[i] - background[i];
    const dg = small[i + 1] - background[i + 1];
    const db = small[i + 2] - background[i + 2];
    const d = (dr < 0 ? -dr : dr) + (dg < 0 ? -dg : dg) + (db < 0 ? -db : db);
    const on = d >= threshold ? 1 : 0;
    fg[p] = on;
    set += on;
  }
  return set;
}

/**
 * One pass of a binary min (erode) or max (dilate) over a window of `2 * radius + 1` along rows
 * (`horizontal`) or columns, using running sums so the cost does not grow with the kernel. The
 * window is clipped at the buffer border (see Morphology for why a margin surrounds the image).
 */
function binaryWindowPass(
  src: Uint8Array,
  dst: Uint8Array,
  widthPx: number,
  heightPx: number,
  radius: number,
  horizontal: boolean,
  erode: boolean,
): void {
  const lineCount = horizontal ? heightPx : widthPx;
  const lineLength = horizontal ? widthPx : heightPx;
  const step = horizontal ? 1 : widthPx;
  for (let line = 0; line < lineCount; line++) {
    const base = horizontal ? line * widthPx : line;
    // Count of set pixels inside the window [pos - radius, pos + radius] ∩ [0, lineLength).
    let count = 0;
    for (let t = 0; t < radius && t < lineLength; t++) count += src[base + t * step];
    for (let pos = 0; pos < lineLength; pos++) {
      const enter = pos + radius;
      if (enter < lineLength) count += src[base + enter * step];
      const leave = pos - radius - 1;
      if (leave >= 0) count -= src[base + leave * step];
      const lo = pos - radius < 0 ? 0 : pos - radius;
      const hi = enter < lineLength ? enter : lineLength - 1;
      const windowLength = hi - lo + 1;
      dst[base + pos * step] = erode ? (count === windowLength ? 1 : 0) : count > 0 ? 1 : 0;
    }
  }
}

/** Square erosion or dilation, separable, in place: `scratch` must be as large as the mask. */
export function binaryMorph(
  mask: Uint8Array,
  scratch: Uint8Array,
  widthPx: number,
  heightPx: number,
  kernelPx: number,
  erode: boolean,
): void {
  const radius = kernelPx >> 1;
  if (radius === 0) return;
  binaryWindowPass(mask, scratch, widthPx, heightPx, radius, true, erode);
  binaryWindowPass(scratch, mask, widthPx, heightPx, radius, false, erode);
}

/**
 * Opening then closing, in place, with the plain-image semantics of a mask that is empty outside
 * the frame. The mask is worked on inside a zero margin as wide as the larger kernel radius: a
 * clipped window alone would make closing grow a part that is near (not touching) the edge out
 * to the edge, shifting its centroid.
 */
export class Morphology {
  private padded = new Uint8Array(0);
  private scratch = new Uint8Array(0);

  openThenClose(
    mask: Uint8Array,
    widthPx: number,
    heightPx: number,
    openKernelPx: number,
    closeKernelPx: number,
  ): void {
    const marginPx = Math.max(openKernelPx, closeKernelPx) >> 1;
    if (marginPx === 0) return;
    const paddedWidthPx = widthPx + 2 * marginPx;
    const paddedHeightPx = heightPx + 2 * marginPx;
    const n = paddedWidthPx * paddedHeightPx;
    if (this.padded.length < n) {
      this.padded = new Uint8Array(n);
      this.scratch = new Uint8Array(n);
    }
    const padded = this.padded.subarray(0, n);
    padded.fill(0);
    for (let y = 0; y < heightPx; y++) {
      padded.set(mask.subarray(y * widthPx, (y + 1) * widthPx), (y + marginPx) * paddedWidthPx + marginPx);
    }
    const scratch = this.scratch;
    binaryMorph(padded, scratch, paddedWidthPx, paddedHeightPx, openKernelPx, true);
    binaryMorph(padded, scratch, paddedWidthPx, paddedHeightPx, openKernelPx, false);
    binaryMorph(padded, scratch, paddedWidthPx, paddedHeightPx, closeKernelPx, false);
    binaryMorph(padded, scratch, paddedWidthPx, paddedHeightPx, closeKernelPx, true);
    for (let y = 0; y < heightPx; y++) {
      const from = (y + marginPx) * paddedWidthPx + marginPx;
      mask.set(padded.subarray(from, from + widthPx), y * widthPx);
    }
  }
}

/** Ratio histogram resolution: bins of 1/128 over [0, 4). */
const GAIN_BINS_PER_UNIT = 128;
const GAIN_BINS = 4 * GAIN_BINS_PER_UNIT;
/** Background channel values below this say little about a ratio (dark pixels are mostly noise). */
const GAIN_MIN_BACKGROUND = 16;

/**
 * Per-channel median of frame / background over the pixels whose background is bright enough,
 * written to `gains` (3 values). The median ignores objects as long as they cover less than half
 * of those pixels; with too few usable pixels the gain stays 1. `hist` is scratch of 3 × 512.
 */
export function estimateChannelGains(
  small: Uint8Array,
  background: Float32Array,
  pixelCount: number,
  gains: Float64Array,
  hist: Uint32Array,
): void {
  hist.fill(0);
  let used = 0;
  for (let p = 0, i = 0; p < pixelCount; p++, i += 3) {
    const br = background[i];
    const bg = background[i + 1];
    const bb = background[i + 2];
    if (br < GAIN_MIN_BACKGROUND || bg < GAIN_MIN_BACKGROUND || bb < GAIN_MIN_BACKGROUND) continue;
    used++;
    hist[Math.min(GAIN_BINS - 1, ((small[i] / br) * GAIN_BINS_PER_UNIT) | 0)]++;
    hist[GAIN_BINS + Math.min(GAIN_BINS - 1, ((small[i + 1] / bg) * GAIN_BINS_PER_UNIT) | 0)]++;
    hist[2 * GAIN_BINS + Math.min(GAIN_BINS - 1, ((small[i + 2] / bb) * GAIN_BINS_PER_UNIT) | 0)]++;
  }
  for (let c = 0; c < 3; c++) {
    if (used < 16) {
      gains[c] = 1;
      continue;
    }
    const half = used / 2;
    let acc = 0;
    let bin = 0;
    for (; bin < GAIN_BINS; bin++) {
      acc += hist[c * GAIN_BINS + bin];
      if (acc >= half) break;
    }
    gains[c] = (bin + 0.5) / GAIN_BINS_PER_UNIT;
  }
}

/** `out` = background × per-channel gain, rounded and clamped to a byte. */
export function scaleBackground(
  background: Float32Array,
  gains: Float64Array,
  pixelCount: number,
  out: Uint8Array,
): void {
  const g0 = gains[0];
  const g1 = gains[1];
  const g2 = gains[2];
  for (let p = 0, i = 0; p < pixelCount; p++, i += 3) {
    out[i] = Math.min(255, Math.round(background[i] * g0));
    out[i + 1] = Math.min(255, Math.round(background[i + 1] * g1));
    out[i + 2] = Math.min(255, Math.round(background[i + 2] * g2));
  }
}

/**
 * Running average: background += rate × (frame − background), only where `covered` is 0 (no
 * object), so a slow lighting drift is followed while a part that stops is not absorbed.
 */
export function blendBackground(
  background: Float32Array,
  small: Uint8Array,
  covered: Uint8Array,
  pixelCount: number,
  rate: number,
): void {
  for (let p = 0, i = 0; p < pixelCount; p++, i += 3) {
    if (covered[p] !== 0) continue;
    background[i] += rate * (small[i] - background[i]);
    background[i + 1] += rate * (small[i + 1] - background[i + 1]);
    background[i + 2] += rate * (small[i + 2] - background[i + 2]);
  }
}
