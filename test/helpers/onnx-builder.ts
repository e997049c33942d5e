/**
 * Builds small real ONNX files in tests: constant outputs of chosen shapes and values behind an
 * image input, so decoders can be checked end to end (onnxruntime, CLI) with known numbers.
 */
import protobuf from 'protobufjs';

const root = protobuf.Root.fromJSON({
  nested: {
    StringStringEntryProto: { fields: { key: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
    OperatorSetIdProto: { fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } } },
    TensorProto: {
      fields: {
        dims: { rule: 'repeated', type: 'int64', id: 1 },
        dataType: { type: 'int32', id: 2 },
        floatData: { rule: 'repeated', type: 'float', id: 4, options: { packed: true } },
        name: { type: 'string', id: 8 },
      },
    },
    Dimension: { fields: { dimValue: { type: 'int64', id: 1 }, dimParam: { type: 'string', id: 2 } } },
    TensorShapeProto: { fields: { dim: { rule: 'repeated', type: 'Dimension', id: 1 } } },
    TensorTypeProto: {
      fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } },
    },
    TypeProto: { fields: { tensorType: { type: 'TensorTypeProto', id: 1 } } },
    ValueInfoProto: { fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 } } },
    NodeProto: {
      fields: {
        input: { rule: 'repeated', type: 'string', id: 1 },
        output: { rule: 'repeated', type: 'string', id: 2 },
        name: { type: 'string', id: 3 },
        opType: { type: 'string', id: 4 },
      },
    },
    GraphProto: {
      fields: {
        node: { rule: 'repeated', type: 'NodeProto', id: 1 },
        name: { type: 'string', id: 2 },
        initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
        input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
        output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
      },
    },
    ModelProto: {
      fields: {
        irVersion: { type: 'int64', id: 1 },
        producerName: { type: 'string', id: 2 },
        graph: { type: 'GraphProto', id: 7 },
        opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
        metadataProps: { rule: 'repeated', type: 'StringStringEntryProto', id: 14 },
      },
    },
  },
});
const ModelProto = root.lookupType('ModelProto');
const FLOAT = 1;

const valueInfo = (name: string, dims: readonly number[]) => ({
  name,
  type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
});

export interface ConstantOutput {
  name: string;
  dims: readonly number[];
  values: Float32Array;
}

/**
 * A model with one float32 NCHW input and outputs that are constants (Identity of initializers):
 * whatever the picture, it "detects" exactly what the test put in.
 */
export function constantOutputModel(
  input: { name: string; dims: readonly number[] },
  outputs: readonly ConstantOutput[],
  metadata: Record<string, string> = {},
): Uint8Array {
  for (const o of outputs) {
    const n = o.dims.reduce((a, b) => a * b, 1);
    if (n !== o.values.length)
      throw new RangeError(`${o.name}: ${o.values.length} values for dims [${o.dims}]`);
  }
  const msg = ModelProto.fromObject({
    irVersion: 8,
    producerName: 'vision-station-tests',
    opsetImport: [{ domain: '', version: 17 }],
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    graph: {
      name: 'constant-outputs',
      node: outputs.map((o) => ({
        input: [`${o.name}_const`],
        output: [o.name],
        name: `id_${o.name}`,
        opType: 'Identity',
      })),
      initializer: outputs.map((o) => ({
        name: `${o.name}_const`,
        dims: [...o.dims],
        dataType: FLOAT,
        floatData: Array.from(o.values),
      })),
      input: [valueInfo(input.name, input.dims)],
      output: outputs.map((o) => valueInfo(o.name, o.dims)),
    },
  });
  return ModelProto.encode(msg).finish();
}
