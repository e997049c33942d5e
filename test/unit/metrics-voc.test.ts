import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { xywhToXyxy } from '../../src/main/core/metrics/boxes';
import { BACKGROUND, cocoPrCurves, confusionMatrix } from '../../src/main/core/metrics/confusion';
import { evaluateCoco } from '../../src/main/core/metrics/coco-eval';
import {
  ap11Point,
  apAllPoint,
  evaluateVoc,
  vocIou,
  type VocDetection,
  type VocGroundTruth,
} from '../../src/main/core/metrics/voc-eval';
import { SHARED_DIR } from '../helpers/paths';

const CASE = join(SHARED_DIR, 'eval', 'voc-padilla-toy-cats');
const coco = JSON.parse(readFileSync(join(CASE, 'toy_example_coco.json'), 'utf8')) as {
  images: { id: number; file_name: string }[];
  annotations: { image_id: number; bbox: [number, number, number, number] }[];
};
const stemOf = new Map(coco.images.map((i) => [i.id, basename(i.file_name, '.jpg')]));
const gts: VocGroundTruth[] = coco.annotations.map((a) => ({
  imageKey: stemOf.get(a.image_id)!,
  className: 'cat',
  xyxy: xywhToXyxy(a.bbox),
}));
const detDir = join(CASE, 'dets_classname_abs_xywh');
const dets: VocDetection[] = readdirSync(detDir)
  .sort()
  .flatMap((f) =>
    readFileSync(join(detDir, f), 'utf8')
      .trim()
      .split('\n')
      .map((line) => {
        const [className, score, x, y, w, h] = line.split(' ');
        return {
          imageKey: basename(f, '.txt'),
          className: className!,
          score: Number(score),
          xyxy: xywhToXyxy([Number(x), Number(y), Number(w), Number(h)]),
        };
      }),
  );

describe('voc-padilla-toy-cats (published Padilla values)', () => {
  it('IoU 0.5: 11-point 88.64 %, all-point 89.58 %, 11 TP of 12', () => {
    const r = evaluateVoc(gts, dets, 0.5);
    const cat = r.perClass[0]!;
    expect((cat.ap11 * 100).toFixed(2)).toBe('88.64');
    expect((cat.apAll * 100).toFixed(2)).toBe('89.58');
    expect(cat.ap11).toBeCloseTo(39 / 44, 12);
    expect(cat.apAll).toBeCloseTo(43 / 48, 12);
    expect(cat.tpSequence.join(' ')).toBe('1 1 1 1 1 1 1 1 0 1 1 1');
    expect([cat.tp, cat.fp, cat.positives]).toEqual([11, 1, 12]);
    expect(r.mAP11).toBe(cat.ap11);
  });
  it('IoU 0.75: 11-point 49.24 %, all-point 50.97 %, 8 TP', () => {
    const cat = evaluateVoc(gts, dets, 0.75).perClass[0]!;
    expect((cat.ap11 * 100).toFixed(2)).toBe('49.24');
    expect((cat.apAll * 100).toFixed(2)).toBe('50.97');
    expect(cat.ap11).toBeCloseTo(65 / 132, 12);
    expect(cat.apAll).toBeCloseTo(367 / 720, 12);
    expect(cat.tpSequence.join(' ')).toBe('1 0 1 0 1 1 1 1 0 1 0 1');
    expect([cat.tp, cat.fp]).toEqual([8, 4]);
  });
});

describe('VOC rules', () => {
  it('uses the +1 pixel overlap', () => {
    // Two 10x10-pixel boxes (0..9) overlapping in 5 columns.
    expect(vocIou([0, 0, 9, 9], [5, 0, 14, 9])).toBe(50 / 150);
    // Touching corners share one pixel under the +1 rule.
    expect(vocIou([0, 0, 9, 9], [9, 9, 18, 18])).toBe(1 / 199);
  });
  it('a detection whose best ground truth is taken is an FP even if another one overlaps enough', () => {
    const g: VocGroundTruth[] = [
      { imageKey: 'a', className: 'x', xyxy: [0, 0, 99, 99] },
      { imageKey: 'a', className: 'x', xyxy: [20, 0, 119, 99] },
    ];
    const d: VocDetection[] = [
      { imageKey: 'a', className: 'x', xyxy: [0, 0, 99, 99], score: 0.9 },
      { imageKey: 'a', className: 'x', xyxy: [5, 0, 104, 99], score: 0.8 },
    ];
    expect(evaluateVoc(g, d, 0.5).perClass[0]!.tpSequence).toEqual([1, 0]);
  });
  it('interpolates 11-point and all-point AP', () => {
    expect(ap11Point([0.5, 0.5, 1], [1, 0.5, 2 / 3])).toBeCloseTo((6 + 5 * (2 / 3)) / 11, 12);
    expect(apAllPoint([0.5, 0.5, 1], [1, 0.5, 2 / 3])).toBeCloseTo(0.5 + 0.5 * (2 / 3), 12);
  });
  it('a class with detections but no ground truth gets -1 and stays out of the mean', () => {
    const r = evaluateVoc(
      [{ imageKey: 'a', className: 'x', xyxy: [0, 0, 9, 9] }],
      [
        { imageKey: 'a', className: 'x', xyxy: [0, 0, 9, 9], score: 0.9 },
        { imageKey: 'a', className: 'y', xyxy: [0, 0, 9, 9], score: 0.9 },
      ],
      0.5,
    );
    expect(r.perClass.map((c) => [c.className, c.ap11, c.apAll, c.fp])).toEqual([
      ['x', 1, 1, 0],
      ['y', -1, -1, 1],
    ]);
    expect(r.mAPAll).toBe(1);
  });
});

describe('confusion matrix and PR curves', () => {
  it('counts hits, class confusions, misses and false alarms', () => {
    const m = confusionMatrix(
      ['dog', 'cat'],
      [
        { imageKey: 'a', className: 'dog', xyxy: [0, 0, 10, 10] },
        { imageKey: 'a', className: 'cat', xyxy: [20, 0, 30, 10] },
        { imageKey: 'b', className: 'cat', xyxy: [0, 0, 10, 10] },
      ],
      [
        { imageKey: 'a', className: 'dog', xyxy: [0, 0, 10, 10], score: 0.9 },
        { imageKey: 'a', className: 'dog', xyxy: [20, 0, 30, 10], score: 0.8 },
        { imageKey: 'a', className: 'cat', xyxy: [50, 50, 60, 60], score: 0.7 },
        { imageKey: 'b', className: 'cat', xyxy: [0, 0, 10, 10], score: 0.1 },
      ],
      0.25,
      0.5,
    );
    expect(m.labels).toEqual(['dog', 'cat', BACKGROUND]);
    expect(m.counts).toEqual([
      [1, 0, 0],
      [1, 0, 1],
      [0, 1, 0],
    ]);
  });
  it('gives 101-point curves for classes with ground truth only', () => {
    const r = evaluateCoco({
      imageIds: [1],
      categoryIds: [1, 2],
      groundTruths: [{ imageId: 1, categoryId: 1, bboxXywh: [0, 0, 50, 50], areaPx2: 2500, iscrowd: false }],
      detections: [{ imageId: 1, categoryId: 1, bboxXywh: [0, 0, 50, 50], score: 0.5 }],
    });
    const curves = cocoPrCurves(r);
    expect(curves.map((c) => c.categoryId)).toEqual([1]);
    expect(curves[0]!.points).toHaveLength(101);
    expect(curves[0]!.points[100]!.recall).toBe(1);
    expect(curves[0]!.points[100]!.precision).toBeCloseTo(1, 12);
  });
});
