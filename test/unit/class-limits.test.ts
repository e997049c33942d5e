import { describe, expect, it } from 'vitest';
import type { Homography3x3 } from '../../src/main/core/calibration';
import {
  ClassLimitSchema,
  ClassLimitsSchema,
  classLimitProblems,
  classLimitsFromFlags,
  decodeConfThreshold,
  detectionArea,
  detectionsForPlc,
  judgeDetection,
  judgeDetections,
  type ClassLimits,
} from '../../src/main/core/class-limits';
import type { Detection } from '../../src/shared/detection';

const det = (className: string, score: number, box: [number, number, number, number]): Detection => ({
  classId: className.length,
  className,
  score,
  box,
});

const px = { globalConfThreshold: 0.25, homographyPxToMm: null };
// 0.5 mm per pixel in both axes, shifted: 1 px² = 0.25 mm².
const halfMm: Homography3x3 = [0.5, 0, 10, 0, 0.5, -4, 0, 0, 1];

const limits = (classes: Record<string, object>, othersEnabled = true): ClassLimits =>
  ClassLimitsSchema.parse({ classes, othersEnabled });

describe('class limits', () => {
  it('keeps a class without an entry above the global threshold, filters below', () => {
    const l = limits({});
    expect(judgeDetection(det('cup', 0.25, [0, 0, 10, 10]), l, px)).toEqual({ kept: true });
    expect(judgeDetection(det('cup', 0.2, [0, 0, 10, 10]), l, px)).toEqual({
      kept: false,
      reason: 'belowClassConf',
      detail: 'score 0.2 < 0.25 (cup)',
    });
  });

  it('a per-class threshold overrides the global one both ways', () => {
    const l = limits({ bottle: { confThreshold: 0.1 }, person: { confThreshold: 0.6 } });
    expect(judgeDetection(det('bottle', 0.15, [0, 0, 1, 1]), l, px).kept).toBe(true);
    expect(judgeDetection(det('person', 0.59, [0, 0, 1, 1]), l, px)).toMatchObject({
      reason: 'belowClassConf',
      detail: 'score 0.59 < 0.6 (person)',
    });
    expect(decodeConfThreshold(l, 0.25)).toBe(0.1);
    // A disabled class does not lower the decoder's threshold.
    expect(decodeConfThreshold(limits({ a: { enabled: false, confThreshold: 0.05 } }), 0.25)).toBe(0.25);
  });

  it('disabled classes and othersEnabled', () => {
    const l = limits({ bolt: {}, nut: { enabled: false } }, false);
    expect(judgeDetection(det('bolt', 0.9, [0, 0, 1, 1]), l, px).kept).toBe(true);
    expect(judgeDetection(det('nut', 0.9, [0, 0, 1, 1]), l, px)).toEqual({
      kept: false,
      reason: 'classDisabled',
      detail: "class 'nut' is switched off",
    });
    expect(judgeDetection(det('washer', 0.9, [0, 0, 1, 1]), l, px)).toMatchObject({
      reason: 'classDisabled',
    });
  });

  it('area in pixels: box area, or the mask pixel count when there is a mask', () => {
    const l = limits({ part: { minArea: 100, maxArea: 400 } });
    expect(judgeDetection(det('part', 0.9, [0, 0, 10, 10]), l, px)).toEqual({ kept: true });
    expect(judgeDetection(det('part', 0.9, [0, 0, 10, 9.9]), l, px)).toEqual({
      kept: false,
      reason: 'areaTooSmall',
      detail: 'area 99 px < 100 px (part)',
    });
    expect(judgeDetection(det('part', 0.9, [0, 0, 20, 21]), l, px)).toMatchObject({
      reason: 'areaTooLarge',
      detail: 'area 420 px > 400 px (part)',
    });
    const withMask: Detection = {
      ...det('part', 0.9, [0, 0, 20, 20]),
      mask: { areaPx: 150, polygon: [], angleDeg: 0, centroid: [10, 10] },
    };
    expect(detectionArea(withMask, 'px', null)).toBe(150);
    expect(judgeDetection(withMask, l, px).kept).toBe(true);
  });

  it('area in mm² through the homography', () => {
    const box = det('part', 0.9, [100, 100, 140, 120]); // 40 × 20 px = 800 px² = 200 mm²
    expect(detectionArea(box, 'mm2', halfMm)).toBe(200);
    const withMask: Detection = { ...box, mask: { areaPx: 400, polygon: [], angleDeg: 0, centroid: [0, 0] } };
    expect(detectionArea(withMask, 'mm2', halfMm)).toBe(100);
    const l = limits({ part: { areaUnit: 'mm2', minArea: 150, maxArea: 199 } });
    const ctx = { globalConfThreshold: 0.25, homographyPxToMm: halfMm };
    expect(judgeDetection(box, l, ctx)).toEqual({
      kept: false,
      reason: 'areaTooLarge',
      detail: 'area 200 mm² > 199 mm² (part)',
    });
    expect(judgeDetection(withMask, l, ctx)).toMatchObject({ reason: 'areaTooSmall' });
    // Without a calibration an mm² limit cannot be met: never sent as if within limits.
    expect(judgeDetection(box, l, px)).toMatchObject({ kept: false, reason: 'areaTooSmall' });
  });

  it('aspect ratio = width / height', () => {
    const l = limits({ rod: { minAspect: 2, maxAspect: 4 } });
    expect(judgeDetection(det('rod', 0.9, [0, 0, 20, 10]), l, px).kept).toBe(true);
    expect(judgeDetection(det('rod', 0.9, [0, 0, 15, 10]), l, px)).toEqual({
      kept: false,
      reason: 'aspectTooLow',
      detail: 'aspect 1.5 < 2 (rod)',
    });
    expect(judgeDetection(det('rod', 0.9, [0, 0, 50, 10]), l, px)).toMatchObject({ reason: 'aspectTooHigh' });
  });

  it('judgeDetections keeps order; the PLC gets only kept classes that are sent', () => {
    const l = limits({ a: {}, b: { sendToPlc: false }, c: { enabled: false } });
    const ds = [det('a', 0.9, [0, 0, 1, 1]), det('b', 0.9, [0, 0, 1, 1]), det('c', 0.9, [0, 0, 1, 1])];
    const j = judgeDetections(ds, l, px);
    expect(j.kept).toEqual([ds[0], ds[1]]);
    expect(j.filtered).toEqual([
      { detection: ds[2], reason: 'classDisabled', detail: "class 'c' is switched off" },
    ]);
    expect(detectionsForPlc(j.kept, l)).toEqual([ds[0]]);
  });

  it('schema refuses inverted ranges with the field named', () => {
    const r = ClassLimitSchema.safeParse({ minArea: 10, maxArea: 5 });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(['maxArea']);
    expect(r.error!.issues[0]!.message).toBe('must be at least minArea (10)');
    expect(ClassLimitSchema.safeParse({ confThreshold: 1.5 }).success).toBe(false);
    expect(ClassLimitSchema.safeParse({ colour: 'red' }).success).toBe(false);
  });

  it('problems: unknown names and mm² without calibration', () => {
    const l = limits({ bottel: {}, cup: { areaUnit: 'mm2', minArea: 1 } });
    expect(classLimitProblems(l, ['person', 'bottle', 'cup'], false)).toEqual([
      "unknown class 'bottel' (the model has: person, bottle, cup)",
      "area limits in mm² for 'cup' need a pixel → mm calibration",
    ]);
    expect(classLimitProblems(limits({ cup: {} }), ['cup'], false)).toEqual([]);
  });

  it('from flags: --classes is the whitelist, --class-conf sets thresholds', () => {
    const l = classLimitsFromFlags(
      ['bottle', 'cup'],
      [
        ['bottle', 0.4],
        ['person', 0.1],
      ],
    );
    expect(l.othersEnabled).toBe(false);
    expect(l.classes['bottle']).toMatchObject({ enabled: true, confThreshold: 0.4 });
    expect(l.classes['cup']).toMatchObject({ enabled: true, confThreshold: null });
    expect(l.classes['person']).toMatchObject({ enabled: false, confThreshold: 0.1 });
    expect(decodeConfThreshold(l, 0.25)).toBe(0.25);
    const open = classLimitsFromFlags(null, [['person', 0.1]]);
    expect(open.othersEnabled).toBe(true);
    expect(open.classes['person']).toMatchObject({ enabled: true, confThreshold: 0.1 });
  });
});
