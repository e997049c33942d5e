/**
 * Instance masks from YOLOv8/11-seg prototypes, rasterised straight into original-image pixels.
 *
 * Prototypes are `[1, nm, Hp, Wp]` (nm = 32, Hp × Wp = input / 4). A detection's mask logit at
 * proto cell (i, j) is `Σ_k coef[k] · protos[k, j, i]`; the mask is sigmoid(logit) > 0.5, i.e.
 * logit > 0. Only the proto cells under the detection box are evaluated (nm multiply-adds each),
 * then each original-image pixel inside the box samples that logit patch **bilinearly**
 * (pixel-centre aligned, like `F.interpolate(..., align_corners=False)`, clamped at the proto
 * border) and is set when the interpolated logit is > 0.
 *
 * Compared with Ultralytics (sigmoid → crop in proto space → bilinear upsample to input → bilinear
 * resize to the image → > 0.5) this interpolates the logit once, straight to image pixels, and
 * crops in image space (a pixel belongs to the box when its centre does). Boundaries agree to
 * within a pixel; the work is proportional to the box, not the image.
 */
import type { BoxXyxy, MaskInfo, PointXy } from '../../shared/detection';
import { unletterboxBoxXyxy, type Letterbox } from './geometry';
import { maskInfoFromBinary, type MaskInfoOptions } from './mask-geometry';
import type { RawTensor } from './tensor';

export interface BoxMask {
  /** Row-major 0/1, `widthPx × heightPx`, top-left pixel at `originXy` (original-image pixels). */
  mask: Uint8Array;
  widthPx: number;
  heightPx: number;
  originXy: PointXy;
}

// Reused between calls (single-threaded per isolate); they only grow.
let patchScratch = new Float64Array(0);
let rowScratch = new Float64Array(0);
let colIndexScratch = new Int32Array(0);
let colFracScratch = new Float64Array(0);
let maskScratch = new Uint8Array(0);

function grow<T extends Float64Array | Int32Array | Uint8Array>(
  buf: T,
  n: number,
  make: (n: number) => T,
): T {
  return buf.length >= n ? buf : make(Math.max(n, buf.length * 2));
}

/**
 * Bilinear source index and fraction along one axis for proto coordinate `q` (cell centres at k).
 * Two functions rather than one returning a pair: they run per mask row and column, every frame,
 * and a pair would be an array allocated each time.
 */
function axisIndex(q: number, cells: number): number {
  if (q <= 0) return 0;
  if (q >= cells - 1) return cells - 1;
  return Math.floor(q);
}
function axisFrac(q: number, cells: number): number {
  if (q <= 0 || q >= cells - 1) return 0;
  return q - Math.floor(q);
}

/**
 * Binary mask of one detection, in original-image pixels, covering the pixels whose centres lie
 * in the detection box. `coefs` = its `nm` mask coefficients; `boxInputXyxy` in model-input pixels.
 * Returns null when the box holds no image pixel. Writes into `out` when given (must be large
 * enough), else allocates.
 */
export function rasterizeProtoMask(
  coefs: ArrayLike<number>,
  protos: RawTensor,
  boxInputXyxy: BoxXyxy,
  lb: Letterbox,
  out?: Uint8Array,
): BoxMask | null {
  const [batch, nm, hp, wp] = protos.dims as [number, number, number, number];
  if (protos.dims.length !== 4 || batch !== 1)
    throw new RangeError(`expected protos [1, nm, Hp, Wp], got [${protos.dims.join(', ')}]`);
  if (coefs.length !== nm) throw new RangeError(`got ${coefs.length} mask coefficients for ${nm} prototypes`);

  // Image pixels whose centres fall inside the (clipped) box.
  const boxImg = unletterboxBoxXyxy(boxInputXyxy, lb);
  const x0 = Math.max(0, Math.ceil(boxImg[0] - 0.5));
  const y0 = Math.max(0, Math.ceil(boxImg[1] - 0.5));
  const x1 = Math.min(lb.srcWidthPx - 1, Math.floor(boxImg[2] - 0.5));
  const y1 = Math.min(lb.srcHeightPx - 1, Math.floor(boxImg[3] - 0.5));
  if (x1 < x0 || y1 < y0) return null;
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;

  // Image pixel centre → input pixels → proto coordinate with cell centres at integers.
  const protoPerInputX = wp / lb.dstWidthPx;
  const protoPerInputY = hp / lb.dstHeightPx;
  const qx = (x: number): number => ((x + 0.5) * lb.scale + lb.padLeftPx) * protoPerInputX - 0.5;
  const qy = (y: number): number =>
    ((y + 0.5) * (lb.scaleY ?? lb.scale) + lb.padTopPx) * protoPerInputY - 0.5;
  const pi0 = axisIndex(qx(x0), wp);
  const pj0 = axisIndex(qy(y0), hp);
  const pi1 = Math.min(wp - 1, axisIndex(qx(x1), wp) + 1);
  const pj1 = Math.min(hp - 1, axisIndex(qy(y1), hp) + 1);
  const pw = pi1 - pi0 + 1;
  const ph = pj1 - pj0 + 1;

  // Logit patch: k outermost so each prototype plane is read row by row.
  patchScratch = grow(patchScratch, pw * ph, (n) => new Float64Array(n));
  const patch = patchScratch;
  patch.fill(0, 0, pw * ph);
  const p = protos.data;
  const plane = hp * wp;
  for (let k = 0; k < nm; k++) {
    const c = coefs[k];
    if (c === 0) continue;
    const base = k * plane;
    for (let j = 0; j < ph; j++) {
      const src = base + (pj0 + j) * wp + pi0;
      const dst = j * pw;
      for (let i = 0; i < pw; i++) patch[dst + i] += c * p[src + i];
    }
  }

  colIndexScratch = grow(colIndexScratch, w, (n) => new Int32Array(n));
  colFracScratch = grow(colFracScratch, w, (n) => new Float64Array(n));
  rowScratch = grow(rowScratch, pw, (n) => new Float64Array(n));
  const colIdx = colIndexScratch;
  const colFrac = colFracScratch;
  const row = rowScratch;
  for (let x = 0; x < w; x++) {
    const q = qx(x0 + x);
    colIdx[x] = axisIndex(q, wp) - pi0;
    colFrac[x] = axisFrac(q, wp);
  }

  const mask = out ?? new Uint8Array(w * h);
  if (mask.length < w * h) throw new RangeError(`mask buffer holds ${mask.length} pixels, need ${w * h}`);
  for (let y = 0; y < h; y++) {
    const q = qy(y0 + y);
    const kj = axisIndex(q, hp);
    const fy = axisFrac(q, hp);
    const ra = (kj - pj0) * pw;
    const rb = fy > 0 ? ra + pw : ra;
    for (let i = 0; i < pw; i++) row[i] = patch[ra + i] * (1 - fy) + patch[rb + i] * fy;
    const o = y * w;
    for (let x = 0; x < w; x++) {
      const i = colIdx[x];
      const fx = colFrac[x];
      const v = fx > 0 ? row[i] * (1 - fx) + row[i + 1] * fx : row[i];
      mask[o + x] = v > 0 ? 1 : 0;
    }
  }
  return { mask, widthPx: w, heightPx: h, originXy: [x0, y0] };
}

/**
 * `rasterizeProtoMask` + `maskInfoFromBinary`, through a reused buffer (MaskInfo keeps its own
 * RLE copy). Null when the mask is empty.
 */
export function protoMaskInfo(
  coefs: ArrayLike<number>,
  protos: RawTensor,
  boxInputXyxy: BoxXyxy,
  lb: Letterbox,
  options?: MaskInfoOptions,
): MaskInfo | null {
  const boxImg = unletterboxBoxXyxy(boxInputXyxy, lb);
  const maxPx = (Math.ceil(boxImg[2] - boxImg[0]) + 2) * (Math.ceil(boxImg[3] - boxImg[1]) + 2);
  maskScratch = grow(maskScratch, maxPx, (n) => new Uint8Array(n));
  const m = rasterizeProtoMask(coefs, protos, boxInputXyxy, lb, maskScratch);
  if (!m) return null;
  return maskInfoFromBinary(m.mask, m.widthPx, m.heightPx, m.originXy, options);
}
