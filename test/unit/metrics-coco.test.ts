import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  COCO_IOU_THRESHOLDS,
  COCO_RECALL_THRESHOLDS,
  cocoIou,
  evaluateCoco,
  linspace,
  stableArgsort,
  type CocoDetection,
  type CocoGroundTruth,
} from '../../src/main/core/metrics/coco-eval';
import { SHARED_DIR } from '../helpers/paths';

const CASE = join(SHARED_DIR, 'eval', 'coco-torchmetrics-4img');
interface GtFile {
  images: { id: number }[];
  categories: { id: number; name: string }[];
  annotations: {
    image_id: number;
    category_id: number;
    bbox: [number, number, number, number];
    area: number;
    iscrowd: number;
  }[];
}
interface DtRow {
  image_id: number;
  category_id: number;
  bbox: [number, number, number, number];
  score: number;
}
const gtFile = JSON.parse(readFileSync(join(CASE, 'coco_gt_converted.json'), 'utf8')) as GtFile;
const dtFile = JSON.parse(readFileSync(join(CASE, 'coco_dets_converted.json'), 'utf8')) as DtRow[];
const groundTruths: CocoGroundTruth[] = gtFile.annotations.map((a) => ({
  imageId: a.image_id,
  categoryId: a.category_id,
  bboxXywh: a.bbox,
  areaPx2: a.area,
  iscrowd: a.iscrowd === 1,
}));
const detections: CocoDetection[] = dtFile.map((d) => ({
  imageId: d.image_id,
  categoryId: d.category_id,
  bboxXywh: d.bbox,
  score: d.score,
}));

describe('COCO thresholds', () => {
  it('builds IoU thresholds like numpy.linspace and recall thresholds as i*0.01', () => {
    expect(COCO_IOU_THRESHOLDS).toHaveLength(10);
    expect(COCO_IOU_THRESHOLDS[0]).toBe(0.5);
    expect(COCO_IOU_THRESHOLDS[5]).toBe(0.75);
    expect(COCO_IOU_THRESHOLDS[9]).toBe(0.95);
    // numpy.linspace(.5, .95, 10)[1] is 0.55 computed as 1*step + 0.5, not the literal 0.55.
    expect(COCO_IOU_THRESHOLDS[1]).toBe((0.95 - 0.5) / 9 + 0.5);
    expect(COCO_RECALL_THRESHOLDS).toHaveLength(101);
    expect(COCO_RECALL_THRESHOLDS[7]).toBe(0.07);
    expect(COCO_RECALL_THRESHOLDS[29]).toBe(29 * 0.01);
    expect(linspace(0, 1, 11)[3]).toBe(3 * 0.1);
  });
  it('sorts stably like mergesort', () => {
    expect(stableArgsort([-0.9, -0.95, -0.9, -0.95])).toEqual([1, 3, 0, 2]);
  });
  it('computes crowd IoU over the detection area', () => {
    expect(cocoIou([0, 0, 10, 10], [5, 0, 10, 10], false)).toBe(50 / 150);
    expect(cocoIou([0, 0, 10, 10], [5, 0, 10, 10], true)).toBe(50 / 100);
    expect(cocoIou([0, 0, 10, 10], [10, 0, 10, 10], false)).toBe(0);
  });
});

describe('coco-torchmetrics-4img (pycocotools published values)', () => {
  const r = evaluateCoco({
    imageIds: gtFile.images.map((i) => i.id),
    categoryIds: gtFile.categories.map((c) => c.id),
    groundTruths,
    detections,
  });
  it('reproduces the 12 stats to 3 decimals', () => {
    const s = r.stats;
    expect(
      [
        s.AP,
        s.AP50,
        s.AP75,
        s.APsmall,
        s.APmedium,
        s.APlarge,
        s.AR1,
        s.AR10,
        s.AR100,
        s.ARsmall,
        s.ARmedium,
        s.ARlarge,
      ].map((v) => v.toFixed(3)),
    ).toEqual([
      '0.706',
      '0.901',
      '0.846',
      '0.689',
      '0.800',
      '0.701',
      '0.592',
      '0.716',
      '0.716',
      '0.767',
      '0.800',
      '0.700',
    ]);
  });
  it('matches the derived full-precision values', () => {
    expect(r.stats.AP).toBeCloseTo(0.70602, 5);
    expect(r.stats.AP50).toBeCloseTo(0.90099, 5);
    expect(r.stats.AP75).toBeCloseTo(0.845545, 6);
    expect(r.stats.APsmall).toBeCloseTo(0.688779, 6);
    expect(r.stats.APlarge).toBeCloseTo(0.701238, 6);
    expect(r.stats.ARsmall).toBeCloseTo(0.766667, 6);
  });
  it('reproduces per-class AP and AR100, -1 for the class without ground truth', () => {
    expect(r.perClass.map((c) => c.categoryId)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(r.perClass.map((c) => c.AP.toFixed(3))).toEqual([
      '0.725',
      '0.800',
      '0.454',
      '-1.000',
      '0.650',
      '0.900',
    ]);
    expect(r.perClass.map((c) => c.AR100.toFixed(3))).toEqual([
      '0.780',
      '0.800',
      '0.450',
      '-1.000',
      '0.650',
      '0.900',
    ]);
    expect(r.perClass[0]!.AP).toBeCloseTo(0.725149, 6);
    expect(r.perClass[2]!.AP).toBeCloseTo(0.454455, 6);
    expect(r.perClass[4]!.AP).toBeCloseTo(0.650495, 6);
  });
});

describe('COCO matching rules', () => {
  const box = (x: number): [number, number, number, number] => [x, 0, 100, 100];
  const gt = (imageId: number, x: number, extra: Partial<CocoGroundTruth> = {}): CocoGroundTruth => ({
    imageId,
    categoryId: 1,
    bboxXywh: box(x),
    areaPx2: 10_000,
    iscrowd: false,
    ...extra,
  });
  const dt = (imageId: number, x: number, score: number): CocoDetection => ({
    imageId,
    categoryId: 1,
    bboxXywh: box(x),
    score,
  });
  it('a duplicate detection is an FP; precision envelope and 101-point sampling', () => {
    const r = evaluateCoco({
      imageIds: [1],
      categoryIds: [1],
      groundTruths: [gt(1, 0), gt(1, 500)],
      detections: [dt(1, 0, 0.9), dt(1, 0, 0.8), dt(1, 500, 0.7)],
    });
    // tp fp tp: recall 0.5 at precision 1, recall 1 at precision 2/3.
    expect(r.stats.AP50).toBeCloseTo((51 * 1 + 50 * (2 / 3)) / 101, 12);
    expect(r.stats.AR100).toBe(1);
    expect(r.stats.AR1).toBe(0.5);
  });
  it('equal scores keep input order across images (mergesort), which changes AP', () => {
    // Image 1's detection is an FP, image 2's a TP, both at 0.5: image 1 first gives fp, tp.
    const r = evaluateCoco({
      imageIds: [2, 1],
      categoryIds: [1],
      groundTruths: [gt(2, 0), gt(1, 0)],
      detections: [dt(1, 300, 0.5), dt(2, 0, 0.5)],
    });
    // Sorted image ids [1, 2]: fp then tp; recall 0.5 reached at precision 0.5.
    expect(r.stats.AP50).toBeCloseTo((51 * 0.5) / 101, 12);
  });
  it('crowd ground truth is ignored: a detection on it is neither TP nor FP, and may match it twice', () => {
    const r = evaluateCoco({
      imageIds: [1],
      categoryIds: [1],
      groundTruths: [gt(1, 0), gt(1, 500, { iscrowd: true })],
      detections: [dt(1, 500, 0.95), dt(1, 500, 0.9), dt(1, 0, 0.5)],
    });
    expect(r.stats.AP).toBeCloseTo(1, 12);
  });
  it('area ranges use the annotation area field, and unmatched detections outside the range are ignored', () => {
    const r = evaluateCoco({
      imageIds: [1],
      categoryIds: [1],
      // A 100x100 box whose annotation claims 500 px²: small, not large.
      groundTruths: [gt(1, 0, { areaPx2: 500 })],
      detections: [dt(1, 0, 0.9), dt(1, 400, 0.8)],
    });
    expect(r.stats.APsmall).toBeCloseTo(1, 12);
    expect(r.stats.APlarge).toBe(-1);
    expect(r.stats.APmedium).toBe(-1);
  });
  it('maxDets keeps the highest-scoring detections per image and class', () => {
    const r = evaluateCoco({
      imageIds: [1],
      categoryIds: [1],
      groundTruths: [gt(1, 0)],
      detections: [dt(1, 400, 0.9), dt(1, 0, 0.8)],
    });
    expect(r.stats.AR1).toBe(0);
    expect(r.stats.AR10).toBe(1);
  });
});
