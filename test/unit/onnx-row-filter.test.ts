import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import {
  float32AtOrBelow,
  rowFilterNames,
  scatterKept,
  scatterProtoCrop,
  type KeptIndices,
} from '../../src/main/core/onnx-row-filter';
import { rowFilterPatch } from '../../src/main/inference/onnx-graph-patch';

describe('float32AtOrBelow', () => {
  it('gives the largest float32 not above the threshold', () => {
    // 0.25 is a float32; 0.3 rounds up to 0.30000001192…, so one ulp below; 0.1 rounds up too.
    expect(float32AtOrBelow(0.25)).toBe(0.25);
    expect(float32AtOrBelow(0.3)).toBe(0.29999998211860657);
    expect(Math.fround(0.3)).toBe(0.30000001192092896);
    expect(float32AtOrBelow(0.1)).toBe(0.09999999403953552);
    // 0.45 rounds down to 0.44999998807907104: kept as it is.
    expect(float32AtOrBelow(0.45)).toBe(0.44999998807907104);
    expect(float32AtOrBelow(0)).toBe(0);
    expect(float32AtOrBelow(-0.3)).toBe(-0.30000001192092896);
    for (const x of [0.05, 0.3, 0.7, 1e-9, -1e-9, 0.999999999])
      expect(float32AtOrBelow(x)).toBeLessThanOrEqual(x);
  });
});

describe('scatterKept', () => {
  const kept = (n: number): KeptIndices => ({ indices: new Int32Array(n), count: 0 });

  it('writes kept rows of [1, N, C] and resets the rows of the frame before to -Infinity', () => {
    const full = new Float32Array(4 * 2).fill(-Infinity);
    const prev = kept(4);
    scatterKept(full, [1, 4, 2], 1, BigInt64Array.from([1n, 3n]), Float32Array.from([10, 11, 30, 31]), prev);
    expect(Array.from(full)).toEqual([-Infinity, -Infinity, 10, 11, -Infinity, -Infinity, 30, 31]);
    expect(Array.from(prev.indices.subarray(0, prev.count))).toEqual([1, 3]);
    scatterKept(full, [1, 4, 2], 1, BigInt64Array.from([0n]), Float32Array.from([5, 6]), prev);
    expect(Array.from(full)).toEqual([
      5,
      6,
      -Infinity,
      -Infinity,
      -Infinity,
      -Infinity,
      -Infinity,
      -Infinity,
    ]);
    expect(prev.count).toBe(1);
  });

  it('writes kept columns of [1, C, N] (anchor per column)', () => {
    const full = new Float32Array(2 * 3).fill(-Infinity);
    const prev = kept(3);
    // C = 2 rows, N = 3 anchors; anchors 0 and 2 kept: values [1, 2, K=2] row-major.
    scatterKept(full, [1, 2, 3], 2, BigInt64Array.from([0n, 2n]), Float32Array.from([1, 3, 4, 6]), prev);
    expect(Array.from(full)).toEqual([1, -Infinity, 3, 4, -Infinity, 6]);
    scatterKept(full, [1, 2, 3], 2, BigInt64Array.from([1n]), Float32Array.from([2, 5]), prev);
    expect(Array.from(full)).toEqual([-Infinity, 2, -Infinity, -Infinity, 5, -Infinity]);
  });

  it('refuses values that do not match the kept count, and indices out of range', () => {
    const full = new Float32Array(8);
    expect(() =>
      scatterKept(full, [1, 4, 2], 1, BigInt64Array.from([1n]), new Float32Array(3), kept(4)),
    ).toThrow('filtered output holds 3 values, expected 2');
    expect(() =>
      scatterKept(full, [1, 4, 2], 1, BigInt64Array.from([4n]), new Float32Array(2), kept(4)),
    ).toThrow('filtered index 4 outside 0..3');
  });
});

describe('scatterProtoCrop', () => {
  it('writes a [1, nm, h, w] crop at its cell and leaves the other cells as they were', () => {
    // nm = 2 prototypes of 3 × 4 cells; a 2 × 2 crop at row 1, column 2.
    const full = new Float32Array(2 * 3 * 4).fill(9);
    scatterProtoCrop(full, [1, 2, 3, 4], Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), [1, 2, 2, 2], 1, 2);
    expect(Array.from(full)).toEqual([
      9, 9, 9, 9, /**/ 9, 9, 1, 2, /**/ 9, 9, 3, 4, 9, 9, 9, 9, /**/ 9, 9, 5, 6, /**/ 9, 9, 7, 8,
    ]);
    // An empty crop (no box kept) writes nothing.
    scatterProtoCrop(full, [1, 2, 3, 4], new Float32Array(0), [1, 2, 0, 0], 3, 4);
    expect(full[6]).toBe(1);
  });

  it('refuses a crop that does not fit', () => {
    expect(() =>
      scatterProtoCrop(new Float32Array(24), [1, 2, 3, 4], new Float32Array(8), [1, 2, 2, 2], 2, 2),
    ).toThrow('prototype crop [1, 2, 2, 2] at (2, 2) does not fit [1, 2, 3, 4]');
  });
});

describe('rowFilterPatch', () => {
  // Enough of onnx.proto to read the patch back.
  const root = protobuf.Root.fromJSON({
    nested: {
      TensorProto: {
        fields: {
          dims: { rule: 'repeated', type: 'int64', id: 1 },
          dataType: { type: 'int32', id: 2 },
          int64Data: { rule: 'repeated', type: 'int64', id: 7 },
        },
      },
      AttributeProto: {
        fields: {
          name: { type: 'string', id: 1 },
          i: { type: 'int64', id: 3 },
          t: { type: 'TensorProto', id: 5 },
          ints: { rule: 'repeated', type: 'int64', id: 8 },
          type: { type: 'int32', id: 20 },
        },
      },
      NodeProto: {
        fields: {
          input: { rule: 'repeated', type: 'string', id: 1 },
          output: { rule: 'repeated', type: 'string', id: 2 },
          opType: { type: 'string', id: 4 },
          attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
        },
      },
      ValueInfoProto: { fields: { name: { type: 'string', id: 1 } } },
      GraphProto: {
        fields: {
          node: { rule: 'repeated', type: 'NodeProto', id: 1 },
          input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
          output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
        },
      },
      ModelProto: { fields: { graph: { type: 'GraphProto', id: 7 } } },
    },
  });
  const Model = root.lookupType('ModelProto');
  type Node = {
    input: string[];
    output: string[];
    opType: string;
    attribute: { name: string; ints?: number[] }[];
  };
  type Graph = { node: Node[]; input: { name: string }[]; output: { name: string }[] };
  const read = (b: Uint8Array): Graph =>
    (Model.toObject(Model.decode(b), { longs: Number, defaults: true }) as { graph: Graph }).graph;

  it('adds the threshold input, the two outputs, and nodes from the output to them', () => {
    const g = read(
      rowFilterPatch({
        outputName: 'output',
        rank: 3,
        keepAxis: 1,
        scoreAxis: 2,
        scoreStart: 4,
        scoreEnd: 5,
        opset: 11,
      }),
    );
    const names = rowFilterNames('output');
    expect(g.input.map((i) => i.name)).toEqual([names.threshold]);
    expect(g.output.map((o) => o.name)).toEqual([names.indices, names.values]);
    expect(g.node.map((n) => n.opType)).toEqual([
      'Constant',
      'Constant',
      'Constant',
      'Constant',
      'Slice',
      'Cast',
      'Less',
      'Not',
      'Reshape',
      'NonZero',
      'Reshape',
      'Gather',
      'Cast',
    ]);
    expect(g.node.find((n) => n.opType === 'Slice')!.input[0]).toBe('output');
    expect(g.node.find((n) => n.opType === 'Gather')!.input).toEqual(['output', names.indices]);
  });

  it('reduces a range of scores with ReduceMax: axes as an attribute before opset 18, an input from 18', () => {
    const spec = { outputName: 'output0', rank: 3, keepAxis: 2, scoreAxis: 1, scoreStart: 4, scoreEnd: 84 };
    const old = read(rowFilterPatch({ ...spec, opset: 17 })).node.find((n) => n.opType === 'ReduceMax')!;
    expect(old.input).toHaveLength(1);
    expect(old.attribute.find((a) => a.name === 'axes')!.ints).toEqual([1]);
    const now = read(rowFilterPatch({ ...spec, opset: 18 })).node.find((n) => n.opType === 'ReduceMax')!;
    expect(now.input).toHaveLength(2);
    expect(now.attribute.map((a) => a.name)).toEqual(['keepdims']);
  });

  it('crops the prototypes of a segmentation head: two more outputs, a Slice of the protos on axes 2 and 3', () => {
    const g = read(
      rowFilterPatch({
        outputName: 'output0',
        rank: 3,
        keepAxis: 2,
        scoreAxis: 1,
        scoreStart: 4,
        scoreEnd: 84,
        opset: 19,
        protoCrop: {
          protosName: 'output1',
          heightCells: 80,
          widthCells: 80,
          cellsPerInputX: 0.25,
          cellsPerInputY: 0.25,
        },
      }),
    );
    const names = rowFilterNames('output0');
    expect(g.output.map((o) => o.name)).toEqual([
      names.indices,
      names.values,
      names.protos,
      names.protosStart,
    ]);
    const slice = g.node.find((n) => n.opType === 'Slice' && n.input[0] === 'output1')!;
    expect(slice.input[1]).toBe(names.protosStart);
  });

  it('refuses axes that do not fit the rank and an empty score range', () => {
    const base = {
      outputName: 'o',
      rank: 3,
      keepAxis: 1,
      scoreAxis: 2,
      scoreStart: 4,
      scoreEnd: 5,
      opset: 11,
    };
    expect(() => rowFilterPatch({ ...base, keepAxis: 2 })).toThrow(
      'row filter: bad axes keep 2 / score 2 for rank 3',
    );
    expect(() => rowFilterPatch({ ...base, scoreEnd: 4 })).toThrow('row filter: empty score range [4, 4)');
  });
});
