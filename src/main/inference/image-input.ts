/**
 * Photos from outside (an upload over the WebSocket, a path on the command line) → packed RGB24,
 * bounded: the size is read from the image header before anything is decoded, so a small file
 * that claims 16000x16000 pixels (768 MB of RGB) is refused instead of decoded.
 */
import { stat } from 'node:fs/promises';
import sharp, { type Metadata } from 'sharp';
import type { RgbImage } from './preprocess';

/** 40 MP: above any industrial camera we serve, 120 MB of RGB at most. */
export const MAX_IMAGE_PIXELS = 40_000_000;

export class ImageInputError extends Error {
  override name = 'ImageInputError';
}

/** Width and height from the header only (sharp's metadata() does not decode pixels). */
async function headerSize(input: Buffer | string): Promise<{ widthPx: number; heightPx: number }> {
  let meta: Metadata;
  try {
    meta = await sharp(input).metadata();
  } catch (e) {
    throw new ImageInputError(`not an image this station can read (${(e as Error).message.split('\n')[0]})`);
  }
  if (!meta.width || !meta.height) throw new ImageInputError('the image header gives no size');
  return { widthPx: meta.width, heightPx: meta.height };
}

async function decodeBounded(input: Buffer | string, maxPixels: number): Promise<RgbImage> {
  const { widthPx, heightPx } = await headerSize(input);
  if (widthPx * heightPx > maxPixels)
    throw new ImageInputError(
      `the image is ${widthPx}x${heightPx} pixels (${((widthPx * heightPx) / 1e6).toFixed(1)} MP); the limit is ${maxPixels / 1e6} MP`,
    );
  // limitInputPixels repeats the check inside libvips, for formats whose header could lie.
  const { data, info } = await sharp(input, { failOn: 'error', limitInputPixels: maxPixels })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3)
    throw new ImageInputError(`expected 3 colour channels after decoding, got ${info.channels}`);
  return {
    rgb: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    widthPx: info.width,
    heightPx: info.height,
  };
}

/** An uploaded photo (JPEG, PNG, WebP, ...). */
export function decodeImageBytes(bytes: Uint8Array, maxPixels = MAX_IMAGE_PIXELS): Promise<RgbImage> {
  return decodeBounded(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), maxPixels);
}

/** A photo on disk; a folder or a device is named as such instead of "unsupported image format". */
export async function decodeImagePath(path: string, maxPixels = MAX_IMAGE_PIXELS): Promise<RgbImage> {
  const st = await stat(path).catch((e: NodeJS.ErrnoException) => {
    throw new ImageInputError(
      e.code === 'ENOENT' ? 'does not exist' : `cannot read it (${e.code ?? e.message})`,
    );
  });
  if (st.isDirectory()) throw new ImageInputError('is a directory, not an image file');
  if (!st.isFile()) throw new ImageInputError('is not a regular file (a device, FIFO or socket)');
  return decodeBounded(path, maxPixels);
}
