/**
 * YOLO label text (one file per image): `<class index> <cx> <cy> <w> <h>` normalised to 0..1, or a
 * segmentation polygon `<class index> x1 y1 x2 y2 ...` whose bounds are the box (as Ultralytics does).
 */
import type { BoxXyxy } from '../../core/metrics/boxes';

export interface YoloLabel {
  classIndex: number;
  xyxy: BoxXyxy;
}

export function parseYoloLabels(
  text: string,
  widthPx: number,
  heightPx: number,
  source: string,
): YoloLabel[] {
  const out: YoloLabel[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const nums = line.split(/\s+/).map(Number);
    const cls = nums[0]!;
    const rest = nums.slice(1);
    const badCount = rest.length !== 4 && (rest.length < 6 || rest.length % 2 !== 0);
    if (badCount || !Number.isInteger(cls) || cls < 0 || rest.some((n) => !Number.isFinite(n)))
      throw new Error(`${source}:${i + 1}: expected '<class> <cx> <cy> <w> <h>' (normalised), got '${line}'`);
    let xyxy: BoxXyxy;
    if (rest.length === 4) {
      const [cx, cy, w, h] = rest as [number, number, number, number];
      xyxy = [
        (cx - w / 2) * widthPx,
        (cy - h / 2) * heightPx,
        (cx + w / 2) * widthPx,
        (cy + h / 2) * heightPx,
      ];
    } else {
      const xs = rest.filter((_, j) => j % 2 === 0);
      const ys = rest.filter((_, j) => j % 2 === 1);
      xyxy = [
        Math.min(...xs) * widthPx,
        Math.min(...ys) * heightPx,
        Math.max(...xs) * widthPx,
        Math.max(...ys) * heightPx,
      ];
    }
    out.push({ classIndex: cls, xyxy });
  });
  return out;
}

/** Ultralytics' rule: the label of `.../images/x/a.jpg` is `.../labels/x/a.txt` (last `images` segment). */
export function labelPathFor(imagePath: string): string {
  const sep = imagePath.includes('\\') && !imagePath.includes('/') ? '\\' : '/';
  const marker = `${sep}images${sep}`;
  const at = imagePath.lastIndexOf(marker);
  const swapped =
    at < 0 ? imagePath : imagePath.slice(0, at) + `${sep}labels${sep}` + imagePath.slice(at + marker.length);
  const dot = swapped.lastIndexOf('.');
  return (dot > swapped.lastIndexOf(sep) ? swapped.slice(0, dot) : swapped) + '.txt';
}
