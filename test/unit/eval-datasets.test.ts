import { describe, expect, it } from 'vitest';
import { imageKeyResolver } from '../../src/main/core/metrics/labelled-set';
import { formatScoreTable, recommendModel } from '../../src/main/core/metrics/recommend';
import { parseCocoDetections, parseCocoGroundTruth } from '../../src/main/eval/datasets/coco';
import { parseLabelStudioExport } from '../../src/main/eval/datasets/label-studio';
import { parseVocTxt } from '../../src/main/eval/datasets/voc-txt';
import { namesFromYaml, parseYamlSubset } from '../../src/main/eval/datasets/yaml-subset';
import { labelPathFor, parseYoloLabels } from '../../src/main/eval/datasets/yolo';

describe('data.yaml subset', () => {
  it('reads names as a block map, a block list and a flow list, with comments and quotes', () => {
    const y = parseYamlSubset(
      [
        'path: ../datasets/parts  # root',
        'train: images/train',
        "val: 'images/val'",
        'names:',
        '  0: bolt',
        '  1: "hex nut"',
        '  2: washer # flat',
        'nc: 3',
      ].join('\n'),
    );
    expect(y).toEqual({
      path: '../datasets/parts',
      train: 'images/train',
      val: 'images/val',
      names: { '0': 'bolt', '1': 'hex nut', '2': 'washer' },
      nc: '3',
    });
    expect(namesFromYaml(y['names'])).toEqual({ names: ['bolt', 'hex nut', 'washer'], problems: [] });
    expect(parseYamlSubset('names:\n  - a\n  - "b # not a comment"\n')['names']).toEqual([
      'a',
      'b # not a comment',
    ]);
    expect(parseYamlSubset("names: [a, 'b, c',\n  d]\nnc: 3")['names']).toEqual(['a', 'b, c', 'd']);
    expect(parseYamlSubset('names: {0: a, 1: b}')['names']).toEqual({ '0': 'a', '1': 'b' });
  });
  it('reports gaps and a missing names entry', () => {
    expect(namesFromYaml({ '0': 'a', '2': 'c' })).toEqual({
      names: ['a', '1', 'c'],
      problems: ['names: class index 1 has no name'],
    });
    expect(namesFromYaml(undefined).problems).toEqual(['no names: entry']);
  });
});

describe('YOLO labels', () => {
  it('turns normalised centre boxes and polygons into pixel xyxy', () => {
    expect(parseYoloLabels('1 0.5 0.5 0.25 0.5\n\n0 0.1 0.2 0.3 0.2 0.2 0.4\n', 200, 100, 'l.txt')).toEqual([
      { classIndex: 1, xyxy: [75, 25, 125, 75] },
      { classIndex: 0, xyxy: [20, 20, 60, 40] },
    ]);
  });
  it('names the file and line of a bad row', () => {
    expect(() => parseYoloLabels('0 0.5 0.5 0.1 0.1\n0 0.5 x 0.1 0.1', 10, 10, 'a.txt')).toThrow(
      "a.txt:2: expected '<class> <cx> <cy> <w> <h>' (normalised), got '0 0.5 x 0.1 0.1'",
    );
  });
  it('finds labels by replacing the last images segment', () => {
    expect(labelPathFor('/d/images/val/a.b.jpg')).toBe('/d/labels/val/a.b.txt');
    expect(labelPathFor('/images/d/images/a.png')).toBe('/images/d/labels/a.txt');
    expect(labelPathFor('/d/pics/a.jpg')).toBe('/d/pics/a.txt');
  });
});

describe('VOC-style text', () => {
  it('reads ground truth and detections in absolute xywh', () => {
    expect(parseVocTxt('cat 10 20 30 40\n', 'gt', 'g')).toEqual([
      { className: 'cat', score: null, xyxy: [10, 20, 40, 60] },
    ]);
    expect(parseVocTxt('cat 0.9 10 20 30 40', 'dets', 'd')).toEqual([
      { className: 'cat', score: 0.9, xyxy: [10, 20, 40, 60] },
    ]);
    expect(() => parseVocTxt('cat 0.9 10 20 30 40', 'gt', 'g.txt')).toThrow(
      "g.txt:1: expected <class> <x> <y> <w> <h>, got 'cat 0.9 10 20 30 40'",
    );
  });
});

describe('Label Studio export', () => {
  it('converts percent rectangles of the first kept annotation, rotation as bounds', () => {
    const set = parseLabelStudioExport(
      [
        {
          id: 5,
          data: { image: '/data/upload/1/abcdef12-part%201.jpg' },
          annotations: [
            { was_cancelled: true, result: [] },
            {
              result: [
                {
                  type: 'rectanglelabels',
                  original_width: 200,
                  original_height: 100,
                  value: { x: 10, y: 20, width: 25, height: 50, rotation: 0, rectanglelabels: ['bolt'] },
                },
                {
                  type: 'rectanglelabels',
                  original_width: 200,
                  original_height: 100,
                  value: { x: 50, y: 50, width: 10, height: 10, rotation: 90, rectanglelabels: ['nut'] },
                },
                { type: 'choices', value: { choices: ['ok'] } },
              ],
            },
          ],
        },
      ],
      'export.json',
    );
    expect(set.classNames).toEqual(['bolt', 'nut']);
    const img = set.images[0]!;
    expect([img.key, img.fileName, img.aliases, img.widthPx, img.heightPx]).toEqual([
      '5',
      'abcdef12-part 1.jpg',
      ['part 1.jpg'],
      200,
      100,
    ]);
    expect(img.boxes[0]).toEqual({ className: 'bolt', xyxy: [20, 20, 70, 70] });
    // 20x10 px rotated 90° clockwise about (100, 50).
    expect(img.boxes[1]!.xyxy.map((v) => Math.round(v * 1e9) / 1e9)).toEqual([90, 50, 100, 70]);
    expect(imageKeyResolver(set)('part 1')).toBe('5');
  });
});

describe('COCO JSON', () => {
  const gt = parseCocoGroundTruth(
    {
      images: [{ id: 7, file_name: 'a/b.jpg', width: 10, height: 10 }],
      categories: [
        { id: 3, name: 'nut' },
        { id: 1, name: 'bolt' },
      ],
      annotations: [
        { image_id: 7, category_id: 3, bbox: [1, 2, 3, 4], area: 5, iscrowd: 1 },
        { image_id: 8, category_id: 3, bbox: [1, 2, 3, 4] },
      ],
    },
    'gt.json',
  );
  it('orders classes by category id and keeps area and crowd', () => {
    expect([gt.classNames, gt.classIds]).toEqual([
      ['bolt', 'nut'],
      [1, 3],
    ]);
    expect(gt.images[0]!.boxes).toEqual([
      { className: 'nut', xyxy: [1, 2, 4, 6], cocoXywh: [1, 2, 3, 4], iscrowd: true, areaPx2: 5 },
    ]);
    expect(gt.warnings).toEqual(['gt.json: annotation 1 refers to image_id 8, which is not in images']);
  });
  it('reads results lists and reports detections it cannot score', () => {
    const r = parseCocoDetections(
      [
        { image_id: 7, category_id: 1, bbox: [0, 0, 2, 2], score: 0.5 },
        { image_id: 7, category_id: 9, bbox: [0, 0, 2, 2], score: 0.5 },
        { image_id: 99, category_id: 1, bbox: [0, 0, 2, 2], score: 0.5 },
      ],
      gt,
      'd.json',
    );
    expect(r.detections).toEqual([
      { imageKey: '7', className: 'bolt', score: 0.5, xyxy: [0, 0, 2, 2], cocoXywh: [0, 0, 2, 2] },
    ]);
    expect(r.warnings).toEqual([
      'd.json: detections on image ids not in the ground truth, not scored: 99',
      'd.json: 1 detection(s) of category_id 9, which the ground truth does not have, not scored',
    ]);
  });
  it('says which field is wrong', () => {
    expect(() =>
      parseCocoGroundTruth({ images: [], categories: [{ id: 'x' }], annotations: [] }, 'g.json'),
    ).toThrow(/^g\.json is not COCO ground truth: categories\.0\.id: /);
  });
});

describe('model recommendation', () => {
  const rows = [
    { name: 'small', mAP50: 0.8, mAP5095: 0.5, fps: 20, p99LatencyMs: 60 },
    { name: 'medium', mAP50: 0.9, mAP5095: 0.6, fps: 6, p99LatencyMs: 180 },
    { name: 'large', mAP50: 0.95, mAP5095: 0.7, fps: 5.9, p99LatencyMs: 220 },
  ];
  it('picks the most accurate model at or above 1.5 x the target', () => {
    const r = recommendModel(rows, 4, 1.5);
    expect(r.name).toBe('medium');
    expect(r.text).toBe(
      'recommended: medium (mAP50-95 0.600 at 6.0 fps; the most accurate model with fps >= 1.5 x 4 = 6)',
    );
  });
  it('says so when none holds the target', () => {
    const r = recommendModel(rows, 20, 1.5);
    expect(r.name).toBeNull();
    expect(r.text).toBe(
      'no model holds 20 fps with headroom (fps >= 1.5 x 20 = 30); the fastest is small at 20.0 fps',
    );
  });
  it('formats an aligned table', () => {
    expect(formatScoreTable(rows.slice(0, 2)).split('\n')).toEqual([
      'model   mAP50  mAP50-95   fps  p99 ms',
      'small   0.800     0.500  20.0    60.0',
      'medium  0.900     0.600   6.0   180.0',
    ]);
  });
});
