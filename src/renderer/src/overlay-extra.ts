/**
 * Drawing for the newer model tasks, beside overlay.ts: the semantic class-map overlay (with its
 * legend entries), rotated boxes and pose skeletons. Coordinates are source-frame pixels, as in
 * overlay.ts. The pixel and geometry work is in pure functions (tested without a DOM); the draw
 * functions only hand their results to the canvas.
 */
import type { ClassMapRle, Detection, SemanticHead, SemanticSegmentation } from '../../shared/detection';
import { drawOverlays, type OverlayOptions } from './overlay';
import {
  classColour,
  classMapRgba,
  COCO17_SKELETON,
  headingTick,
  skeletonSegments,
  isKeypointVisible,
  type ClassMapStyle,
} from '../../shared/overlay-style';

export {
  classMapRgba,
  COCO17_SKELETON,
  DEFAULT_CLASS_MAP_STYLE,
  headingTick,
  isKeypointVisible,
  legendEntries,
  skeletonSegments,
  type ClassMapStyle,
  type LegendEntry,
} from '../../shared/overlay-style';

/** Paints a head's class map over the picture, scaled to `widthPx × heightPx` (the frame size). */
export function drawClassMap(
  ctx: CanvasRenderingContext2D,
  rle: ClassMapRle,
  widthPx: number,
  heightPx: number,
  style: ClassMapStyle,
): void {
  if (typeof OffscreenCanvas === 'undefined' || rle.width <= 0 || rle.height <= 0) return;
  const img = new ImageData(classMapRgba(rle, style), rle.width, rle.height);
  const c = new OffscreenCanvas(rle.width, rle.height);
  c.getContext('2d')?.putImageData(img, 0, 0);
  // Nearest neighbour: class borders stay crisp instead of blending two class colours.
  const smoothing = ctx.imageSmoothingEnabled;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(c, 0, 0, widthPx, heightPx);
  ctx.imageSmoothingEnabled = smoothing;
}

export interface PoseStyle {
  minVisibility: number;
  /** The skeleton for 17-point models; other point counts get their points only. */
  edges: readonly (readonly [number, number])[];
}

export const DEFAULT_POSE_STYLE: PoseStyle = { minVisibility: 0.5, edges: COCO17_SKELETON };

export function drawPoseSkeletons(
  ctx: CanvasRenderingContext2D,
  detections: readonly Detection[],
  widthPx: number,
  style: PoseStyle = DEFAULT_POSE_STYLE,
): void {
  const lw = Math.max(2, widthPx / 400);
  for (const d of detections) {
    const kps = d.keypoints;
    if (!kps) continue;
    const edges = kps.length === 17 ? style.edges : [];
    ctx.lineWidth = lw;
    ctx.strokeStyle = classColour(d.classId);
    ctx.beginPath();
    for (const [[x1, y1], [x2, y2]] of skeletonSegments(kps, edges, style.minVisibility)) {
      ctx.moveTo(x1, y1);
      ctx.lineTo(x2, y2);
    }
    ctx.stroke();
    ctx.fillStyle = '#fff';
    ctx.strokeStyle = classColour(d.classId);
    for (const k of kps) {
      if (!isKeypointVisible(k, style.minVisibility)) continue;
      ctx.beginPath();
      ctx.arc(k.x, k.y, lw * 1.6, 0, Math.PI * 2);
      ctx.fill();
      ctx.stroke();
    }
  }
}

export function drawRotatedBoxes(
  ctx: CanvasRenderingContext2D,
  detections: readonly Detection[],
  widthPx: number,
  /** Null: no label here (drawOverlays places the labels, avoiding collisions). */
  fmtLabel: ((d: Detection) => string) | null,
): void {
  const lw = Math.max(2, widthPx / 480);
  const fontPx = Math.max(12, Math.round(widthPx / 64));
  for (const d of detections) {
    const o = d.obb;
    if (!o) continue;
    const colour = classColour(d.classId);
    ctx.lineWidth = lw;
    ctx.strokeStyle = colour;
    ctx.beginPath();
    ctx.moveTo(o.corners[0][0], o.corners[0][1]);
    for (let i = 1; i < 4; i++) ctx.lineTo(o.corners[i]![0], o.corners[i]![1]);
    ctx.closePath();
    ctx.stroke();
    const [from, to] = headingTick(o.corners);
    ctx.beginPath();
    ctx.moveTo(from[0], from[1]);
    ctx.lineTo(to[0], to[1]);
    ctx.stroke();
    if (!fmtLabel) continue;
    // The label sits at the top-most corner, outside the box.
    const top = o.corners.reduce((a, b) => (b[1] < a[1] ? b : a));
    ctx.font = `600 ${fontPx}px system-ui, sans-serif`;
    const text = fmtLabel(d);
    const w = ctx.measureText(text).width + fontPx * 0.6;
    const h = fontPx * 1.35;
    const x = Math.max(0, Math.min(top[0] - w / 2, widthPx - w));
    const y = Math.max(0, top[1] - h - lw);
    ctx.fillStyle = colour;
    ctx.fillRect(x, y, w, h);
    ctx.fillStyle = '#000';
    ctx.fillText(text, x + fontPx * 0.3, y + fontPx * 1.05);
  }
}

/** The head the semantic view shows: the chosen one, or the last when a model has fewer. */
export function shownHead(seg: SemanticSegmentation | undefined, headIndex: number): SemanticHead | null {
  const heads = seg?.heads ?? [];
  return heads[Math.max(0, Math.min(headIndex, heads.length - 1))] ?? null;
}

export interface SemanticViewOptions {
  /** Which head of `segmentation.heads` the overlay shows. */
  headIndex: number;
  opacity: number;
  hiddenClassIds: readonly number[];
}

/**
 * Everything drawn over one frame: the class map of the chosen head (segmentation view only), the
 * overlays of overlay.ts, then rotated boxes and pose skeletons. Detections with a rotated box get
 * no axis-aligned box (it would frame the rotated one loosely); their label stays.
 */
export function drawFrameOverlays(
  ctx: CanvasRenderingContext2D,
  frame: { detections: Detection[]; widthPx: number; heightPx: number; segmentation?: SemanticSegmentation },
  opts: OverlayOptions,
  semantic: SemanticViewOptions,
  pxPerCss: number,
  fmtScore: (s: number) => string,
  fmtArea: (a: number) => string,
): void {
  const head = shownHead(frame.segmentation, semantic.headIndex);
  if (opts.segmentation && head && semantic.opacity > 0)
    drawClassMap(ctx, head.rle, frame.widthPx, frame.heightPx, {
      opacity: semantic.opacity,
      hiddenClassIds: semantic.hiddenClassIds,
    });
  const rotated = frame.detections.filter((d) => d.obb);
  if (rotated.length === 0) {
    drawOverlays(ctx, frame.detections, frame.widthPx, opts, pxPerCss, fmtScore, fmtArea);
  } else {
    const plain = frame.detections.filter((d) => !d.obb);
    drawOverlays(ctx, plain, frame.widthPx, opts, pxPerCss, fmtScore, fmtArea);
    drawOverlays(ctx, rotated, frame.widthPx, { ...opts, boxes: false }, pxPerCss, fmtScore, fmtArea);
    if (opts.boxes) drawRotatedBoxes(ctx, rotated, frame.widthPx, null);
  }
  if (frame.detections.some((d) => d.keypoints)) drawPoseSkeletons(ctx, frame.detections, frame.widthPx);
}
