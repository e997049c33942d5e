import { describe, expect, it } from 'vitest';
import type { ModelFamily } from '../../src/shared/detection';
import { computeLetterbox, type Letterbox } from '../../src/main/core/geometry';
import { ULTRALYTICS_PREPROCESS, YOLOX_PREPROCESS, type ModelLayout } from '../../src/main/core/model-layout';
import type { RawTensor } from '../../src/main/core/tensor';
import { decoderFor } from '../../src/main/core/decoders/index';
import { decodeE2e } from '../../src/main/core/decoders/e2e';
import { decodeYolov5 } from '../../src/main/core/decoders/yolov5';
import { decodeYolov8 } from '../../src/main/core/decoders/yolov8';
import { decodeYolov8Seg } from '../../src/main/core/decoders/yolov8-seg';
import { decodeYolox, yoloxGrid } from '../../src/main/core/decoders/yolox';
import {
  DEFAULT_DECODE_PARAMS,
  type DecodeContext,
  type DecodeParams,
} from '../../src/main/core/decoders/types';

function layout(family: ModelFamily, numClasses: number, inputWidthPx = 64, inputHeightPx = 64): ModelLayout {
  return {
    family,
    task: family === 'yolov8-seg' ? 'segment' : 'detect',
    inputName: 'images',
    inputType: 'float32',
    inputLayout: 'nchw',
    extraInputs: [],
    scoreActivation: 'sigmoid',
    inputWidthPx,
    inputHeightPx,
    numClasses,
    outputNames: ['output0'],
    preprocess: family === 'yolox' ? YOLOX_PREPROCESS : ULTRALYTICS_PREPROCESS,
  };
}

function ctxOf(l: ModelLayout, letterbox: Letterbox): DecodeContext {
  return { layout: l, letterbox, classNames: Array.from({ length: l.numClasses }, (_, k) => `c${k}`) };
}

/** Row-major tensor from rows (dims [1, rows.length, rowLength]). */
function rowsTensor(rows: number[][]): RawTensor {
  return { dims: [1, rows.length, rows[0].length], data: Float32Array.from(rows.flat()) };
}

const params = (over: Partial<DecodeParams> = {}): DecodeParams => ({ ...DEFAULT_DECODE_PARAMS, ...over });

// 128×64 image into a 64×64 input: scale 0.5, resized 64×32, centred → padTop 16.
const LB_CENTRED = computeLetterbox(128, 64, 64, 64, true);
const LB_IDENTITY = computeLetterbox(64, 64, 64, 64, true);

describe('decodeYolov5', () => {
  // cx, cy, w, h, obj, cls0, cls1
  const out = rowsTensor([
    [32, 32, 16, 8, 0.75, 0.25, 0.5], // 0.375, class 1 (class 0 would be 0.1875 < conf)
    [33, 32, 16, 8, 0.5, 0, 0.625], // 0.3125, class 1, IoU 0.88 with row 0 → suppressed
    [33, 32, 16, 8, 0.5, 0.75, 0.125], // 0.375, class 0: other class, same place → kept
    [10, 10, 4, 4, 0.5, 0.4375, 0.4375], // cls alone ≥ 0.25 but obj × cls = 0.21875 → dropped
    [50, 50, 4, 4, 0.125, 1, 1], // obj below the threshold → dropped
  ]);
  const ctx = ctxOf(layout('yolov5', 2), LB_CENTRED);

  it('scores obj × cls, runs class-wise NMS and unletterboxes', () => {
    const dets = decodeYolov5([out], ctx, params());
    expect(dets).toEqual([
      { classId: 1, className: 'c1', score: 0.375, box: [48, 24, 80, 40] },
      { classId: 0, className: 'c0', score: 0.375, box: [50, 24, 82, 40] },
    ]);
  });

  it('honours classFilter and maxDet', () => {
    expect(decodeYolov5([out], ctx, params({ classFilter: new Set([0]) })).map((d) => d.classId)).toEqual([
      0,
    ]);
    expect(decodeYolov5([out], ctx, params({ maxDet: 1 })).map((d) => d.box)).toEqual([[48, 24, 80, 40]]);
    // Without NMS pressure (IoU 0.9), the same-class row 1 survives.
    expect(decodeYolov5([out], ctx, params({ iouThreshold: 0.9 }))).toHaveLength(3);
  });

  it('refuses a row length that does not match the class count', () => {
    expect(() => decodeYolov5([out], ctxOf(layout('yolov5', 3), LB_CENTRED), params())).toThrow(RangeError);
  });
});

describe('decodeYolox', () => {
  it('builds the grid row-major per stride for a non-square input', () => {
    const g = yoloxGrid(64, 32);
    // 8×4 + 4×2 + 2×1 cells.
    expect(g.gridX.length).toBe(42);
    expect([g.gridX[13], g.gridY[13], g.stride[13]]).toEqual([5, 1, 8]);
    expect([g.gridX[32], g.gridY[32], g.stride[32]]).toEqual([0, 0, 16]);
    expect([g.gridX[39], g.gridY[39], g.stride[39]]).toEqual([3, 1, 16]);
    expect([g.gridX[41], g.gridY[41], g.stride[41]]).toEqual([1, 0, 32]);
  });

  it('decodes grid offsets, exp sizes and strides on a 64×64 input', () => {
    // 8×8 + 4×4 + 2×2 = 84 rows of [x, y, logw, logh, obj, cls0, cls1].
    const rows = Array.from({ length: 84 }, () => [0, 0, 0, 0, 0, 0, 0]);
    // Stride 8, cell (gx 3, gy 2) = row 19: cx (0.5+3)·8 = 28, cy (0.25+2)·8 = 18, w 2·8, h 1·8.
    rows[19] = [0.5, 0.25, Math.log(2), 0, 0.5, 0.75, 0.25];
    // Stride 16, cell (gx 2, gy 1) = row 64 + 4 + 2 = 70: cx 32, cy 16, w 16, h 3·16.
    rows[70] = [0, 0, 0, Math.log(3), 1, 0.125, 0.5];
    // Stride 32, cell (gx 0, gy 1) = row 82: below the threshold (0.5 · 0.25).
    rows[82] = [0.5, 0.5, 0, 0, 0.5, 0.25, 0.25];
    // 128×96 image at top-left of the input: scale 0.5, no padding.
    const lb = computeLetterbox(128, 96, 64, 64, false);
    const dets = decodeYolox([rowsTensor(rows)], ctxOf(layout('yolox', 2), lb), params());
    expect(dets.map((d) => [d.classId, d.score])).toEqual([
      [1, 0.5],
      [0, 0.375],
    ]);
    // Input boxes [24, -8, 40, 40] and [20, 14, 36, 22], ÷ 0.5 and clipped to 128×96.
    const expected = [
      [48, 0, 80, 80],
      [40, 28, 72, 44],
    ];
    dets.forEach((d, i) => d.box.forEach((v, k) => expect(v).toBeCloseTo(expected[i][k], 4)));
  });

  it('refuses an output whose row count does not match the input grid', () => {
    const rows = Array.from({ length: 80 }, () => [0, 0, 0, 0, 0, 0, 0]);
    expect(() => decodeYolox([rowsTensor(rows)], ctxOf(layout('yolox', 2), LB_IDENTITY), params())).toThrow(
      /84 grid cells/,
    );
  });
});

describe('decodeE2e', () => {
  const out = rowsTensor([
    [10, 20, 30, 40, 0.875, 3],
    [12, 20, 30, 40, 0.5, 3], // overlaps row 0, same class: kept (the model already did NMS)
    [0, 24, 64, 40, 0.375, 1],
    [5, 5, 6, 6, 0.125, 0], // below threshold
    [0, 0, 0, 0, 0, 0], // padding
  ]);
  const ctx = ctxOf(layout('e2e', 4), LB_CENTRED);

  it('keeps rows above the threshold without NMS, unletterboxed', () => {
    const dets = decodeE2e([out], ctx, params());
    expect(dets).toEqual([
      { classId: 3, className: 'c3', score: 0.875, box: [20, 8, 60, 48] },
      { classId: 3, className: 'c3', score: 0.5, box: [24, 8, 60, 48] },
      { classId: 1, className: 'c1', score: 0.375, box: [0, 16, 128, 48] },
    ]);
  });

  it('honours classFilter and maxDet', () => {
    expect(decodeE2e([out], ctx, params({ classFilter: new Set([1]) })).map((d) => d.score)).toEqual([0.375]);
    expect(decodeE2e([out], ctx, params({ maxDet: 2 })).map((d) => d.score)).toEqual([0.875, 0.5]);
  });
});

describe('decodeYolov8Seg', () => {
  // Protos [1, 2, 16, 16]: channel 0 = 1; channel 1 = +1 left of proto column 8, −1 from it on.
  const protos: RawTensor = { dims: [1, 2, 16, 16], data: new Float32Array(2 * 256) };
  for (let j = 0; j < 16; j++)
    for (let i = 0; i < 16; i++) {
      protos.data[j * 16 + i] = 1;
      protos.data[256 + j * 16 + i] = i < 8 ? 1 : -1;
    }
  // Detections [1, 4 + 2 + 2, 3], column per anchor.
  const cols = [
    [32, 24, 48, 32, 0.125, 0.875, 0, 1], // box [8, 8, 56, 40], class 1, mask = left half
    [33, 24, 48, 32, 0.125, 0.75, 1, 0], // suppressed by anchor 0
    [10, 10, 4, 4, 0.125, 0.125, 1, 0], // below the threshold
  ];
  const det: RawTensor = { dims: [1, 8, 3], data: new Float32Array(24) };
  cols.forEach((c, a) => c.forEach((v, r) => (det.data[r * 3 + a] = v)));

  it('keeps one detection whose mask is the left half of its box', () => {
    const dets = decodeYolov8Seg([det, protos], ctxOf(layout('yolov8-seg', 2), LB_IDENTITY), params());
    expect(dets).toHaveLength(1);
    const d = dets[0];
    expect([d.classId, d.score, d.box]).toEqual([1, 0.875, [8, 8, 56, 40]]);
    // The logit crosses 0 at input x = 32: columns 8..31 × rows 8..39.
    expect(d.mask!.areaPx).toBe(24 * 32);
    expect(d.mask!.centroid).toEqual([20, 24]);
    expect(d.mask!.angleDeg).toBe(90);
    expect(new Set(d.mask!.polygon.map((p) => p.join(',')))).toEqual(
      new Set(['8,8', '32,8', '32,40', '8,40']),
    );
    expect(d.mask!.rle).toEqual({ width: 24, height: 32, counts: [0, 768] });
    expect(d.mask!.originXy).toEqual([8, 8]);
  });

  it('refuses a detection tensor whose rows do not fit classes + coefficients', () => {
    expect(() =>
      decodeYolov8Seg([det, protos], ctxOf(layout('yolov8-seg', 3), LB_IDENTITY), params()),
    ).toThrow(RangeError);
  });
});

describe('decoderFor', () => {
  it('maps every tensor family to its decoder and refuses classic', () => {
    expect(decoderFor('yolov8')).toBe(decodeYolov8);
    expect(decoderFor('yolov5')).toBe(decodeYolov5);
    expect(decoderFor('yolox')).toBe(decodeYolox);
    expect(decoderFor('e2e')).toBe(decodeE2e);
    expect(decoderFor('yolov8-seg')).toBe(decodeYolov8Seg);
    expect(() => decoderFor('classic')).toThrow(/classic/);
  });
});
