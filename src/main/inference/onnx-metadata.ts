/**
 * Reads `metadata_props` (and producer info) from an ONNX file. onnxruntime-node reports inputs and
 * outputs but not these, and Ultralytics keeps class names, task and image size there.
 *
 * Only the ModelProto fields we need are declared; protobufjs skips the rest (the graph and its
 * weights) by length without decoding them.
 */
import protobuf from 'protobufjs';

const root = protobuf.Root.fromJSON({
  nested: {
    StringStringEntryProto: {
      fields: { key: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } },
    },
    OperatorSetIdProto: {
      fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } },
    },
    ModelProto: {
      fields: {
        irVersion: { type: 'int64', id: 1 },
        producerName: { type: 'string', id: 2 },
        producerVersion: { type: 'string', id: 3 },
        docString: { type: 'string', id: 6 },
        opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
        metadataProps: { rule: 'repeated', type: 'StringStringEntryProto', id: 14 },
      },
    },
  },
});
const ModelProto = root.lookupType('ModelProto');

export interface OnnxFileInfo {
  producerName: string;
  producerVersion: string;
  metadata: Record<string, string>;
  /** Opset of the default ONNX domain ('' or 'ai.onnx'); 0 when the file names none. */
  opset: number;
}

/** Throws a readable error when the bytes are not an ONNX ModelProto. */
export function readOnnxMetadata(bytes: Uint8Array): OnnxFileInfo {
  let msg: protobuf.Message;
  try {
    msg = ModelProto.decode(bytes);
  } catch (e) {
    throw new Error(`not an ONNX model file (protobuf decode failed: ${(e as Error).message})`, { cause: e });
  }
  const obj = ModelProto.toObject(msg, { longs: Number, defaults: true }) as {
    producerName: string;
    producerVersion: string;
    metadataProps: { key: string; value: string }[];
    opsetImport: { domain: string; version: number }[];
  };
  const metadata: Record<string, string> = {};
  for (const { key, value } of obj.metadataProps) metadata[key] = value;
  const opset = obj.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0;
  return { producerName: obj.producerName, producerVersion: obj.producerVersion, metadata, opset };
}
