/**
 * Colours and geometry of the overlays, free of any DOM so both the UI and the tests use them:
 * class colours, the RGBA of a semantic class map, pose skeleton segments and the heading tick of
 * a rotated box. Drawing itself is in the renderer (overlay.ts, overlay-extra.ts).
 */
import type { ClassMapRle, Keypoint, PointXy, SemanticHead } from './detection';

// One palette for every overlay: distinct per class, stable across sessions.
import { classRgb } from './overlay-layout';
export { classRgb };

export const classColour = (classId: number, alpha = 1): string => {
  const [r, g, b] = classRgb(classId);
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
};

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

export interface LegendEntry {
  classId: number;
  className: string;
  /** CSS colour of the class in the overlay. */
  colour: string;
  pixels: number;
  /** Share of the photo, 0..1. */
  fraction: number;
}

/**
 * Legend rows of one head: every class present, most pixels first, with its overlay colour
 * (`transparent` for classes the overlay leaves out, so the legend does not show a colour that is
 * nowhere on the picture).
 */
export function legendEntries(head: SemanticHead, hiddenClassIds: readonly number[] = []): LegendEntry[] {
  return head.classes.map((c) => ({
    classId: c.classId,
    className: c.className,
    colour: hiddenClassIds.includes(c.classId) ? 'transparent' : classColour(c.classId),
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

/**
 * Where the heading tick of a rotated box goes: from the centre to the middle of the side the
 * width direction points at, so the operator sees which way `angleDeg` is measured.
 */
export function headingTick(corners: readonly PointXy[]): [PointXy, PointXy] {
  const [c0, c1, c2, c3] = corners as [PointXy, PointXy, PointXy, PointXy];
  const centre: PointXy = [(c0[0] + c1[0] + c2[0] + c3[0]) / 4, (c0[1] + c1[1] + c2[1] + c3[1]) / 4];
  return [centre, [(c1[0] + c2[0]) / 2, (c1[1] + c2[1]) / 2]];
}
