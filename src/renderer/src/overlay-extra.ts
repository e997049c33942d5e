/**
 * Drawing for the newer model tasks, beside overlay.ts: the semantic class-map overlay (with its
 * legend entries), rotated boxes and pose skeletons. Coordinates are source-frame pixels, as in
 * overlay.ts. The pixel and geometry work is in pure functions (tested without a DOM); the draw
 * functions only hand their results to the canvas.
 */
import type { ClassMapRle, Detection, Keypoint, PointXy, SemanticHead } from '../../shared/detection';
import { classColour, classRgb } from './overlay';

export interface ClassMapStyle {
  /** 0..1, the overlay's opacity over the picture. */
  opacity: number;
  /** Class ids left transparent (usually 0, the background). */
  hiddenClassIds: readonly number[];
}

export const DEFAULT_CLASS_MAP_STYLE: ClassMapStyle = { opacity: 0.5, hiddenClassIds: [0] };

/**
 * RGBA bytes of a run-length class map, `width × height × 4`, each class in its `classRgb`
 * colour at `opacity`, hidden classes fully transparent. Throws when the runs do not fit.
 */
export function classMapRgba(rle: ClassMapRle, style: ClassMapStyle): Uint8ClampedArray<ArrayBuffer> {
  const total = rle.width * rle.height;
  const out = new Uint8ClampedArray(total * 4);
  const alpha = Math.round(Math.min(1, Math.max(0, style.opacity)) * 255);
  const hidden = new Set(style.hiddenClassIds);
  let pos = 0;
  for (let i = 0; i < rle.values.length; i++) {
    const run = rle.counts[i]!;
    if (!(run >= 0) || pos + run > total)
      throw new RangeError(`class map runs exceed ${rle.width}x${rle.height}`);
    const v = rle.values[i]!;
    if (!hidden.has(v)) {
      const [r, g, b] = classRgb(v);
      for (let p = pos; p < pos + run; p++) {
        out[p * 4] = r;
        out[p * 4 + 1] = g;
        out[p * 4 + 2] = b;
        out[p * 4 + 3] = alpha;
      }
    }
    pos += run;
  }
  if (pos !== total) throw new RangeError(`class map runs cover ${pos} pixels, expected ${total}`);
  return out;
}

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

export interface LegendEntry {
  classId: number;
  className: string;
  /** CSS colour of the class in the overlay. */
  colour: string;
  pixels: number;
  /** Share of the photo, 0..1. */
  fraction: number;
}

/** Legend rows of one head: every class present, most pixels first, with its overlay colour. */
export function legendEntries(head: SemanticHead): LegendEntry[] {
  return head.classes.map((c) => ({
    classId: c.classId,
    className: c.className,
    colour: classColour(c.classId),
    pixels: c.pixels,
    fraction: c.fraction,
  }));
}

/** COCO-17 keypoint skeleton (Ultralytics order), pairs of keypoint indices. */
export const COCO17_SKELETON: readonly (readonly [number, number])[] = [
  [15, 13],
  [13, 11],
  [16, 14],
  [14, 12],
  [11, 12],
  [5, 11],
  [6, 12],
  [5, 6],
  [5, 7],
  [6, 8],
  [7, 9],
  [8, 10],
  [1, 2],
  [0, 1],
  [0, 2],
  [1, 3],
  [2, 4],
  [3, 5],
  [4, 6],
];

/** A keypoint is drawn when the model gives no visibility or it reaches the threshold. */
export const isKeypointVisible = (k: Keypoint, minVisibility: number): boolean =>
  k.visibility === null || k.visibility >= minVisibility;

/**
 * Line segments of a skeleton between visible keypoints. Edges naming keypoints the model does not
 * have are skipped, so a custom K-point model draws its points without a foreign skeleton.
 */
export function skeletonSegments(
  keypoints: readonly Keypoint[],
  edges: readonly (readonly [number, number])[],
  minVisibility: number,
): [PointXy, PointXy][] {
  const out: [PointXy, PointXy][] = [];
  for (const [a, b] of edges) {
    const ka = keypoints[a];
    const kb = keypoints[b];
    if (!ka || !kb || !isKeypointVisible(ka, minVisibility) || !isKeypointVisible(kb, minVisibility))
      continue;
    out.push([
      [ka.x, ka.y],
      [kb.x, kb.y],
    ]);
  }
  return out;
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

/**
 * Where the heading tick of a rotated box goes: from the centre to the middle of the side the
 * width direction points at, so the operator sees which way `angleDeg` is measured.
 */
export function headingTick(corners: readonly PointXy[]): [PointXy, PointXy] {
  const [c0, c1, c2, c3] = corners as [PointXy, PointXy, PointXy, PointXy];
  const centre: PointXy = [(c0[0] + c1[0] + c2[0] + c3[0]) / 4, (c0[1] + c1[1] + c2[1] + c3[1]) / 4];
  return [centre, [(c1[0] + c2[0]) / 2, (c1[1] + c2[1]) / 2]];
}

export function drawRotatedBoxes(
  ctx: CanvasRenderingContext2D,
  detections: readonly Detection[],
  widthPx: number,
  fmtLabel: (d: Detection) => string,
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
