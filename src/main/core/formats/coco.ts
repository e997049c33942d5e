/** A frame set as COCO detection JSON (images, annotations, categories). Pure. */
import type { ExportFrame } from './types';

export interface CocoDataset {
  info: { description: string; version: string };
  /** `capture_time_ms` and `frame_id` are ours (COCO tools ignore fields they do not know). */
  images: {
    id: number;
    file_name: string;
    width: number;
    height: number;
    capture_time_ms: number;
    frame_id: number;
  }[];
  annotations: {
    id: number;
    image_id: number;
    category_id: number;
    /** [x, y, width, height] in pixels, top-left origin. */
    bbox: [number, number, number, number];
    area: number;
    iscrowd: 0;
    score: number;
    segmentation?: number[][];
  }[];
  categories: { id: number; name: string }[];
}

/**
 * COCO category ids start at 1 (0 is read as background by several tools), so
 * `category_id = classId + 1`. `classNames[i]` names class i; classes seen without a name keep
 * the detection's own name.
 */
export function toCoco(
  frames: readonly ExportFrame[],
  classNames: readonly string[],
  description: string,
): CocoDataset {
  const names = new Map<number, string>(classNames.map((n, i) => [i, n]));
  const images: CocoDataset['images'] = [];
  const annotations: CocoDataset['annotations'] = [];
  for (const f of frames) {
    const imageId = images.length + 1;
    images.push({
      id: imageId,
      file_name: f.imageName,
      width: f.widthPx,
      height: f.heightPx,
      capture_time_ms: f.captureTimeMs,
      frame_id: f.frameId,
    });
    for (const d of f.detections) {
      if (!names.has(d.classId)) names.set(d.classId, d.className);
      const [x1, y1, x2, y2] = d.box;
      const w = x2 - x1;
      const h = y2 - y1;
      annotations.push({
        id: annotations.length + 1,
        image_id: imageId,
        category_id: d.classId + 1,
        bbox: [x1, y1, w, h],
        area: d.areaPx ?? w * h,
        iscrowd: 0,
        score: d.score,
        ...(d.polygon && d.polygon.length >= 3 ? { segmentation: [d.polygon.flat()] } : {}),
      });
    }
  }
  const categories = [...names.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([id, name]) => ({ id: id + 1, name }));
  return { info: { description, version: '1.0' }, images, annotations, categories };
}
