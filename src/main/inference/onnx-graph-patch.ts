/**
 * The bytes of the row filter's graph patch (see core/onnx-row-filter.ts for what it does and why):
 * a `graph` field with the filter's nodes, threshold input and two outputs, written with
 * protobufjs's writer; field numbers from onnx.proto.
 */
import protobuf from 'protobufjs';
import {
  rowFilterNames,
  type ProtoCropSpec,
  type RowFilterNames,
  type RowFilterSpec,
} from '../core/onnx-row-filter';

/** ONNX TensorProto.DataType values used here. */
const FLOAT = 1;
const INT64 = 7;

/** Fields by number, each written as it comes: a patch is a tail of fields, not whole messages. */
class Writer {
  private readonly w = protobuf.Writer.create();

  /** A bare varint (an element of a packed int64 field). */
  varint(v: number): this {
    this.w.int64(v);
    return this;
  }

  int(field: number, v: number): this {
    this.w.uint32((field << 3) | 0).int64(v);
    return this;
  }

  bytes(field: number, b: Uint8Array): this {
    this.w.uint32((field << 3) | 2).bytes(b);
    return this;
  }

  string(field: number, s: string): this {
    this.w.uint32((field << 3) | 2).string(s);
    return this;
  }

  message(field: number, m: Writer): this {
    return this.bytes(field, m.finish());
  }

  finish(): Uint8Array {
    return this.w.finish();
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
