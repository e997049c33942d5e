/**
 * A labelled image set and a detector's output on it, whatever file format they came from. Classes
 * are matched by NAME between the two; ids only survive where a format has them (COCO).
 */
import type { BoxXywh, BoxXyxy } from './boxes';

export interface GroundTruthBox {
  className: string;
  xyxy: BoxXyxy;
  /** COCO crowd region: ignored by COCO evaluation. */
  iscrowd?: boolean;
  /** COCO annotation `area` (px²) when the file gives one; COCO evaluation bins by it. */
  areaPx2?: number;
  /** The box as a COCO file wrote it, so that COCO IoUs use the very same numbers. */
  cocoXywh?: BoxXywh;
}

export interface LabelledImage {
  /** Unique within the set: a COCO image id, a Label Studio task id or a file stem. */
  key: string;
  /** The image file as named by the data set (for matching detection files by stem). */
  fileName: string | null;
  /** Where the image is on disk, when it was found. */
  filePath: string | null;
  widthPx: number | null;
  heightPx: number | null;
  boxes: GroundTruthBox[];
  /** Other names the image goes by (Label Studio's upload name without its id prefix). */
  aliases?: string[];
  /** The COCO image id, when the set is COCO JSON. */
  cocoImageId?: number;
}

export interface LabelledSet {
  format: 'coco' | 'yolo' | 'label-studio' | 'voc-txt';
  /** Class names in the set's order (COCO: by category id; YOLO: by class index). */
  classNames: string[];
  /** COCO category ids, parallel to `classNames`; other formats number classes 0.. */
  classIds: number[];
  images: LabelledImage[];
  /** Problems a person should see (unknown class ids, missing images); nothing is dropped silently. */
  warnings: string[];
}

export interface DetectionRecord {
  /** A key of the labelled set's images. */
  imageKey: string;
  className: string;
  score: number;
  xyxy: BoxXyxy;
  /** The box as a COCO results file wrote it. */
  cocoXywh?: BoxXywh;
}

/** Index of a set's images by key and by file stem, for matching detection files to images. */
export function imageKeyResolver(set: LabelledSet): (keyOrStem: string) => string | null {
  const byKey = new Map<string, string>();
  for (const img of set.images) byKey.set(img.key, img.key);
  for (const img of set.images)
    for (const name of [img.fileName, ...(img.aliases ?? [])]) {
      if (!name) continue;
      const base = name.split(/[\\/]/).pop()!;
      const stem = base.includes('.') ? base.slice(0, base.lastIndexOf('.')) : base;
      if (!byKey.has(stem)) byKey.set(stem, img.key);
      if (!byKey.has(base)) byKey.set(base, img.key);
    }
  return (k) => byKey.get(k) ?? null;
}
