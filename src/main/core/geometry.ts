/**
 * Pure geometry helpers named by their coordinate convention (after Ultralytics `utils/ops.py`).
 * `xyxy` = [x1, y1, x2, y2]; `xywh` = [centreX, centreY, width, height]; `ltwh` = [left, top, w, h].
 */
import type { BoxXyxy, PointXy } from '../../shared/detection';

export function xywh2xyxy(cx: number, cy: number, w: number, h: number): BoxXyxy {
  const hw = w / 2;
  const hh = h / 2;
  return [cx - hw, cy - hh, cx + hw, cy + hh];
}

export function xyxy2xywh(box: BoxXyxy): [number, number, number, number] {
  return [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2, box[2] - box[0], box[3] - box[1]];
}

export function ltwh2xyxy(left: number, top: number, w: number, h: number): BoxXyxy {
  return [left, top, left + w, top + h];
}

export function boxAreaXyxy(box: BoxXyxy): number {
  return Math.max(0, box[2] - box[0]) * Math.max(0, box[3] - box[1]);
}

/** Intersection over union of two xyxy boxes; 0 when both are empty. */
export function iouXyxy(a: BoxXyxy, b: BoxXyxy): number {
  const ix = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const iy = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (ix <= 0 || iy <= 0) return 0;
  const inter = ix * iy;
  const union = boxAreaXyxy(a) + boxAreaXyxy(b) - inter;
  return union > 0 ? inter / union : 0;
}

export function clipBoxXyxy(box: BoxXyxy, widthPx: number, heightPx: number): BoxXyxy {
  return [
    Math.min(Math.max(box[0], 0), widthPx),
    Math.min(Math.max(box[1], 0), heightPx),
    Math.min(Math.max(box[2], 0), widthPx),
    Math.min(Math.max(box[3], 0), heightPx),
  ];
}

/**
 * How an image of `srcWidthPx × srcHeightPx` is placed into a `dstWidthPx × dstHeightPx` model
 * input: scaled by `scale` (aspect kept), resized to `resizedWidthPx × resizedHeightPx`, then offset
 * by `padLeftPx`/`padTopPx`. `centred` follows Ultralytics (pad split on both sides, rounding as
 * `round(pad/2 ∓ 0.1)`); otherwise the image sits top-left (YOLOX).
 */
export interface Letterbox {
  srcWidthPx: number;
  srcHeightPx: number;
  dstWidthPx: number;
  dstHeightPx: number;
  /** Input pixels per image pixel (horizontally; vertically too unless `scaleY` is set). */
  scale: number;
  /** Vertical scale of a stretch resize (aspect not kept); absent for a letterbox. */
  scaleY?: number;
  resizedWidthPx: number;
  resizedHeightPx: number;
  padLeftPx: number;
  padTopPx: number;
}

export const LETTERBOX_PAD_VALUE = 114;

export function computeLetterbox(
  srcWidthPx: number,
  srcHeightPx: number,
  dstWidthPx: number,
  dstHeightPx: number,
  centred = true,
): Letterbox {
  if (!(srcWidthPx > 0 && srcHeightPx > 0 && dstWidthPx > 0 && dstHeightPx > 0)) {
    throw new RangeError(
      `letterbox needs positive sizes, got ${srcWidthPx}x${srcHeightPx} → ${dstWidthPx}x${dstHeightPx}`,
    );
  }
  const scale = Math.min(dstWidthPx / srcWidthPx, dstHeightPx / srcHeightPx);
  const resizedWidthPx = Math.round(srcWidthPx * scale);
  const resizedHeightPx = Math.round(srcHeightPx * scale);
  let padLeftPx = 0;
  let padTopPx = 0;
  if (centred) {
    padLeftPx = Math.max(0, Math.round((dstWidthPx - resizedWidthPx) / 2 - 0.1));
    padTopPx = Math.max(0, Math.round((dstHeightPx - resizedHeightPx) / 2 - 0.1));
  }
  return {
    srcWidthPx,
    srcHeightPx,
    dstWidthPx,
    dstHeightPx,
    scale,
    resizedWidthPx,
    resizedHeightPx,
    padLeftPx,
    padTopPx,
  };
}

/**
 * Stretch resize (aspect not kept, no padding), as TensorFlow, PaddleDetection and DETR demos do:
 * expressed as a letterbox with separate horizontal and vertical scales.
 */
export function computeStretch(
  srcWidthPx: number,
  srcHeightPx: number,
  dstWidthPx: number,
  dstHeightPx: number,
): Letterbox {
  if (!(srcWidthPx > 0 && srcHeightPx > 0 && dstWidthPx > 0 && dstHeightPx > 0)) {
    throw new RangeError(
      `stretch needs positive sizes, got ${srcWidthPx}x${srcHeightPx} → ${dstWidthPx}x${dstHeightPx}`,
    );
  }
  return {
    srcWidthPx,
    srcHeightPx,
    dstWidthPx,
    dstHeightPx,
    scale: dstWidthPx / srcWidthPx,
    scaleY: dstHeightPx / srcHeightPx,
    resizedWidthPx: dstWidthPx,
    resizedHeightPx: dstHeightPx,
    padLeftPx: 0,
    padTopPx: 0,
  };
}

/** Model-input point → original-image point (not clipped). */
export function unletterboxPointXy(x: number, y: number, lb: Letterbox): PointXy {
  return [(x - lb.padLeftPx) / lb.scale, (y - lb.padTopPx) / (lb.scaleY ?? lb.scale)];
}

/** Model-input pixels → original-image pixels, clipped to the image. */
export function unletterboxBoxXyxy(box: BoxXyxy, lb: Letterbox): BoxXyxy {
  const sy = lb.scaleY ?? lb.scale;
  return clipBoxXyxy(
    [
      (box[0] - lb.padLeftPx) / lb.scale,
      (box[1] - lb.padTopPx) / sy,
      (box[2] - lb.padLeftPx) / lb.scale,
      (box[3] - lb.padTopPx) / sy,
    ],
    lb.srcWidthPx,
    lb.srcHeightPx,
  );
}

/** Original-image pixels → model-input pixels. */
export function letterboxBoxXyxy(box: BoxXyxy, lb: Letterbox): BoxXyxy {
  const sy = lb.scaleY ?? lb.scale;
  return [
    box[0] * lb.scale + lb.padLeftPx,
    box[1] * sy + lb.padTopPx,
    box[2] * lb.scale + lb.padLeftPx,
    box[3] * sy + lb.padTopPx,
  ];
}
