/**
 * A small labelled set of the three shared photos, written into a temp folder in several formats.
 * The boxes are my judgement of the objects, guided by the MANIFEST.md reference detections where
 * the models agree (the truck/car behind the dog is labelled once, as car).
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedImage } from './paths';

export const CLASS_NAMES = ['person', 'bicycle', 'car', 'dog', 'horse'];
export const IMAGES: {
  file: string;
  widthPx: number;
  heightPx: number;
  boxes: [string, number, number, number, number][];
}[] = [
  {
    file: 'dog.jpg',
    widthPx: 768,
    heightPx: 576,
    boxes: [
      ['dog', 132, 217, 310, 542],
      ['bicycle', 128, 136, 570, 422],
      ['car', 467, 76, 692, 170],
    ],
  },
  {
    file: 'horses.jpg',
    widthPx: 773,
    heightPx: 512,
    boxes: [
      ['horse', 435, 212, 596, 349],
      ['horse', 1, 195, 316, 413],
      ['horse', 0, 187, 153, 280],
      ['horse', 245, 199, 440, 364],
    ],
  },
  {
    file: 'person.jpg',
    widthPx: 640,
    heightPx: 424,
    boxes: [
      ['person', 191, 100, 275, 375],
      ['horse', 405, 139, 602, 345],
      ['dog', 64, 264, 202, 348],
    ],
  },
];

const stem = (f: string): string => f.replace(/\.jpg$/, '');

/** YOLO: images/ (links to the shared photos), labels/, data.yaml with names as a map. */
export function writeYoloSet(dir: string): string {
  mkdirSync(join(dir, 'images'), { recursive: true });
  mkdirSync(join(dir, 'labels'), { recursive: true });
  for (const img of IMAGES) {
    symlinkSync(sharedImage(img.file), join(dir, 'images', img.file));
    const lines = img.boxes.map(([c, x1, y1, x2, y2]) =>
      [
        CLASS_NAMES.indexOf(c),
        (x1 + x2) / 2 / img.widthPx,
        (y1 + y2) / 2 / img.heightPx,
        (x2 - x1) / img.widthPx,
        (y2 - y1) / img.heightPx,
      ].join(' '),
    );
    writeFileSync(join(dir, 'labels', `${stem(img.file)}.txt`), lines.join('\n') + '\n');
  }
  writeFileSync(
    join(dir, 'data.yaml'),
    [
      '# three shared photos',
      'path: .',
      'val: images  # no separate split',
      'names:',
      ...CLASS_NAMES.map((n, i) => `  ${i}: ${n}`),
    ].join('\n') + '\n',
  );
  return dir;
}

/** COCO ground truth next to an images/ folder (file_name relative to it). */
export function writeCocoSet(dir: string): string {
  mkdirSync(join(dir, 'images'), { recursive: true });
  let annId = 1;
  const json = {
    images: IMAGES.map((img, i) => ({
      id: i + 1,
      file_name: img.file,
      width: img.widthPx,
      height: img.heightPx,
    })),
    categories: CLASS_NAMES.map((name, i) => ({ id: i + 1, name })),
    annotations: IMAGES.flatMap((img, i) =>
      img.boxes.map(([c, x1, y1, x2, y2]) => ({
        id: annId++,
        image_id: i + 1,
        category_id: CLASS_NAMES.indexOf(c) + 1,
        bbox: [x1, y1, x2 - x1, y2 - y1],
        area: (x2 - x1) * (y2 - y1),
        iscrowd: 0,
      })),
    ),
  };
  for (const img of IMAGES) symlinkSync(sharedImage(img.file), join(dir, 'images', img.file));
  writeFileSync(join(dir, 'gt.json'), JSON.stringify(json));
  return join(dir, 'gt.json');
}

/** Label Studio JSON export: percent coordinates, upload-style file names. */
export function writeLabelStudioSet(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const tasks = IMAGES.map((img, i) => ({
    id: 100 + i,
    data: { image: `/data/upload/7/0a1b2c3d-${img.file}` },
    annotations: [
      { was_cancelled: true, result: [] },
      {
        result: img.boxes.map(([c, x1, y1, x2, y2]) => ({
          type: 'rectanglelabels',
          original_width: img.widthPx,
          original_height: img.heightPx,
          value: {
            x: (x1 / img.widthPx) * 100,
            y: (y1 / img.heightPx) * 100,
            width: ((x2 - x1) / img.widthPx) * 100,
            height: ((y2 - y1) / img.heightPx) * 100,
            rotation: 0,
            rectanglelabels: [c],
          },
        })),
      },
    ],
  }));
  for (const img of IMAGES) symlinkSync(sharedImage(img.file), join(dir, img.file));
  writeFileSync(join(dir, 'export.json'), JSON.stringify(tasks));
  return join(dir, 'export.json');
}

/** VOC-style text ground truth: `<class> <x> <y> <w> <h>` per line, absolute pixels. */
export function writeVocTxtSet(dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const img of IMAGES)
    writeFileSync(
      join(dir, `${stem(img.file)}.txt`),
      img.boxes.map(([c, x1, y1, x2, y2]) => `${c} ${x1} ${y1} ${x2 - x1} ${y2 - y1}`).join('\n') + '\n',
    );
  return dir;
}
