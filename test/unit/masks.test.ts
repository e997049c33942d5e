import { describe, expect, it } from 'vitest';
import { computeLetterbox } from '../../src/main/core/geometry';
import { protoMaskInfo, rasterizeProtoMask } from '../../src/main/core/masks';
import type { RawTensor } from '../../src/main/core/tensor';

/** Protos [1, nm, hp, wp] with channel k filled by fns[k](i, j). */
function makeProtos(hp: number, wp: number, fns: ((i: number, j: number) => number)[]): RawTensor {
  const data = new Float32Array(fns.length * hp * wp);
  fns.forEach((f, k) => {
    for (let j = 0; j < hp; j++) for (let i = 0; i < wp; i++) data[k * hp * wp + j * wp + i] = f(i, j);
  });
  return { dims: [1, fns.length, hp, wp], data };
}

const one = (): number => 1;
const leftHalf = (i: number): number => (i < 8 ? 1 : -1);
const topQuarter = (_i: number, j: number): number => (j < 4 ? 1 : -1);

describe('rasterizeProtoMask', () => {
  it('crops to the pixels whose centres lie in the box', () => {
    const protos = makeProtos(16, 16, [one, leftHalf]);
    const lb = computeLetterbox(64, 64, 64, 64);
    // Centres x 10.5..19.5, y 6.5..9.5 → 10 × 4 pixels, all positive (coef only on the constant plane).
    const m = rasterizeProtoMask([1, 0], protos, [10.2, 5.7, 20.4, 9.5], lb)!;
    expect([m.widthPx, m.heightPx, m.originXy]).toEqual([10, 4, [10, 6]]);
    expect(Array.from(m.mask.subarray(0, 40)).every((v) => v === 1)).toBe(true);
    expect(protoMaskInfo([1, 0], protos, [10.2, 5.7, 20.4, 9.5], lb)!.areaPx).toBe(40);
  });

  it('interpolates the logit bilinearly and maps through a centred letterbox', () => {
    // 128×64 image → 64×64 input: scale 0.5, padTop 16. Logit = 0.5 + (±1): +1.5 on proto columns
    // ≤ 7, −0.5 from 8 on; between cell centres 7 and 8 (input x 30 → 34) it crosses 0 at 3/4 of
    // the way, input x = 33, i.e. image x = 66. So image columns ≤ 65 are set.
    const protos = makeProtos(16, 16, [one, leftHalf]);
    const lb = computeLetterbox(128, 64, 64, 64);
    expect([lb.scale, lb.padLeftPx, lb.padTopPx]).toEqual([0.5, 0, 16]);
    const box: [number, number, number, number] = [8, 24, 56, 40]; // image [16, 16, 112, 48]
    const m = rasterizeProtoMask([0.5, 1], protos, box, lb)!;
    expect([m.widthPx, m.heightPx, m.originXy]).toEqual([96, 32, [16, 16]]);
    for (let y = 0; y < m.heightPx; y++) {
      const row = Array.from(m.mask.subarray(y * 96, y * 96 + 96));
      expect(row.indexOf(0)).toBe(50); // columns 16..65 set
      expect(row.slice(50).every((v) => v === 0)).toBe(true);
    }
    const info = protoMaskInfo([0.5, 1], protos, box, lb)!;
    expect(info.areaPx).toBe(50 * 32);
    expect(info.centroid).toEqual([41, 32]);
    expect(info.angleDeg).toBe(0);
    expect(info.originXy).toEqual([16, 16]);
    expect(info.rle).toEqual({ width: 50, height: 32, counts: [0, 1600] });
  });

  it('indexes proto rows by y (crossing at input y = 16)', () => {
    const protos = makeProtos(16, 16, [one, topQuarter]);
    const lb = computeLetterbox(64, 64, 64, 64);
    const info = protoMaskInfo([0, 1], protos, [8, 8, 56, 40], lb)!;
    // Rows 8..15 × columns 8..55.
    expect(info.areaPx).toBe(8 * 48);
    expect(info.originXy).toEqual([8, 8]);
    expect(info.rle!.height).toBe(8);
  });

  it('handles non-square inputs and protos (Hp ≠ Wp)', () => {
    // Input 64×32 → protos 8 rows × 16 columns; positive on proto columns < 8 → image x < 32.
    const protos = makeProtos(8, 16, [leftHalf]);
    const lb = computeLetterbox(64, 32, 64, 32);
    const info = protoMaskInfo([1], protos, [0, 0, 64, 32], lb)!;
    expect(info.areaPx).toBe(32 * 32);
    expect(info.centroid).toEqual([16, 16]);
  });

  it('returns null for an all-negative mask or a box with no pixel centre', () => {
    const protos = makeProtos(16, 16, [one]);
    const lb = computeLetterbox(64, 64, 64, 64);
    expect(protoMaskInfo([-1], protos, [8, 8, 56, 40], lb)).toBeNull();
    expect(rasterizeProtoMask([1], protos, [10.6, 10.6, 11.4, 11.4], lb)).toBeNull();
  });

  it('refuses a coefficient count that does not match the prototypes', () => {
    const protos = makeProtos(16, 16, [one, one]);
    expect(() => rasterizeProtoMask([1], protos, [0, 0, 8, 8], computeLetterbox(64, 64, 64, 64))).toThrow(
      RangeError,
    );
  });
});
