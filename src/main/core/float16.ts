/**
 * IEEE-754 binary16 ↔ binary32, bit-exact. float16 tensors travel as `Uint16Array` of raw bits
 * (onnxruntime's `float16` tensor data). Decoding is exact (every half is a float); encoding rounds
 * to nearest, ties to even, overflowing to ±Infinity, with subnormals, signed zeros, ±Infinity
 * and NaN (quiet, payload's top bits kept) preserved.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Half bits → its exact float value. */
export function float16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1024 + mant) * 2 ** (exp - 25);
}

/**
 * float32 value → nearest half bits. A JS number is first rounded to float32; that is exact for
 * values read from a Float32Array, while for arbitrary doubles the two roundings can differ from
 * direct rounding by one ulp when the double lies within 2^-24 relative of a half-way point.
 */
export function numberToFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 | (mant >>> 13) : 0);
  const e = exp - 112; // rebias 127 → 15
  if (e >= 31) return sign | 0x7c00;
  if (e >= 1) {
    let half = (e << 10) | (mant >>> 13);
    const rest = mant & 0x1fff;
    // A carry out of the mantissa bumps the exponent, up to 0x7c00 = Infinity: exactly right.
    if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++;
    return sign | half;
  }
  // Subnormal half (or zero): value / 2^-24 = m / 2^shift with the implicit bit restored.
  const shift = 14 - e;
  if (shift > 24) return sign;
  const m = mant | 0x800000;
  let half = m >>> shift;
  const rest = m & ((1 << shift) - 1);
  const halfway = 1 << (shift - 1);
  if (rest > halfway || (rest === halfway && half & 1)) half++;
  return sign | half;
}

let decodeTable: Float32Array | null = null;

/** Every half's float value, indexed by its bits (256 KiB, built once). */
export function float16DecodeTable(): Float32Array {
  if (!decodeTable) {
    // A lookup is several times faster than branching per element on big outputs.
    decodeTable = new Float32Array(65536);
    for (let b = 0; b < 65536; b++) decodeTable[b] = float16BitsToNumber(b);
  }
  return decodeTable;
}

/** float16 bits → float32 values; `out` is reused when given (must be at least as long). */
export function float16ToFloat32Array(src: Uint16Array, out?: Float32Array): Float32Array {
  const table = float16DecodeTable();
  const dst = out ?? new Float32Array(src.length);
  if (dst.length < src.length) throw new RangeError(`output holds ${dst.length} values, need ${src.length}`);
  for (let i = 0; i < src.length; i++) dst[i] = table[src[i]];
  return dst;
}

/** float32 values → float16 bits (round to nearest even); `out` is reused when given. */
export function float32ToFloat16Array(src: Float32Array, out?: Uint16Array): Uint16Array {
  const dst = out ?? new Uint16Array(src.length);
  if (dst.length < src.length) throw new RangeError(`output holds ${dst.length} values, need ${src.length}`);
  for (let i = 0; i < src.length; i++) dst[i] = numberToFloat16Bits(src[i]);
  return dst;
}
