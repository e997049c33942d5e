import { describe, expect, it } from 'vitest';
import { computeLetterbox } from '../../src/main/core/geometry';
import { float16ToFloat32Array, float32ToFloat16Array } from '../../src/main/core/float16';
import { objectnessRowsFromFloat16 } from '../../src/main/core/float16-rows';
import { ULTRALYTICS_PREPROCESS, YOLOX_PREPROCESS, type ModelLayout } from '../../src/main/core/model-layout';
import { decodeYolov5 } from '../../src/main/core/decoders/yolov5';
import { decodeYolox } from '../../src/main/core/decoders/yolox';
import { DEFAULT_DECODE_PARAMS, type Decoder } from '../../src/main/core/decoders/types';

/** Deterministic pseudo-random values (LCG), so the test data is the same every run. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function layout(family: 'yolov5' | 'yolox', size: number, numClasses: number): ModelLayout {
  return {
    family,
    task: 'detect',
    inputName: 'images',
    inputType: 'float16',
    inputLayout: 'nchw',
    extraInputs: [],
    scoreActivation: 'sigmoid',
    inputWidthPx: size,
    inputHeightPx: size,
    numClasses,
    outputNames: ['output'],
    preprocess: family === 'yolox' ? YOLOX_PREPROCESS : ULTRALYTICS_PREPROCESS,
  };
}

/** Rows of [box(4), objectness, classes]: mostly low objectness, some high, as real heads give. */
function rowsBits(rows: number, cols: number, seed: number, box: (r: number) => number[]): Uint16Array {
  const rnd = lcg(seed);
  const v = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    v.set(box(r), o);
    v[o + 4] = rnd() < 0.05 ? 0.3 + 0.7 * rnd() : 0.2 * rnd();
    for (let c = 5; c < cols; c++) v[o + c] = rnd();
  }
  return float32ToFloat16Array(v);
}

describe('objectnessRowsFromFloat16', () => {
  const cases: [string, 'yolov5' | 'yolox', number, Decoder][] = [
    ['YOLOv5', 'yolov5', 64, decodeYolov5],
    ['YOLOX', 'yolox', 64, decodeYolox],
  ];
  it.each(cases)(
    '%s: decoding the lazy conversion gives exactly the full conversion',
    (_n, family, size, decode) => {
      const nc = 6;
      const cols = 5 + nc;
      // YOLOX rows are the grid cells of strides 8, 16, 32; YOLOv5 any count.
      const rows = family === 'yolox' ? (size / 8) ** 2 + (size / 16) ** 2 + (size / 32) ** 2 : 500;
      const rnd = lcg(7);
      const box =
        family === 'yolox'
          ? () => [rnd(), rnd(), rnd() * 2 - 1, rnd() * 2 - 1]
          : () => [rnd() * size, rnd() * size, 4 + rnd() * 20, 4 + rnd() * 20];
      const bits = rowsBits(rows, cols, 11, box);
      const l = layout(family, size, nc);
      const ctx = { layout: l, letterbox: computeLetterbox(size, size, size, size, true), classNames: [] };
      const dims = [1, rows, cols];
      for (const conf of [0, 0.1, 0.25, 0.6]) {
        const params = { ...DEFAULT_DECODE_PARAMS, confThreshold: conf };
        const full = decode([{ dims, data: float16ToFloat32Array(bits) }], ctx, params);
        // A reused buffer full of stale values: nothing of a skipped row but its objectness is read.
        const stale = new Float32Array(rows * cols).fill(1e6);
        const lazy = decode(
          [{ dims, data: objectnessRowsFromFloat16(bits, rows, cols, 4, conf, stale) }],
          ctx,
          params,
        );
        expect(lazy).toEqual(full);
        if (conf === 0.25) expect(full.length).toBeGreaterThan(0);
      }
    },
  );

  it('converts objectness everywhere and only the rows at or above the threshold', () => {
    const v = Float32Array.from([1, 2, 3, 4, 0.5, 0.25, 9, 9, 9, 9, 0.125, 7, 5, 5, 5, 5, NaN, 6]);
    const out = new Float32Array(18).fill(-1);
    objectnessRowsFromFloat16(float32ToFloat16Array(v), 3, 6, 4, 0.5, out);
    expect(Array.from(out)).toEqual([1, 2, 3, 4, 0.5, 0.25, -1, -1, -1, -1, 0.125, -1, 5, 5, 5, 5, NaN, 6]);
  });

  it('refuses buffers too short and an objectness column outside the row', () => {
    const bits = new Uint16Array(12);
    expect(() => objectnessRowsFromFloat16(bits, 3, 6, 4, 0.5, new Float32Array(18))).toThrow(
      'float16 output holds 12 values, need 18',
    );
    expect(() => objectnessRowsFromFloat16(bits, 2, 6, 4, 0.5, new Float32Array(6))).toThrow(
      'output holds 6 values, need 12',
    );
    expect(() => objectnessRowsFromFloat16(bits, 2, 6, 6, 0.5, new Float32Array(12))).toThrow(
      'objectness column 6 outside rows of 6 values',
    );
  });
});
