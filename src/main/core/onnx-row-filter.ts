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

/** ONNX TensorProto.DataType values used here. */
const FLOAT = 1;
const INT64 = 7;

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

// --- minimal protobuf writer -------------------------------------------------------------------

class Writer {
  private readonly parts: number[] = [];

  varint(v: number | bigint): this {
    let x = BigInt.asUintN(64, BigInt(v));
    do {
      let b = Number(x & 0x7fn);
      x >>= 7n;
      if (x !== 0n) b |= 0x80;
      this.parts.push(b);
    } while (x !== 0n);
    return this;
  }

  tag(field: number, wire: number): this {
    return this.varint((field << 3) | wire);
  }

  int(field: number, v: number | bigint): this {
    return this.tag(field, 0).varint(v);
  }

  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2).varint(b.length);
    for (const x of b) this.parts.push(x);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, w: Writer): this {
    return this.bytes(field, w.finish());
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

function int64Tensor(values: readonly number[]): Writer {
  // TensorProto: dims = 1, data_type = 2, int64_data = 7 (packed).
  const packed = new Writer();
  for (const v of values) packed.varint(v);
  return new Writer().int(1, values.length).int(2, INT64).bytes(7, packed.finish());
}

function floatTensor(values: readonly number[]): Writer {
  // TensorProto: dims = 1, data_type = 2, raw_data = 9 (little-endian float32).
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return new Writer().int(1, values.length).int(2, FLOAT).bytes(9, raw);
}

type Attr =
  | { name: string; int: number }
  | { name: string; ints: readonly number[] }
  | { name: string; tensor: Writer };

function attribute(a: Attr): Writer {
  // AttributeProto: name = 1, i = 3, t = 5, ints = 8, type = 20 (INT 2, TENSOR 4, INTS 7).
  const w = new Writer().string(1, a.name);
  if ('int' in a) return w.int(3, a.int).int(20, 2);
  if ('ints' in a) {
    for (const v of a.ints) w.int(8, v);
    return w.int(20, 7);
  }
  return w.message(5, a.tensor).int(20, 4);
}

function node(op: string, inputs: readonly string[], output: string, attrs: readonly Attr[] = []): Writer {
  // NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5.
  const w = new Writer();
  for (const i of inputs) w.string(1, i);
  w.string(2, output).string(3, output).string(4, op);
  for (const a of attrs) w.message(5, attribute(a));
  return w;
}

function valueInfo(name: string, elemType: number, dims: readonly (number | string)[]): Writer {
  // ValueInfoProto: name = 1, type = 2; TypeProto.tensor_type = 1; Tensor: elem_type = 1, shape = 2;
  // TensorShapeProto.dim = 1; Dimension: dim_value = 1, dim_param = 2.
  const shape = new Writer();
  for (const d of dims)
    shape.message(1, typeof d === 'number' ? new Writer().int(1, d) : new Writer().string(2, d));
  const tensor = new Writer().int(1, elemType).message(2, shape);
  return new Writer().string(1, name).message(2, new Writer().message(1, tensor));
}

/** ReduceMax / ReduceMin over one axis: axes an attribute before opset 18, an input from 18. */
function reduce(
  op: 'ReduceMax' | 'ReduceMin',
  input: string,
  axis: number,
  keepdims: 0 | 1,
  output: string,
  opset: number,
): Writer[] {
  if (opset < 18)
    return [
      node(op, [input], output, [
        { name: 'axes', ints: [axis] },
        { name: 'keepdims', int: keepdims },
      ]),
    ];
  return [
    node('Constant', [], `${output}_axes`, [{ name: 'value', tensor: int64Tensor([axis]) }]),
    node(op, [input, `${output}_axes`], output, [{ name: 'keepdims', int: keepdims }]),
  ];
}

/**
 * Nodes cropping the prototypes to the union of the kept boxes (see `RowFilterSpec.protoCrop`).
 * `values` is the kept columns `[1, C, K]` as float32. With no box kept the crop is empty.
 */
function protoCropNodes(
  c: ProtoCropSpec,
  values: string,
  names: RowFilterNames,
  n: (s: string) => string,
  opset: number,
): Writer[] {
  const BIG = 1e9;
  const nodes: Writer[] = [
    node('Constant', [], n('half'), [{ name: 'value', tensor: floatTensor([0.5]) }]),
    node('Constant', [], n('big'), [{ name: 'value', tensor: floatTensor([BIG]) }]),
    node('Constant', [], n('minus_big'), [{ name: 'value', tensor: floatTensor([-BIG]) }]),
    node('Constant', [], n('margin'), [{ name: 'value', tensor: floatTensor([2]) }]),
    node('Constant', [], n('zero'), [{ name: 'value', tensor: floatTensor([0]) }]),
    node('Constant', [], n('cells_per_input'), [
      { name: 'value', tensor: floatTensor([c.cellsPerInputY, c.cellsPerInputX]) },
    ]),
    node('Constant', [], n('cells'), [{ name: 'value', tensor: floatTensor([c.heightCells, c.widthCells]) }]),
    node('Constant', [], n('proto_axes'), [{ name: 'value', tensor: int64Tensor([2, 3]) }]),
    node('Constant', [], n('row_axis'), [{ name: 'value', tensor: int64Tensor([1]) }]),
  ];
  // Rows 0..3 of the kept columns: cx, cy, w, h, each [1, 1, K].
  ['cx', 'cy', 'w', 'h'].forEach((name, i) => {
    nodes.push(
      node('Constant', [], n(`${name}_start`), [{ name: 'value', tensor: int64Tensor([i]) }]),
      node('Constant', [], n(`${name}_end`), [{ name: 'value', tensor: int64Tensor([i + 1]) }]),
      node('Slice', [values, n(`${name}_start`), n(`${name}_end`), n('row_axis')], n(name)),
    );
  });
  nodes.push(
    node('Mul', [n('w'), n('half')], n('half_w')),
    node('Mul', [n('h'), n('half')], n('half_h')),
    node('Sub', [n('cx'), n('half_w')], n('x1')),
    node('Add', [n('cx'), n('half_w')], n('x2')),
    node('Sub', [n('cy'), n('half_h')], n('y1')),
    node('Add', [n('cy'), n('half_h')], n('y2')),
  );
  // One neutral column each, so that no box kept gives start > end (an empty crop), not an error.
  for (const [v, pad, op] of [
    ['x1', 'big', 'ReduceMin'],
    ['y1', 'big', 'ReduceMin'],
    ['x2', 'minus_big', 'ReduceMax'],
    ['y2', 'minus_big', 'ReduceMax'],
  ] as const) {
    nodes.push(
      node('Reshape', [n(pad), n('row_axis')], n(`${v}_pad`)),
      node('Reshape', [n(v), n('flat')], n(`${v}_flat`)),
      node('Concat', [n(`${v}_flat`), n(`${v}_pad`)], n(`${v}_padded`), [{ name: 'axis', int: 0 }]),
      ...reduce(op, n(`${v}_padded`), 0, 1, n(`${v}_union`), opset),
    );
  }
  nodes.push(
    node('Concat', [n('y1_union'), n('x1_union')], n('start_px'), [{ name: 'axis', int: 0 }]),
    node('Concat', [n('y2_union'), n('x2_union')], n('end_px'), [{ name: 'axis', int: 0 }]),
    node('Mul', [n('start_px'), n('cells_per_input')], n('start_q')),
    node('Mul', [n('end_px'), n('cells_per_input')], n('end_q')),
    node('Floor', [n('start_q')], n('start_floor')),
    node('Ceil', [n('end_q')], n('end_ceil')),
    node('Sub', [n('start_floor'), n('margin')], n('start_margin')),
    node('Add', [n('end_ceil'), n('margin')], n('end_margin')),
    node('Max', [n('start_margin'), n('zero')], n('start_lo')),
    node('Min', [n('start_lo'), n('cells')], n('start_cells')),
    node('Max', [n('end_margin'), n('zero')], n('end_lo')),
    node('Min', [n('end_lo'), n('cells')], n('end_cells')),
    node('Cast', [n('start_cells')], names.protosStart, [{ name: 'to', int: INT64 }]),
    node('Cast', [n('end_cells')], n('end_i'), [{ name: 'to', int: INT64 }]),
    node('Slice', [c.protosName, names.protosStart, n('end_i'), n('proto_axes')], n('protos_raw')),
    node('Cast', [n('protos_raw')], names.protos, [{ name: 'to', int: FLOAT }]),
  );
  return nodes;
}

/**
 * Bytes to append to a ModelProto: a `graph` field with the filter's nodes, its threshold input and
 * its two outputs (see the module comment).
 */
export function rowFilterPatch(spec: RowFilterSpec): Uint8Array {
  const { outputName, rank, keepAxis, scoreAxis, scoreStart, scoreEnd, opset } = spec;
  if (
    rank < 2 ||
    keepAxis === scoreAxis ||
    keepAxis >= rank ||
    scoreAxis >= rank ||
    keepAxis < 0 ||
    scoreAxis < 0
  )
    throw new RangeError(`row filter: bad axes keep ${keepAxis} / score ${scoreAxis} for rank ${rank}`);
  if (!(scoreEnd > scoreStart && scoreStart >= 0))
    throw new RangeError(`row filter: empty score range [${scoreStart}, ${scoreEnd})`);
  const names = rowFilterNames(outputName);
  const n = (s: string): string => `vision_station_filter_${outputName}_${s}`;
  const nodes: Writer[] = [
    node('Constant', [], n('starts'), [{ name: 'value', tensor: int64Tensor([scoreStart]) }]),
    node('Constant', [], n('ends'), [{ name: 'value', tensor: int64Tensor([scoreEnd]) }]),
    node('Constant', [], n('axes'), [{ name: 'value', tensor: int64Tensor([scoreAxis]) }]),
    node('Constant', [], n('flat'), [{ name: 'value', tensor: int64Tensor([-1]) }]),
    node('Slice', [outputName, n('starts'), n('ends'), n('axes')], n('scores')),
    // float16 models: compared and handed over as float32 (exact: every float16 is a float32).
    node('Cast', [n('scores')], n('scores_f32'), [{ name: 'to', int: FLOAT }]),
  ];
  let best = n('scores_f32');
  if (scoreEnd - scoreStart > 1) {
    best = n('best');
    nodes.push(...reduce('ReduceMax', n('scores_f32'), scoreAxis, 1, best, opset));
  }
  nodes.push(
    node('Less', [best, names.threshold], n('below')),
    node('Not', [n('below')], n('keep')),
    node('Reshape', [n('keep'), n('flat')], n('keep_flat')),
    node('NonZero', [n('keep_flat')], n('nonzero')),
    node('Reshape', [n('nonzero'), n('flat')], names.indices),
    node('Gather', [outputName, names.indices], n('values_raw'), [{ name: 'axis', int: keepAxis }]),
    node('Cast', [n('values_raw')], names.values, [{ name: 'to', int: FLOAT }]),
  );
  if (spec.protoCrop) {
    if (keepAxis !== 2 || rank !== 3)
      throw new RangeError('row filter: prototypes are cropped only for [1, C, N] heads (keep axis 2)');
    nodes.push(...protoCropNodes(spec.protoCrop, names.values, names, n, opset));
  }
  const graph = new Writer();
  for (const w of nodes) {
    const b = w.finish();
    if (b.length > 0) graph.bytes(1, b);
  }
  graph.message(11, valueInfo(names.threshold, FLOAT, [1]));
  graph.message(12, valueInfo(names.indices, INT64, ['vision_station_kept']));
  graph.message(
    12,
    valueInfo(
      names.values,
      FLOAT,
      Array.from({ length: rank }, (_, i) => `vision_station_values_dim_${i}`),
    ),
  );
  if (spec.protoCrop) {
    graph.message(
      12,
      valueInfo(names.protos, FLOAT, [
        1,
        'vision_station_nm',
        'vision_station_crop_h',
        'vision_station_crop_w',
      ]),
    );
    graph.message(12, valueInfo(names.protosStart, INT64, [2]));
  }
  return new Writer().message(7, graph).finish();
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
