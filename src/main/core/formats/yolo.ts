/** A frame set as a YOLO txt dataset: one label file per image and data.yaml. Pure. */
import type { ExportFrame } from './types';

const f6 = (v: number): string => v.toFixed(6);

/** `class cx cy w h`, normalised to 0..1 of the image, one line per detection. */
export function yoloLabelText(f: ExportFrame): string {
  return f.detections
    .map((d) => {
      const [x1, y1, x2, y2] = d.box;
      const cx = (x1 + x2) / 2 / f.widthPx;
      const cy = (y1 + y2) / 2 / f.heightPx;
      const w = (x2 - x1) / f.widthPx;
      const h = (y2 - y1) / f.heightPx;
      return `${d.classId} ${f6(cx)} ${f6(cy)} ${f6(w)} ${f6(h)}\n`;
    })
    .join('');
}

/** Ultralytics data.yaml with the class names by id; train and val both point at `images`. */
export function yoloDataYaml(classNames: readonly string[]): string {
  const quote = (s: string): string => `'${s.replace(/'/g, "''")}'`;
  return [
    'path: .',
    'train: images',
    'val: images',
    `nc: ${classNames.length}`,
    'names:',
    ...classNames.map((n, i) => `  ${i}: ${quote(n)}`),
    '',
  ].join('\n');
}

/** The label file of an image: same stem, `.txt`. */
export function yoloLabelName(imageName: string): string {
  const dot = imageName.lastIndexOf('.');
  return (dot > 0 ? imageName.slice(0, dot) : imageName) + '.txt';
}
