/**
 * Frame → model input tensor. Resizing uses sharp (libvips, SIMD) because per-pixel JavaScript
 * resizing would dominate the frame time; the only JS loop is the HWC → CHW copy.
 */
import sharp from 'sharp';
import { computeLetterbox, computeStretch, type Letterbox } from '../core/geometry';
import type { ModelLayout, Preprocess } from '../core/model-layout';

export interface RgbImage {
  /** Packed RGB24, row-major, `widthPx * heightPx * 3` bytes. */
  rgb: Uint8Array;
  widthPx: number;
  heightPx: number;
}

export interface PreparedInput {
  /** float32 values in the model's layout (NCHW or NHWC), length 3 * inputHeightPx * inputWidthPx. */
  chw: Float32Array;
  letterbox: Letterbox;
}

/** Bilinear resize of packed RGB24. Returns the input untouched when the size already matches. */
export async function resizeRgb(img: RgbImage, widthPx: number, heightPx: number): Promise<Uint8Array> {
  if (img.widthPx === widthPx && img.heightPx === heightPx) return img.rgb;
  const buf = await sharp(img.rgb, { raw: { width: img.widthPx, height: img.heightPx, channels: 3 } })
    .resize(widthPx, heightPx, { kernel: 'linear', fit: 'fill' })
    .raw()
    .toBuffer();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * Per-channel lookup tables 0..255 → normalised value, in R, G, B order. A table lookup costs the
 * same whatever the mean/std, so plain YOLO (/255) keeps its speed and ImageNet normalisation
 * costs nothing extra. Cached per preprocess object.
 */
const lutCache = new WeakMap<Preprocess, [Float32Array, Float32Array, Float32Array]>();
function lutsFor(pre: Preprocess): [Float32Array, Float32Array, Float32Array] {
  let luts = lutCache.get(pre);
  if (!luts) {
    luts = [0, 1, 2].map((c) => {
      const t = new Float32Array(256);
      for (let v = 0; v < 256; v++) t[v] = (v - pre.mean[c]!) / pre.std[c]!;
      return t;
    }) as [Float32Array, Float32Array, Float32Array];
    lutCache.set(pre, luts);
  }
  return luts;
}

/**
 * Place `img` into the model input: letterbox (aspect kept, padded with `padValue`) or stretch,
 * reorder channels, normalise with mean/std, write NCHW or NHWC. `out` is reused between frames.
 */
export async function prepareInput(
  img: RgbImage,
  layout: ModelLayout,
  out?: Float32Array,
): Promise<PreparedInput> {
  const W = layout.inputWidthPx;
  const H = layout.inputHeightPx;
  const pre = layout.preprocess;
  const lb =
    pre.resize === 'stretch'
      ? computeStretch(img.widthPx, img.heightPx, W, H)
      : computeLetterbox(img.widthPx, img.heightPx, W, H, pre.padCentred);
  const resized = await resizeRgb(img, lb.resizedWidthPx, lb.resizedHeightPx);
  const plane = W * H;
  const chw = out && out.length === 3 * plane ? out : new Float32Array(3 * plane);
  const [lutR, lutG, lutB] = lutsFor(pre);
  const bgr = pre.channelOrder === 'bgr';
  const rw = lb.resizedWidthPx;
  const padded = lb.resizedWidthPx !== W || lb.resizedHeightPx !== H;
  if (layout.inputLayout === 'nhwc') {
    // Channel slots within a pixel for the R, G and B source channels.
    const [sR, sG, sB] = bgr ? [2, 1, 0] : [0, 1, 2];
    if (padded) {
      const pad = Math.round(pre.padValue);
      for (let p = 0; p < plane; p++) {
        chw[p * 3 + sR] = lutR[pad]!;
        chw[p * 3 + sG] = lutG[pad]!;
        chw[p * 3 + sB] = lutB[pad]!;
      }
    }
    for (let y = 0; y < lb.resizedHeightPx; y++) {
      let src = y * rw * 3;
      let dst = ((y + lb.padTopPx) * W + lb.padLeftPx) * 3;
      for (let x = 0; x < rw; x++, src += 3, dst += 3) {
        chw[dst + sR] = lutR[resized[src]!]!;
        chw[dst + sG] = lutG[resized[src + 1]!]!;
        chw[dst + sB] = lutB[resized[src + 2]!]!;
      }
    }
    return { chw, letterbox: lb };
  }
  // Plane offsets for the R, G and B source channels.
  const [oR, oG, oB] = bgr ? [2 * plane, plane, 0] : [0, plane, 2 * plane];
  if (padded) {
    const pad = Math.round(pre.padValue);
    chw.fill(lutR[pad]!, oR, oR + plane);
    chw.fill(lutG[pad]!, oG, oG + plane);
    chw.fill(lutB[pad]!, oB, oB + plane);
  }
  for (let y = 0; y < lb.resizedHeightPx; y++) {
    let src = y * rw * 3;
    let dst = (y + lb.padTopPx) * W + lb.padLeftPx;
    for (let x = 0; x < rw; x++, src += 3, dst++) {
      chw[oR + dst] = lutR[resized[src]!]!;
      chw[oG + dst] = lutG[resized[src + 1]!]!;
      chw[oB + dst] = lutB[resized[src + 2]!]!;
    }
  }
  return { chw, letterbox: lb };
}

/** Decode an image file (JPEG, PNG, WebP, ...) to packed RGB24. */
export async function decodeImageFile(path: string): Promise<RgbImage> {
  const { data, info } = await sharp(path, { failOn: 'error' })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3)
    throw new Error(`${path}: expected 3 colour channels after decoding, got ${info.channels}`);
  return {
    rgb: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    widthPx: info.width,
    heightPx: info.height,
  };
}
