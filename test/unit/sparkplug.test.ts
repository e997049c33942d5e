import { describe, expect, it } from 'vitest';
import {
  changedMetrics,
  deviceMetrics,
  needsRebirth,
  nodeDeathPayload,
  SparkplugSeq,
  sparkplugTopics,
  SpDataType,
  type DeviceState,
} from '../../src/main/core/sparkplug';
import { decodePayload, encodePayload } from '../../src/main/integration/mqtt/sparkplug-codec';
import { parseSparkplugUri } from '../../src/main/integration/mqtt/sparkplug-config';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('Sparkplug B payload', () => {
  it('encodes the spec fields on the protobuf wire, byte for byte', () => {
    // timestamp=1 (field 1), one metric {name "a" (1), datatype 3 (4), int_value -1 as uint32 (10)}, seq=2 (3).
    const bytes = encodePayload({
      timestampMs: 1,
      seq: 2,
      metrics: [{ name: 'a', datatype: SpDataType.Int32, value: -1 }],
    });
    expect(hex(bytes)).toBe('0801' + '120b' + '0a0161' + '2003' + '50ffffffff0f' + '1802');
    expect(decodePayload(bytes)).toEqual({
      timestampMs: 1,
      seq: 2,
      metrics: [{ name: 'a', datatype: SpDataType.Int32, value: -1 }],
    });
  });

  it('round-trips each data type, and NDEATH carries no seq', () => {
    const metrics = [
      { name: 'u64', datatype: SpDataType.UInt64, value: 2 ** 40 + 3 },
      { name: 'time', datatype: SpDataType.DateTime, value: 1_700_000_000_123 },
      { name: 'd', datatype: SpDataType.Double, value: 2.5 },
      { name: 'b', datatype: SpDataType.Boolean, value: true },
      { name: 's', datatype: SpDataType.String, value: '한국어 ok' },
      { name: 'u32', datatype: SpDataType.UInt32, value: 4_000_000_000 },
    ] as const;
    expect(decodePayload(encodePayload({ timestampMs: 5, seq: 255, metrics: [...metrics] }))).toEqual({
      timestampMs: 5,
      seq: 255,
      metrics,
    });
    // proto2 presence: zero and false are on the wire (NBIRTH has seq 0, Rebirth false).
    expect(
      hex(
        encodePayload({
          timestampMs: 0,
          seq: 0,
          metrics: [{ name: 'r', datatype: SpDataType.Boolean, value: false }],
        }),
      ),
    ).toBe('0800' + '1207' + '0a0172' + '200b' + '7000' + '1800');
    const death = decodePayload(encodePayload(nodeDeathPayload(7, 9)));
    expect(death).toEqual({
      timestampMs: 9,
      metrics: [{ name: 'bdSeq', datatype: SpDataType.UInt64, value: 7 }],
    });
  });
});

describe('Sparkplug B topics, sequence and metrics', () => {
  it('names the topics of the spec namespace', () => {
    expect(sparkplugTopics('plant1', 'line1', 'cam1')).toEqual({
      nbirth: 'spBv1.0/plant1/NBIRTH/line1',
      ndeath: 'spBv1.0/plant1/NDEATH/line1',
      ncmd: 'spBv1.0/plant1/NCMD/line1',
      dbirth: 'spBv1.0/plant1/DBIRTH/line1/cam1',
      ddata: 'spBv1.0/plant1/DDATA/line1/cam1',
    });
  });

  it('counts seq 0..255 and wraps; reset starts a birth at 0', () => {
    const s = new SparkplugSeq();
    const got = Array.from({ length: 258 }, () => s.next());
    expect(got.slice(0, 3)).toEqual([0, 1, 2]);
    expect(got.slice(254)).toEqual([254, 255, 0, 1]);
    s.reset();
    expect(s.next()).toBe(0);
  });

  it('sends only changed metrics, and asks for a rebirth when a class appears', () => {
    const base: DeviceState = {
      model: 'm',
      fps: 4.567,
      frames: 1,
      detections: 1,
      perClass: { bolt: 1 },
      last: null,
    };
    const born = deviceMetrics(base);
    expect(born.map((m) => m.name)).toEqual([
      'Status/Model',
      'Status/Fps',
      'Counters/Frames',
      'Counters/Detections',
      'Counters/Class/bolt',
      'LastResult/FrameId',
      'LastResult/CaptureTime',
      'LastResult/Count',
      'LastResult/Detections',
    ]);
    expect(born[1]!.value).toBe(4.57);
    const next = deviceMetrics({
      ...base,
      frames: 2,
      detections: 2,
      perClass: { bolt: 2 },
      last: {
        frameId: 9,
        captureTimeMs: 100,
        detections: [{ classId: 0, className: 'bolt', score: 0.5, box: [1, 2, 3, 4] }],
      },
    });
    expect(needsRebirth(born, next)).toBe(false);
    expect(changedMetrics(born, next).map((m) => [m.name, m.value])).toEqual([
      ['Counters/Frames', 2],
      ['Counters/Detections', 2],
      ['Counters/Class/bolt', 2],
      ['LastResult/FrameId', 9],
      ['LastResult/CaptureTime', 100],
      ['LastResult/Count', 1],
      [
        'LastResult/Detections',
        '[{"classId":0,"className":"bolt","score":0.5,"box":[1,2,3,4],"trackId":-1}]',
      ],
    ]);
    expect(needsRebirth(born, deviceMetrics({ ...base, perClass: { bolt: 1, nut: 1 } }))).toBe(true);
  });

  it('parses the --sparkplug URI and refuses what it cannot use', () => {
    expect(parseSparkplugUri('mqtt://u:p@10.0.0.5?group=plant1&node=line1&rate=10')).toEqual({
      brokerUrl: 'mqtt://10.0.0.5:1883',
      username: 'u',
      password: 'p',
      group: 'plant1',
      node: 'line1',
      device: 'cam1',
      ratePerS: 10,
    });
    expect(() => parseSparkplugUri('http://x')).toThrow(/must start with mqtt:\/\//);
    expect(() => parseSparkplugUri('mqtt://x?group=a/b')).toThrow(/group=a\/b: must not contain/);
    expect(() => parseSparkplugUri('mqtt://x?rate=fast')).toThrow(/rate=fast: must be a whole number/);
    expect(() => parseSparkplugUri('mqtt://x?prefix=p')).toThrow(/unknown parameter "prefix"/);
  });
});
