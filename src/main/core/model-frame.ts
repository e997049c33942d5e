/**
 * The model-sized frame: the picture as the model's preprocessing wants it (scaled, padded or
 * stretched to the input size), made by the decoder so neither the main thread nor the inference
 * worker resizes full frames. This module says what to make and how to map positions found in it
 * back to camera pixels.
 */
import type { Detection, PointXy } from '../../shared/detection';
import { clipBoxXyxy, computeLetterbox, computeStretch, type Letterbox } from './geometry';
import type { ModelLayout } from './model-layout';
import { scaleDetections } from './scale-detections';

/** What the decoder must deliver for a model: exactly `widthPx × heightPx` packed RGB. */
export interface ModelFrameFormat {
  widthPx: number;
  heightPx: number;
  /** `letterbox`: aspect kept, padded with `padValue`; `stretch`: the whole input filled. */
  resize: 'letterbox' | 'stretch';
  /** Letterbox only: pad split on both sides (Ultralytics) or the picture at top-left (YOLOX). */
  padCentred: boolean;
  /** Letterbox only: grey level 0..255 of the pad. */
  padValue: number;
}

/**
 * The frame format for a model layout, or null where a decoder-made frame cannot stand in for the
 * photo: semantic models report class maps at photo resolution, which a padded frame would shift.
 */
export function modelFrameFormatOf(layout: ModelLayout): ModelFrameFormat | null {
  if (layout.family === 'semantic') return null;
  const pre = layout.preprocess;
  return {
    widthPx: layout.inputWidthPx,
    heightPx: layout.inputHeightPx,
    resize: pre.resize,
    padCentred: pre.padCentred,
    padValue: Math.max(0, Math.min(255, Math.round(pre.padValue))),
  };
}

/**
 * How a `cameraWidthPx × cameraHeightPx` picture lands in the model frame: the same placement as
 * `computeLetterbox`/`computeStretch`, but with the scales the resize really applied per axis
 * (resized size / camera size), so mapping back is exact even where the rounded size differs
 * from `camera × scale`.
 */
export function modelFrameLetterbox(
  cameraWidthPx: number,
  cameraHeightPx: number,
  format: ModelFrameFormat,
): Letterbox {
  if (format.resize === 'stretch')
    return computeStretch(cameraWidthPx, cameraHeightPx, format.widthPx, format.heightPx);
  const lb = computeLetterbox(
    cameraWidthPx,
    cameraHeightPx,
    format.widthPx,
    format.heightPx,
    format.padCentred,
  );
  return {
    ...lb,
    scale: lb.resizedWidthPx / cameraWidthPx,
    scaleY: lb.resizedHeightPx / cameraHeightPx,
  };
}

function translateDetections(detections: readonly Detection[], dx: number, dy: number): Detection[] {
  if (dx === 0 && dy === 0) return [...detections];
  const pt = ([x, y]: PointXy): PointXy => [x + dx, y + dy];
  return detections.map((d) => {
    const out: Detection = { ...d, box: [d.box[0] + dx, d.box[1] + dy, d.box[2] + dx, d.box[3] + dy] };
    if (d.mask)
      out.mask = {
        ...d.mask,
        polygon: d.mask.polygon.map(pt),
        centroid: pt(d.mask.centroid),
        ...(d.mask.originXy ? { originXy: pt(d.mask.originXy) } : {}),
      };
    if (d.obb)
      out.obb = {
        ...d.obb,
        centreXy: pt(d.obb.centreXy),
        corners: d.obb.corners.map(pt) as [PointXy, PointXy, PointXy, PointXy],
      };
    if (d.keypoints) out.keypoints = d.keypoints.map((k) => ({ ...k, x: k.x + dx, y: k.y + dy }));
    return out;
  });
}

/**
 * Detections found in a model frame (model-input pixels) → camera pixels: the pad is taken off,
 * the resize undone per axis, and boxes clipped to the camera picture as the decoders clip them.
 */
export function unletterboxDetections(detections: readonly Detection[], lb: Letterbox): Detection[] {
  const shifted = translateDetections(detections, -lb.padLeftPx, -lb.padTopPx);
  const scaled = scaleDetections(shifted, 1 / lb.scale, 1 / (lb.scaleY ?? lb.scale));
  return scaled.map((d) => ({
    ...d,
    box: clipBoxXyxy(d.box, lb.srcWidthPx, lb.srcHeightPx),
  }));
}
