import { describe, expect, it } from 'vitest';
import { decodeSemantic, encodeClassMapRle, photoToOutputIndex } from '../../src/main/core/decoders/semantic';
import { DEFAULT_DECODE_PARAMS } from '../../src/main/core/decoders/types';
import { computeLetterbox, computeStretch } from '../../src/main/core/geometry';
import { STRETCH_UNIT_PREPROCESS, type ModelLayout } from '../../src/main/core/model-layout';

function layout(classAxis: 1 | 3, objectClassIds: number[] = [], minAreaPx = 1, inputPx = 4): ModelLayout {
  return {
    family: 'semantic',
    task: 'semantic',
    inputName: 'x',
    inputType: 'float32',
    inputLayout: 'nchw',
    inputWidthPx: inputPx,
    inputHeightPx: inputPx,
    extraInputs: [],
    numClasses: 3,
    outputNames: ['seg'],
    preprocess: STRETCH_UNIT_PREPROCESS,
    scoreActivation: 'sigmoid',
    semantic: {
      heads: [{ outputName: 'seg', name: 'seg', classAxis, classNames: ['bg', 'part', 'hole'] }],
      objectClassIds,
      minAreaPx,
    },
  };
}

/** 4×4 class map as 3-class one-hot logits (value 5 for the class, 0 otherwise). */
function logits(map: number[], classAxis: 1 | 3, hot = 5): Float32Array {
  const d = new Float32Array(3 * 16);
  map.forEach((c, i) => (d[classAxis === 1 ? c * 16 + i : i * 3 + c] = hot));
  return d;
}

// prettier-ignore
const MAP = [
  0, 1, 1, 0,
  0, 1, 1, 0,
  0, 0, 0, 2,
  0, 0, 0, 2,
];

describe('semantic decode', () => {
  it('NCHW and NHWC logits give the same class map, shares and RLE', () => {
    for (const axis of [1, 3] as const) {
      const dims = axis === 1 ? [1, 3, 4, 4] : [1, 4, 4, 3];
      const r = decodeSemantic(
        [{ dims, data: logits(MAP, axis) }],
        { layout: layout(axis), letterbox: computeStretch(8, 8, 4, 4), classNames: [] },
        DEFAULT_DECODE_PARAMS,
      );
      expect(r.segmentation.width).toBe(8);
      expect(r.segmentation.heads[0]!.classes).toEqual([
        { classId: 0, className: 'bg', pixels: 40, fraction: 40 / 64 },
        { classId: 1, className: 'part', pixels: 16, fraction: 16 / 64 },
        { classId: 2, className: 'hole', pixels: 8, fraction: 8 / 64 },
      ]);
      // Photo row 0: bg ×2, part ×4, bg ×2; rows 0-3 alike; rows 4-7 bg ×6 then hole ×2.
      expect(r.segmentation.heads[0]!.rle.counts.slice(0, 4)).toEqual([2, 4, 4, 4]);
      expect(r.segmentation.heads[0]!.rle.values.slice(0, 4)).toEqual([0, 1, 0, 1]);
      expect(r.detections).toEqual([]);
    }
  });

  it('object classes become regions with box, polygon, centroid, angle and mean probability', () => {
    const r = decodeSemantic(
      [{ dims: [1, 3, 4, 4], data: logits(MAP, 1) }],
      { layout: layout(1, [1, 2]), letterbox: computeStretch(8, 8, 4, 4), classNames: [] },
      DEFAULT_DECODE_PARAMS,
    );
    const p = Math.exp(5) / (Math.exp(5) + 2);
    expect(
      r.detections.map((d) => [d.className, d.box, d.mask!.areaPx, d.mask!.centroid, d.mask!.angleDeg]),
    ).toEqual([
      ['part', [2, 0, 6, 4], 16, [4, 2], 0],
      ['hole', [6, 4, 8, 8], 8, [7, 6], 90],
    ]);
    for (const d of r.detections) expect(d.score).toBeCloseTo(p, 6);
    // Regions under the minimum area are not objects.
    const big = decodeSemantic(
      [{ dims: [1, 3, 4, 4], data: logits(MAP, 1) }],
      { layout: layout(1, [1, 2], 10), letterbox: computeStretch(8, 8, 4, 4), classNames: [] },
      DEFAULT_DECODE_PARAMS,
    );
    expect(big.detections.map((d) => d.className)).toEqual(['part']);
  });

  it('probabilities are taken as they are', () => {
    const probs = new Float32Array(3 * 16);
    MAP.forEach((c, i) => {
      for (let k = 0; k < 3; k++) probs[k * 16 + i] = k === c ? 0.8 : 0.1;
    });
    const r = decodeSemantic(
      [{ dims: [1, 3, 4, 4], data: probs }],
      { layout: layout(1, [1]), letterbox: computeStretch(4, 4, 4, 4), classNames: [] },
      DEFAULT_DECODE_PARAMS,
    );
    expect(r.detections[0]!.score).toBeCloseTo(0.8, 6);
  });

  it('maps photo pixels through a letterbox to output cells', () => {
    // 8×4 photo into an 8×8 input: scale 1, pad 2 rows on top; output 4×4 (half the input).
    const lb = computeLetterbox(8, 4, 8, 8);
    expect(Array.from(photoToOutputIndex(4, 1, lb.padTopPx, 8, 4))).toEqual([1, 1, 2, 2]);
    expect(Array.from(photoToOutputIndex(8, 1, 0, 8, 4))).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
  });

  it('class map RLE', () => {
    expect(encodeClassMapRle([3, 3, 0, 0, 0, 1], 3, 2)).toEqual({
      width: 3,
      height: 2,
      values: [3, 0, 1],
      counts: [2, 3, 1],
    });
  });
});
