import { describe, expect, it } from 'vitest';
import { float16BitsToNumber, float32ToFloat16Array } from '../../src/main/core/float16';
import { float16ChannelLuts, float32ChannelLuts } from '../../src/main/core/input-lut';
import {
  PADDLE_PREPROCESS,
  ULTRALYTICS_PREPROCESS,
  YOLOX_PREPROCESS,
  type Preprocess,
} from '../../src/main/core/model-layout';

/**
 * Reference float → half independent of numberToFloat16Bits: the nearest of all finite halves by
 * value (binary search over the sorted positive halves), ties to the even bit pattern.
 */
const positiveHalves = Array.from({ length: 0x7c00 }, (_, b) => b); // 0 .. 65504, increasing
function referenceHalfBits(x: number): number {
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  let lo = 0;
  let hi = positiveHalves.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (float16BitsToNumber(mid) <= a) lo = mid;
    else hi = mid - 1;
  }
  let bits = lo;
  if (lo < 0x7bff) {
    const below = a - float16BitsToNumber(lo);
    const above = float16BitsToNumber(lo + 1) - a;
    if (above < below || (above === below && (lo & 1) === 1)) bits = lo + 1;
  }
  return sign | bits;
}

const PREPROCESSES: [string, Preprocess][] = [
  ['Ultralytics /255', ULTRALYTICS_PREPROCESS],
  ['YOLOX 0..255', YOLOX_PREPROCESS],
  ['ImageNet mean/std', PADDLE_PREPROCESS],
  ['odd per-channel', { ...PADDLE_PREPROCESS, mean: [0.5, 200, 77.7], std: [0.3, 3, 1000] }],
];

describe('input lookup tables', () => {
  it.each(PREPROCESSES)('%s: float32 table is (v - mean) / std per channel', (_n, pre) => {
    const luts = float32ChannelLuts(pre);
    for (let c = 0; c < 3; c++)
      for (let v = 0; v < 256; v++) expect(luts[c][v]).toBe(Math.fround((v - pre.mean[c]) / pre.std[c]));
  });

  it.each(PREPROCESSES)(
    '%s: float16 table equals the reference conversion on all 256 values × 3 channels',
    (_n, pre) => {
      const f32 = float32ChannelLuts(pre);
      const f16 = float16ChannelLuts(pre);
      for (let c = 0; c < 3; c++) {
        const expected = Array.from(f32[c], (x) => referenceHalfBits(x));
        expect(Array.from(f16[c])).toEqual(expected);
        // And what the per-element path (float32 input converted afterwards) gave.
        expect(Array.from(f16[c])).toEqual(Array.from(float32ToFloat16Array(f32[c])));
      }
    },
  );

  it('caches the tables per preprocess object', () => {
    expect(float16ChannelLuts(YOLOX_PREPROCESS)).toBe(float16ChannelLuts(YOLOX_PREPROCESS));
    expect(float32ChannelLuts(YOLOX_PREPROCESS)).toBe(float32ChannelLuts(YOLOX_PREPROCESS));
  });

  it('rounds YOLOX 0..255 exactly (every integer up to 2048 is a half)', () => {
    const [r] = float16ChannelLuts(YOLOX_PREPROCESS);
    expect(float16BitsToNumber(r[255])).toBe(255);
    expect(float16BitsToNumber(r[114])).toBe(114);
  });
});
