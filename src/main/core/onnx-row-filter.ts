/**
 * A few nodes appended to an ONNX model so that onnxruntime hands back only the rows of a
 * detection output that can pass the confidence threshold, instead of the whole output.
 *
 * Why: onnxruntime-node 1.30 copies every fetched output into a fresh ArrayBuffer on every run, even
 * when the caller passes a pre-allocated output (its `OrtValueToNapiValue` always does
 * `napi_create_arraybuffer` + memcpy). For YOLOX-Nano-416 that is 1.2 MB per frame, for
 * YOLOv5n-fp16-640 4.3 MB. Filtered in the graph, the copies are a few KB.
 *
 * How: protobuf merges a singular message field that occurs twice, concatenating its repeated
 * fields. So a second `graph` field (ModelProto field 7) holding only the new nodes, one new input
 * (the threshold) and two new outputs, appended to the file's bytes, adds them to the model's graph
 * without re-encoding it. The model's own outputs stay; the caller simply stops fetching them.
 * The bytes are written by `inference/onnx-graph-patch.ts`; this module holds the pure parts.
 *
 * The filter keeps index `i` along `keepAxis` where the maximum over `[scoreStart, scoreEnd)` along
 * `scoreAxis` is not below the threshold (NaN is kept, as the decoders do not skip NaN by that
 * test). It is a superset of what the decoders keep as long as the threshold fed is ≤ theirs (see
 * `float32AtOrBelow`); the decoders then apply their own exact test to the rows they are given.
 * For a segmentation head the prototypes are cropped too, to the union of the kept rows' boxes
 * with two cells of margin: the mask decoder reads only cells under the boxes of detections, which
 * are among those rows (float32 box arithmetic in the graph differs from JavaScript's by far less
 * than the margin).
 */

export interface RowFilterSpec {
  /** The model output to filter. */
  outputName: string;
  /** Its rank (3 for `[1, N, C]` or `[1, C, N]`). */
  rank: number;
  /** The axis whose indices are kept or dropped (1 for `[1, N, C]`, 2 for `[1, C, N]`). */
  keepAxis: number;
  /** The axis holding the scores (2 for `[1, N, C]`, 1 for `[1, C, N]`). */
  scoreAxis: number;
  scoreStart: number;
  scoreEnd: number;
  /**
   * Opset of the default domain: ReduceMax takes its axes as an input from 18 on, as an attribute
   * before. Only needed when the score range is wider than one column.
   */
  opset: number;
  /**
   * Segmentation heads (`[1, 4 + nc + nm, N]` with cx, cy, w, h in rows 0..3): also crop the mask
   * prototypes to the cells under the kept anchors' boxes (their union, two cells of margin),
   * the only cells the mask decoder reads.
   */
  protoCrop?: ProtoCropSpec;
}

export interface ProtoCropSpec {
  /** The prototypes output, `[1, nm, Hp, Wp]`. */
  protosName: string;
  heightCells: number;
  widthCells: number;
  /** Proto cells per model-input pixel (Wp / input width, Hp / input height). */
  cellsPerInputX: number;
  cellsPerInputY: number;
}

/** Names of what the patch adds (prefixed so they cannot clash with the model's own names). */
export interface RowFilterNames {
  /** float32 `[1]` input: the threshold. */
  threshold: string;
  /** int64 `[K]` output: the kept indices along `keepAxis`, ascending. */
  indices: string;
  /** float32 output: the kept slices, the original output with `keepAxis` cut to K (float16 cast). */
  values: string;
  /** float32 `[1, nm, h, w]` output: the cropped prototypes (with `protoCrop`). */
  protos: string;
  /** int64 `[2]` output: the crop's first row and column in proto cells (with `protoCrop`). */
  protosStart: string;
}

export function rowFilterNames(outputName: string): RowFilterNames {
  const p = `vision_station_filter_${outputName}`;
  return {
    threshold: `${p}_threshold`,
    indices: `${p}_indices`,
    values: `${p}_values`,
    protos: `${p}_protos`,
    protosStart: `${p}_protos_start`,
  };
}

/** The largest float32 that is ≤ `x`: fed as the threshold, the filter keeps a superset. */
export function float32AtOrBelow(x: number): number {
  const f = Math.fround(x);
  if (f <= x || Number.isNaN(f)) return f;
  const buf = new Float32Array([f]);
  const bits = new Int32Array(buf.buffer);
  // One ulp towards −∞ (for f > 0 the bit pattern shrinks, for f ≤ 0 it grows in magnitude).
  if (f > 0) bits[0]! -= 1;
  else if (f === 0)
    bits[0] = -2147483647; // −smallest subnormal (0x80000001)
  else bits[0]! += 1;
  return buf[0]!;
}

/** The indices written on the last frame: `indices[0..count)`, room for every index. */
export interface KeptIndices {
  indices: Int32Array;
  count: number;
}

/**
 * Writes the kept slices back into a full-size output buffer reused between frames, so that the
 * decoders read it as if it were the whole output. Slices kept on the previous frame are reset
 * first to −∞ (every slice starts so), which no decoder's threshold test lets through.
 * `prevKept` is updated in place to the indices written now.
 */
export function scatterKept(
  full: Float32Array,
  dims: readonly number[],
  keepAxis: number,
  indices: BigInt64Array | readonly number[],
  values: Float32Array,
  prevKept: KeptIndices,
): void {
  const outer = dims.slice(0, keepAxis).reduce((a, b) => a * b, 1);
  const n = dims[keepAxis]!;
  const inner = dims.slice(keepAxis + 1).reduce((a, b) => a * b, 1);
  const k = indices.length;
  if (values.length !== outer * k * inner)
    throw new RangeError(`filtered output holds ${values.length} values, expected ${outer * k * inner}`);
  if (prevKept.indices.length < n)
    throw new RangeError(`kept-index buffer holds ${prevKept.indices.length}, need ${n}`);
  for (let p = 0; p < prevKept.count; p++) {
    const i = prevKept.indices[p]!;
    for (let o = 0; o < outer; o++) full.fill(-Infinity, (o * n + i) * inner, (o * n + i + 1) * inner);
  }
  prevKept.count = 0;
  for (let j = 0; j < k; j++) {
    const i = Number(indices[j]);
    if (!(i >= 0 && i < n)) throw new RangeError(`filtered index ${i} outside 0..${n - 1}`);
    prevKept.indices[prevKept.count++] = i;
    for (let o = 0; o < outer; o++) {
      const from = (o * k + j) * inner;
      const to = (o * n + i) * inner;
      for (let x = 0; x < inner; x++) full[to + x] = values[from + x]!;
    }
  }
}

/**
 * Writes the cropped prototypes `[1, nm, h, w]` into the full-size `[1, nm, Hp, Wp]` buffer reused
 * between frames, at `(row0, col0)`. Cells outside the crop keep older values: the mask decoder
 * reads only cells under the kept boxes, which the crop covers.
 */
export function scatterProtoCrop(
  full: Float32Array,
  fullDims: readonly number[],
  crop: Float32Array,
  cropDims: readonly number[],
  row0: number,
  col0: number,
): void {
  const [, nm, hp, wp] = fullDims as [number, number, number, number];
  const [, cnm, h, w] = cropDims as [number, number, number, number];
  if (cnm !== nm || row0 < 0 || col0 < 0 || row0 + h > hp || col0 + w > wp || crop.length !== nm * h * w)
    throw new RangeError(
      `prototype crop [${cropDims.join(', ')}] at (${row0}, ${col0}) does not fit [${fullDims.join(', ')}]`,
    );
  for (let k = 0; k < nm; k++)
    for (let j = 0; j < h; j++) {
      const from = (k * h + j) * w;
      const to = (k * hp + row0 + j) * wp + col0;
      for (let i = 0; i < w; i++) full[to + i] = crop[from + i]!;
    }
}
