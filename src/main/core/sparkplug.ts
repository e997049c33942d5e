/**
 * Sparkplug B (Eclipse Tahu, spec 3.0) for SCADA and historians that read it (Ignition, ...):
 * topic names, message sequence and the metrics a station publishes. Pure: the protobuf encoding
 * is in integration/mqtt/sparkplug-codec.ts, and the MQTT adapter decides when to publish.
 *
 * Topics: `spBv1.0/<group>/NBIRTH|NDEATH|NCMD/<node>` and `spBv1.0/<group>/DBIRTH|DDATA/<node>/<camera>`.
 * Node metrics: `bdSeq` (UInt64, the same in NBIRTH and the NDEATH will), `Node Control/Rebirth`.
 * Device (camera) metrics: see `deviceMetrics`.
 */
import type { Detection } from '../../shared/detection';
import { frameDetectionJson } from './detection-json';

export const SPARKPLUG_NAMESPACE = 'spBv1.0';

/** Sparkplug B data types used here (spec §6.4.16). */
export const SpDataType = {
  Int32: 3,
  Int64: 4,
  UInt32: 7,
  UInt64: 8,
  Double: 10,
  Boolean: 11,
  String: 12,
  DateTime: 13,
} as const;
export type SpDataTypeId = (typeof SpDataType)[keyof typeof SpDataType];

export interface SpMetric {
  name: string;
  datatype: SpDataTypeId;
  value: number | boolean | string;
}

export interface SpPayload {
  timestampMs: number;
  /** 0..255, per node session; absent on NDEATH. */
  seq?: number;
  metrics: SpMetric[];
}

export interface SparkplugTopics {
  nbirth: string;
  ndeath: string;
  ncmd: string;
  dbirth: string;
  ddata: string;
}

export function sparkplugTopics(group: string, node: string, device: string): SparkplugTopics {
  const n = (type: string): string => `${SPARKPLUG_NAMESPACE}/${group}/${type}/${node}`;
  return {
    nbirth: n('NBIRTH'),
    ndeath: n('NDEATH'),
    ncmd: n('NCMD'),
    dbirth: `${n('DBIRTH')}/${device}`,
    ddata: `${n('DDATA')}/${device}`,
  };
}

/** The message sequence number of a node session: 0 for NBIRTH, then +1 per message, wrapping at 256. */
export class SparkplugSeq {
  private nextValue = 0;

  reset(): void {
    this.nextValue = 0;
  }

  next(): number {
    const v = this.nextValue;
    this.nextValue = (this.nextValue + 1) % 256;
    return v;
  }
}

export function nodeBirthMetrics(bdSeq: number): SpMetric[] {
  return [
    { name: 'bdSeq', datatype: SpDataType.UInt64, value: bdSeq },
    { name: 'Node Control/Rebirth', datatype: SpDataType.Boolean, value: false },
  ];
}

/** The NDEATH payload (the MQTT last will): no seq, the bdSeq of the NBIRTH it ends. */
export function nodeDeathPayload(bdSeq: number, timestampMs: number): SpPayload {
  return { timestampMs, metrics: [{ name: 'bdSeq', datatype: SpDataType.UInt64, value: bdSeq }] };
}

/** What a camera reports, as the device's metrics. */
export interface DeviceState {
  model: string;
  fps: number;
  frames: number;
  detections: number;
  /** className → detections so far. */
  perClass: Readonly<Record<string, number>>;
  last: {
    frameId: number;
    captureTimeMs: number;
    detections: readonly Detection[];
  } | null;
}

/**
 * The device metrics (all of them: DBIRTH; the changed ones: DDATA). Detections travel as the
 * JSON text `run --json` prints (a String metric), since their number changes frame by frame.
 */
export function deviceMetrics(s: DeviceState): SpMetric[] {
  const metrics: SpMetric[] = [
    { name: 'Status/Model', datatype: SpDataType.String, value: s.model },
    { name: 'Status/Fps', datatype: SpDataType.Double, value: Math.round(s.fps * 100) / 100 },
    { name: 'Counters/Frames', datatype: SpDataType.UInt64, value: s.frames },
    { name: 'Counters/Detections', datatype: SpDataType.UInt64, value: s.detections },
  ];
  for (const name of Object.keys(s.perClass).sort())
    metrics.push({ name: `Counters/Class/${name}`, datatype: SpDataType.UInt64, value: s.perClass[name]! });
  const last = s.last;
  metrics.push(
    { name: 'LastResult/FrameId', datatype: SpDataType.UInt64, value: last?.frameId ?? 0 },
    { name: 'LastResult/CaptureTime', datatype: SpDataType.DateTime, value: last?.captureTimeMs ?? 0 },
    { name: 'LastResult/Count', datatype: SpDataType.Int32, value: last?.detections.length ?? 0 },
    {
      name: 'LastResult/Detections',
      datatype: SpDataType.String,
      value: JSON.stringify((last?.detections ?? []).map(frameDetectionJson)),
    },
  );
  return metrics;
}

/** The metrics of `next` that differ from `prev` (same names), for DDATA. */
export function changedMetrics(prev: readonly SpMetric[], next: readonly SpMetric[]): SpMetric[] {
  const before = new Map(prev.map((m) => [m.name, m.value]));
  return next.filter((m) => before.get(m.name) !== m.value);
}

/** True when `next` has a metric `prev` did not announce: a new DBIRTH is due (spec: metrics are born first). */
export function needsRebirth(prev: readonly SpMetric[], next: readonly SpMetric[]): boolean {
  const known = new Set(prev.map((m) => m.name));
  return next.some((m) => !known.has(m.name));
}
