/**
 * Frame → model input tensor. Resizing uses sharp (libvips, SIMD) because per-pixel JavaScript
 * resizing would dominate the frame time; the only JS loop is the HWC → CHW copy.
 */
import sharp from 'sharp';
import { computeLetterbox, type Letterbox } from '../core/geometry';
import type { ModelLayout } from '../core/model-layout';

export interface RgbImage {
  /** Packed RGB24, row-major, `widthPx * heightPx * 3` bytes. */
  rgb: Uint8Array;
  widthPx: number;
  heightPx: number;
}

export interface PreparedInput {
  /** NCHW float32 values, length 3 * inputHeightPx * inputWidthPx. */
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
 * Letterbox `img` into the model input: resize (aspect kept), pad with `padValue`, reorder channels,
 * scale pixel values. `out` is reused between frames when given.
 */
export async function prepareInput(
  img: RgbImage,
  layout: ModelLayout,
  out?: Float32Array,
): Promise<PreparedInput> {
  const W = layout.inputWidthPx;
  const H = layout.inputHeightPx;
  const pre = layout.preprocess;
  const lb = computeLetterbox(img.widthPx, img.heightPx, W, H, pre.padCentred);
  const resized = await resizeRgb(img, lb.resizedWidthPx, lb.resizedHeightPx);
  const plane = W * H;
  const chw = out && out.length === 3 * plane ? out : new Float32Array(3 * plane);
  chw.fill(pre.padValue * pre.pixelScale);
  const s = pre.pixelScale;
  // Plane offsets for the R, G and B source channels.
  const [oR, oG, oB] = pre.channelOrder === 'rgb' ? [0, plane, 2 * plane] : [2 * plane, plane, 0];
  const rw = lb.resizedWidthPx;
  for (let y = 0; y < lb.resizedHeightPx; y++) {
    let src = y * rw * 3;
    let dst = (y + lb.padTopPx) * W + lb.padLeftPx;
    for (let x = 0; x < rw; x++, src += 3, dst++) {
      chw[oR + dst] = resized[src]! * s;
      chw[oG + dst] = resized[src + 1]! * s;
      chw[oB + dst] = resized[src + 2]! * s;
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
