/**
 * Frame → model input tensor. Resizing uses sharp (libvips, SIMD) because per-pixel JavaScript
 * resizing would dominate the frame time; the only JS loop is the HWC → CHW copy through lookup
 * tables (float32 values, or float16 bits for float16 models).
 */
import sharp from 'sharp';
import { computeLetterbox, computeStretch, type Letterbox } from '../core/geometry';
import { float16ChannelLuts, float32ChannelLuts, type ChannelLuts } from '../core/input-lut';
import type { ModelLayout } from '../core/model-layout';

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

/** Model input values in its layout (NCHW or NHWC): float32, or float16 bits for float16 models. */
type InputArray = Float32Array | Uint16Array;

/**
 * Place `resized` into `dst`: letterbox padding or stretch, channel order, mean/std through the
 * per-channel tables (whose element type is the tensor's), NCHW or NHWC.
 */
function fillInput<T extends InputArray>(
  resized: Uint8Array,
  lb: Letterbox,
  layout: ModelLayout,
  [lutR, lutG, lutB]: ChannelLuts<T>,
  dst: T,
): void {
  const W = layout.inputWidthPx;
  const H = layout.inputHeightPx;
  const pre = layout.preprocess;
  const plane = W * H;
  const bgr = pre.channelOrder === 'bgr';
  const rw = lb.resizedWidthPx;
  const padded = lb.resizedWidthPx !== W || lb.resizedHeightPx !== H;
  if (layout.inputLayout === 'nhwc') {
    // Channel slots within a pixel for the R, G and B source channels.
    const [sR, sG, sB] = bgr ? [2, 1, 0] : [0, 1, 2];
    if (padded) {
      const pad = Math.round(pre.padValue);
      for (let p = 0; p < plane; p++) {
        dst[p * 3 + sR] = lutR[pad]!;
        dst[p * 3 + sG] = lutG[pad]!;
        dst[p * 3 + sB] = lutB[pad]!;
      }
    }
    for (let y = 0; y < lb.resizedHeightPx; y++) {
      let src = y * rw * 3;
      let o = ((y + lb.padTopPx) * W + lb.padLeftPx) * 3;
      for (let x = 0; x < rw; x++, src += 3, o += 3) {
        dst[o + sR] = lutR[resized[src]!]!;
        dst[o + sG] = lutG[resized[src + 1]!]!;
        dst[o + sB] = lutB[resized[src + 2]!]!;
      }
    }
    return;
  }
  // Plane offsets for the R, G and B source channels.
  const [oR, oG, oB] = bgr ? [2 * plane, plane, 0] : [0, plane, 2 * plane];
  if (padded) {
    const pad = Math.round(pre.padValue);
    dst.fill(lutR[pad]!, oR, oR + plane);
    dst.fill(lutG[pad]!, oG, oG + plane);
    dst.fill(lutB[pad]!, oB, oB + plane);
  }
  for (let y = 0; y < lb.resizedHeightPx; y++) {
    let src = y * rw * 3;
    let o = (y + lb.padTopPx) * W + lb.padLeftPx;
    for (let x = 0; x < rw; x++, src += 3, o++) {
      dst[oR + o] = lutR[resized[src]!]!;
      dst[oG + o] = lutG[resized[src + 1]!]!;
      dst[oB + o] = lutB[resized[src + 2]!]!;
    }
  }
}

async function resizedFor(
  img: RgbImage,
  layout: ModelLayout,
): Promise<{ resized: Uint8Array; lb: Letterbox }> {
  const W = layout.inputWidthPx;
  const H = layout.inputHeightPx;
  const pre = layout.preprocess;
  const lb =
    pre.resize === 'stretch'
      ? computeStretch(img.widthPx, img.heightPx, W, H)
      : computeLetterbox(img.widthPx, img.heightPx, W, H, pre.padCentred);
  return { resized: await resizeRgb(img, lb.resizedWidthPx, lb.resizedHeightPx), lb };
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
  const { resized, lb } = await resizedFor(img, layout);
  const n = 3 * layout.inputWidthPx * layout.inputHeightPx;
  const chw = out && out.length === n ? out : new Float32Array(n);
  fillInput(resized, lb, layout, float32ChannelLuts(layout.preprocess), chw);
  return { chw, letterbox: lb };
}

/**
 * The same input as float16 bits, straight from the pixels through float16 tables: bit for bit
 * what `float32ToFloat16Array(prepareInput(...).chw)` gives, without a per-element conversion.
 */
export async function prepareInputFloat16(
  img: RgbImage,
  layout: ModelLayout,
  out?: Uint16Array,
): Promise<{ bits: Uint16Array; letterbox: Letterbox }> {
  const { resized, lb } = await resizedFor(img, layout);
  const n = 3 * layout.inputWidthPx * layout.inputHeightPx;
  const bits = out && out.length === n ? out : new Uint16Array(n);
  fillInput(resized, lb, layout, float16ChannelLuts(layout.preprocess), bits);
  return { bits, letterbox: lb };
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
