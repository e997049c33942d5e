/**
 * A model output as the pure core sees it: row-major float32 data with its dims. The inference
 * adapter converts float16 outputs to float32 before they get here.
 */
export interface RawTensor {
  dims: readonly number[];
  data: Float32Array;
}

/** Input/output description as reported by the runtime (`inputMetadata`/`outputMetadata`). */
export interface TensorSpec {
  name: string;
  /** 'float32' | 'float16' | 'int64' | ... */
  type: string;
  /** Symbolic dims come as strings (e.g. 'batch'), unknown as -1. */
  shape: readonly (number | string)[];
}

export function describeSpecs(specs: readonly TensorSpec[]): string {
  return specs
    .map((s) => `${s.name} ${s.type} [${s.shape.map((d) => (d === '' || d === -1 ? '?' : d)).join(',')}]`)
    .join('; ');
}
