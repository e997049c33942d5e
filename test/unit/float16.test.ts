import { describe, expect, it } from 'vitest';
import {
  float16BitsToNumber,
  float16ToFloat32Array,
  float32ToFloat16Array,
  numberToFloat16Bits,
} from '../../src/main/core/float16';

describe('float16 decode', () => {
  it.each([
    [0x0000, 0],
    [0x3c00, 1],
    [0xc000, -2],
    [0x3555, 0.333251953125],
    [0x7bff, 65504],
    [0x0400, 2 ** -14],
    [0x0001, 2 ** -24],
    [0x03ff, 1023 * 2 ** -24],
    [0x7c00, Infinity],
    [0xfc00, -Infinity],
  ])('bits %i → %s', (bits, value) => {
    expect(float16BitsToNumber(bits)).toBe(value);
  });

  it('keeps negative zero and NaN', () => {
    expect(Object.is(float16BitsToNumber(0x8000), -0)).toBe(true);
    expect(float16BitsToNumber(0x7e00)).toBeNaN();
    expect(float16BitsToNumber(0xfc01)).toBeNaN();
  });
});

describe('float16 encode', () => {
  it.each([
    [1, 0x3c00],
    [-2, 0xc000],
    [65504, 0x7bff],
    [65519, 0x7bff], // below the half-way point to 65536
    [65520, 0x7c00], // half-way rounds to even = overflow → Infinity
    [1e9, 0x7c00],
    [-1e9, 0xfc00],
    [1 + 2 ** -11, 0x3c00], // tie → even mantissa 0
    [1 + 3 * 2 ** -11, 0x3c02], // tie → even mantissa 2
    [1 + 2 ** -11 + 2 ** -20, 0x3c01], // just above the tie
    [2 ** -14, 0x0400],
    [2 ** -14 - 2 ** -24, 0x03ff], // largest subnormal
    [2 ** -24, 0x0001],
    [1.5 * 2 ** -24, 0x0002], // tie between 1 and 2 → 2
    [2.5 * 2 ** -24, 0x0002], // tie between 2 and 3 → 2
    [2 ** -25, 0x0000], // tie between 0 and 1 → 0
    [2 ** -25 * 1.0001, 0x0001],
    [1023.5 * 2 ** -24, 0x0400], // rounds up out of the subnormals into the smallest normal
    [1e-10, 0x0000],
    [-1e-10, 0x8000],
    [Infinity, 0x7c00],
    [-Infinity, 0xfc00],
  ])('%s → bits %i', (value, bits) => {
    expect(numberToFloat16Bits(value)).toBe(bits);
  });

  it('maps NaN to a NaN pattern and -0 to 0x8000', () => {
    const nan = numberToFloat16Bits(NaN);
    expect(nan & 0x7c00).toBe(0x7c00);
    expect(nan & 0x3ff).not.toBe(0);
    expect(numberToFloat16Bits(-0)).toBe(0x8000);
  });

  it('round-trips every one of the 65536 half bit patterns (NaNs stay NaN)', () => {
    const all = new Uint16Array(65536);
    for (let b = 0; b < 65536; b++) all[b] = b;
    const asFloat = float16ToFloat32Array(all);
    const back = float32ToFloat16Array(asFloat);
    let mismatches = 0;
    for (let b = 0; b < 65536; b++) {
      const isNaNPattern = (b & 0x7c00) === 0x7c00 && (b & 0x3ff) !== 0;
      if (isNaNPattern) {
        if (!Number.isNaN(asFloat[b]) || (back[b] & 0x7c00) !== 0x7c00 || (back[b] & 0x3ff) === 0)
          mismatches++;
      } else if (back[b] !== b || asFloat[b] !== float16BitsToNumber(b)) mismatches++;
    }
    expect(mismatches).toBe(0);
  });

  it('rounds float32 values between neighbouring halves to the nearer one', () => {
    // Midpoints between consecutive positive finite halves, nudged either way by one float32 ulp.
    const nudge = new Float32Array(3);
    for (let b = 0; b < 0x7bff; b += 97) {
      const lo = float16BitsToNumber(b);
      const hi = float16BitsToNumber(b + 1);
      nudge[0] = (lo + hi) / 2;
      const mid = nudge[0];
      nudge[1] = mid * (1 - 2 ** -23);
      nudge[2] = mid * (1 + 2 ** -23);
      const bits = float32ToFloat16Array(nudge);
      expect(bits[0]).toBe(b % 2 === 0 ? b : b + 1);
      if (nudge[1] > lo) expect(bits[1]).toBe(b);
      expect(bits[2]).toBe(b + 1);
    }
  });

  it('reuses a caller buffer and refuses a short one', () => {
    const out = new Float32Array(4);
    expect(float16ToFloat32Array(Uint16Array.from([0x3c00, 0x4000]), out)).toBe(out);
    expect(Array.from(out)).toEqual([1, 2, 0, 0]);
    expect(() => float32ToFloat16Array(new Float32Array(3), new Uint16Array(2))).toThrow(RangeError);
  });
});
