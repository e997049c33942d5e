import { describe, expect, it } from 'vitest';
import { decodeDetr, decodeDetrRaw } from '../../src/main/core/decoders/detr';
import { decodePaddleNms } from '../../src/main/core/decoders/paddle-nms';
import { DEFAULT_DECODE_PARAMS, type DecodeContext } from '../../src/main/core/decoders/types';
import { computeLetterbox, computeStretch } from '../../src/main/core/geometry';
import {
  PADDLE_PREPROCESS,
  STRETCH_UNIT_PREPROCESS,
  ULTRALYTICS_PREPROCESS,
  type ExtraInput,
  type ModelLayout,
  type Preprocess,
} from '../../src/main/core/model-layout';

function ctx(
  family: ModelLayout['family'],
  preprocess: Preprocess,
  extraInputs: ExtraInput[],
  letterbox = computeStretch(200, 100, 100, 100),
  scoreActivation: 'sigmoid' | 'softmax' = 'sigmoid',
): DecodeContext {
  return {
    layout: {
      family,
      task: 'detect',
      inputName: 'images',
      inputType: 'float32',
      inputLayout: 'nchw',
      inputWidthPx: 100,
      inputHeightPx: 100,
      extraInputs,
      numClasses: 3,
      outputNames: [],
      preprocess,
      scoreActivation,
    },
    letterbox,
    classNames: ['a', 'b', 'c'],
  };
}
const ORIG: ExtraInput = { name: 'orig_target_sizes', role: 'origSizeWh', type: 'int64', dims: [1, 2] };
const SCALE: ExtraInput = { name: 'scale_factor', role: 'scaleFactorHw', type: 'float32', dims: [1, 2] };
const t = (dims: number[], values: number[]) => ({ dims, data: Float32Array.from(values) });

describe('DETR labels/boxes/scores', () => {
  const outputs = [
    t([1, 3], [2, 0, 1]),
    t([1, 3, 4], [10, 20, 30, 40, 0, 0, 250, 90, 5, 5, 6, 6]),
    t([1, 3], [0.5, 0.9, 0.1]),
  ];
  it('with the photo size fed under a stretch, boxes are photo pixels (clipped), best first, no NMS', () => {
    const d = decodeDetr(outputs, ctx('detr', STRETCH_UNIT_PREPROCESS, [ORIG]), DEFAULT_DECODE_PARAMS);
    expect(d).toEqual([
      { classId: 0, className: 'a', score: Float32Array.from([0.9])[0], box: [0, 0, 200, 90] },
      { classId: 2, className: 'c', score: 0.5, box: [10, 20, 30, 40] },
    ]);
  });
  it('without a photo-size input, boxes are model-input pixels and get un-stretched', () => {
    const d = decodeDetr(outputs, ctx('detr', STRETCH_UNIT_PREPROCESS, []), DEFAULT_DECODE_PARAMS);
    // Photo 200x100 stretched to 100x100: x doubles, y stays.
    expect(d.map((x) => x.box)).toEqual([
      [0, 0, 200, 90],
      [20, 20, 60, 40],
    ]);
  });
});

describe('raw DETR head', () => {
  it('sigmoid: best class per query, normalised cxcywh of the input', () => {
    const logits = t([1, 2, 3], [0, 3, -1, -5, -5, -5]);
    const boxes = t([1, 2, 4], [0.5, 0.5, 0.25, 0.5, 0.125, 0.125, 0.125, 0.125]);
    const lb = computeLetterbox(200, 100, 100, 100); // scale 0.5, 25 rows of padding on top
    const d = decodeDetrRaw(
      [logits, boxes],
      ctx('detr-raw', ULTRALYTICS_PREPROCESS, [], lb),
      DEFAULT_DECODE_PARAMS,
    );
    expect(d).toHaveLength(1);
    expect(d[0]!.classId).toBe(1);
    expect(d[0]!.score).toBeCloseTo(1 / (1 + Math.exp(-3)), 12);
    expect(d[0]!.box).toEqual([75, 0, 125, 100]);
  });
  it('softmax: the last class is "no object" and never wins', () => {
    const logits = t([1, 2, 4], [2, 0, 0, 1, 0, 0, 0, 9]);
    const boxes = t([1, 2, 4], [0.5, 0.5, 0.25, 0.25, 0.5, 0.5, 0.25, 0.25]);
    const d = decodeDetrRaw(
      [logits, boxes],
      ctx('detr-raw', STRETCH_UNIT_PREPROCESS, [], computeStretch(100, 100, 100, 100), 'softmax'),
      { ...DEFAULT_DECODE_PARAMS, confThreshold: 0.01 },
    );
    const e = [Math.exp(2), 1, 1, Math.exp(1)];
    // Query 1 is "no object" (score of its best real class 1 / (3 + e⁹) ≈ 0.0001): dropped.
    expect(d.map((x) => [x.classId, x.box])).toEqual([[0, [37.5, 37.5, 62.5, 62.5]]]);
    expect(d[0]!.score).toBeCloseTo(e[0]! / e.reduce((a, b) => a + b), 12);
  });
});

describe('PaddleDetection [N,6] rows', () => {
  it('skips padding rows (class −1) and low scores, ignores row order, boxes in photo pixels', () => {
    const rows = t(
      [4, 6],
      [1, 0.3, 1, 2, 3, 4, 0, 0.8, 10, 10, 50, 60, -1, 0.99, 0, 0, 1, 1, 2, 0.1, 0, 0, 9, 9],
    );
    const d = decodePaddleNms([rows], ctx('paddle-nms', PADDLE_PREPROCESS, [SCALE]), DEFAULT_DECODE_PARAMS);
    expect(d.map((x) => [x.className, x.box])).toEqual([
      ['a', [10, 10, 50, 60]],
      ['b', [1, 2, 3, 4]],
    ]);
  });
});
