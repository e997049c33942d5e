/**
 * The Sparkplug B payload on the wire: the spec's `sparkplug_b.proto` Payload and Metric messages
 * (proto2), encoded and decoded with protobufjs. Only the fields this station uses are declared;
 * the DataSet, Template and PropertySet parts of what others send are skipped.
 */
import protobuf from 'protobufjs';
import { SpDataType, type SpDataTypeId, type SpMetric, type SpPayload } from '../../core/sparkplug';

const ROOT = protobuf.Root.fromJSON({
  nested: {
    Payload: {
      // proto2 field presence: a seq of 0 or a false Boolean is sent, not left out as a default.
      edition: 'proto2',
      fields: {
        timestamp: { type: 'uint64', id: 1 },
        metrics: { rule: 'repeated', type: 'Metric', id: 2 },
        seq: { type: 'uint64', id: 3 },
        uuid: { type: 'string', id: 4 },
        body: { type: 'bytes', id: 5 },
      },
      nested: {
        Metric: {
          edition: 'proto2',
          oneofs: {
            value: {
              oneof: [
                'intValue',
                'longValue',
                'floatValue',
                'doubleValue',
                'booleanValue',
                'stringValue',
                'bytesValue',
              ],
            },
          },
          fields: {
            name: { type: 'string', id: 1 },
            alias: { type: 'uint64', id: 2 },
            timestamp: { type: 'uint64', id: 3 },
            datatype: { type: 'uint32', id: 4 },
            isHistorical: { type: 'bool', id: 5 },
            isTransient: { type: 'bool', id: 6 },
            isNull: { type: 'bool', id: 7 },
            intValue: { type: 'uint32', id: 10 },
            longValue: { type: 'uint64', id: 11 },
            floatValue: { type: 'float', id: 12 },
            doubleValue: { type: 'double', id: 13 },
            booleanValue: { type: 'bool', id: 14 },
            stringValue: { type: 'string', id: 15 },
            bytesValue: { type: 'bytes', id: 16 },
          },
        },
      },
    },
  },
});
const PayloadType = ROOT.lookupType('Payload');

function valueField(m: SpMetric): Record<string, number | boolean | string> {
  switch (m.datatype) {
    case SpDataType.Int32:
      // Signed 32-bit values travel as their two's complement in the uint32 field.
      return { intValue: (m.value as number) >>> 0 };
    case SpDataType.UInt32:
      return { intValue: m.value as number };
    case SpDataType.Int64:
    case SpDataType.UInt64:
    case SpDataType.DateTime:
      return { longValue: m.value as number };
    case SpDataType.Double:
      return { doubleValue: m.value as number };
    case SpDataType.Boolean:
      return { booleanValue: m.value as boolean };
    case SpDataType.String:
      return { stringValue: m.value as string };
  }
}

export function encodePayload(p: SpPayload): Uint8Array {
  const message = PayloadType.fromObject({
    timestamp: p.timestampMs,
    ...(p.seq === undefined ? {} : { seq: p.seq }),
    metrics: p.metrics.map((m) => ({ name: m.name, datatype: m.datatype, ...valueField(m) })),
  });
  return PayloadType.encode(message).finish();
}

interface DecodedMetric {
  name?: string;
  datatype?: number;
  intValue?: number;
  longValue?: number;
  doubleValue?: number;
  floatValue?: number;
  booleanValue?: boolean;
  stringValue?: string;
}

/** Decodes a payload (this station's or another's); metric values as numbers, booleans or strings. */
export function decodePayload(bytes: Uint8Array): SpPayload {
  const o = PayloadType.toObject(PayloadType.decode(bytes), { longs: Number }) as {
    timestamp?: number;
    seq?: number;
    metrics?: DecodedMetric[];
  };
  return {
    timestampMs: o.timestamp ?? 0,
    ...(o.seq === undefined ? {} : { seq: o.seq }),
    metrics: (o.metrics ?? []).map((m) => {
      const datatype = (m.datatype ?? 0) as SpDataTypeId;
      const raw =
        m.intValue ?? m.longValue ?? m.doubleValue ?? m.floatValue ?? m.booleanValue ?? m.stringValue ?? 0;
      const value = datatype === SpDataType.Int32 ? (raw as number) | 0 : raw;
      return { name: m.name ?? '', datatype, value };
    }),
  };
}
