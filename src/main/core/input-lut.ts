/**
 * Per-channel lookup tables pixel value 0..255 → model input value, in R, G, B order. A table
 * lookup costs the same whatever the mean/std, so plain YOLO (/255) and ImageNet normalisation
 * cost the same, and float16 models get their input bits without converting each element.
 */
import { numberToFloat16Bits } from './float16';
import type { Preprocess } from './model-layout';

export type ChannelLuts<T> = readonly [T, T, T];

const f32Cache = new WeakMap<Preprocess, ChannelLuts<Float32Array>>();
const f16Cache = new WeakMap<Preprocess, ChannelLuts<Uint16Array>>();

/** `(v - mean[c]) / std[c]` as float32. Cached per preprocess object. */
export function float32ChannelLuts(pre: Preprocess): ChannelLuts<Float32Array> {
  let luts = f32Cache.get(pre);
  if (!luts) {
    const make = (c: number): Float32Array => {
      const t = new Float32Array(256);
      for (let v = 0; v < 256; v++) t[v] = (v - pre.mean[c]!) / pre.std[c]!;
      return t;
    };
    luts = [make(0), make(1), make(2)];
    f32Cache.set(pre, luts);
  }
  return luts;
}

/**
 * The float16 bits of the float32 table's values (round to nearest even): the same input a float32
 * tensor converted element by element would give. Cached per preprocess object.
 */
export function float16ChannelLuts(pre: Preprocess): ChannelLuts<Uint16Array> {
  let luts = f16Cache.get(pre);
  if (!luts) {
    const make = (t: Float32Array): Uint16Array => Uint16Array.from(t, (x) => numberToFloat16Bits(x));
    const [r, g, b] = float32ChannelLuts(pre);
    luts = [make(r), make(g), make(b)];
    f16Cache.set(pre, luts);
  }
  return luts;
}
