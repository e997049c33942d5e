/**
 * MQTT topic names and JSON payloads for plant integration (SCADA, MES, dashboards). Pure: the
 * adapter in src/main/integration/mqtt decides when to publish, this decides what.
 *
 * Topics, under `<prefix>/<station>`:
 *   status                    retained, QoS 1: online/offline, cameras, fps, active alarms (also the last will)
 *   <camera>/results          QoS 0, rate-limited: the latest frame's detections
 *   <camera>/events           QoS 1: one message per line crossing
 *   <camera>/counters         retained, QoS 0: totals since start
 *   <camera>/alarms           QoS 1: an alarm raised or cleared
 */
import { frameDetectionJson, round } from './detection-json';
import type { Detection } from '../../shared/detection';

export interface MqttTopics {
  status: string;
  results: string;
  events: string;
  counters: string;
  alarms: string;
}

/** A topic level a person typed (station, camera): no wildcards, no separators, not empty. */
export function topicLevelProblem(level: string): string | null {
  if (level.length === 0) return 'must not be empty';
  if (/[+#/]/.test(level)) return "must not contain '+', '#' or '/'";
  // The broker rejects these, and they are invisible in most tools.
  for (let i = 0; i < level.length; i++)
    if (level.charCodeAt(i) < 0x20) return 'must not contain control characters';
  return null;
}

/** A prefix may have several levels (`plant1/vision`), but no wildcards or empty levels. */
export function topicPrefixProblem(prefix: string): string | null {
  for (const level of prefix.split('/')) {
    const p = topicLevelProblem(level);
    if (p) return `level '${level}' ${p}`;
  }
  return null;
}

export function mqttTopics(prefix: string, station: string, camera: string): MqttTopics {
  const s = `${prefix}/${station}`;
  const c = `${s}/${camera}`;
  return {
    status: `${s}/status`,
    results: `${c}/results`,
    events: `${c}/events`,
    counters: `${c}/counters`,
    alarms: `${c}/alarms`,
  };
}

/** A line crossing, as a FrameResult carries it once tracking and counting lines are enabled. */
export interface Crossing {
  line: string;
  trackId: number;
  direction: 'in' | 'out';
}

/** The parts of a frame result the payloads use (FrameResult fits, with optional crossings). */
export interface ResultInput {
  frameId: number;
  captureTimeMs: number;
  resultTimeMs: number;
  widthPx: number;
  heightPx: number;
  modelName: string;
  detections: readonly Detection[];
  crossings?: readonly Crossing[];
}

/** Same object as `run --json` prints. */
export const detectionPayload = frameDetectionJson;

export function resultPayload(r: ResultInput) {
  return {
    frameId: r.frameId,
    captureTimeMs: r.captureTimeMs,
    resultTimeMs: r.resultTimeMs,
    widthPx: r.widthPx,
    heightPx: r.heightPx,
    model: r.modelName,
    count: r.detections.length,
    detections: r.detections.map(detectionPayload),
  };
}

export function crossingEventPayload(r: ResultInput, c: Crossing) {
  return {
    type: 'crossing' as const,
    frameId: r.frameId,
    captureTimeMs: r.captureTimeMs,
    line: c.line,
    trackId: c.trackId,
    direction: c.direction,
  };
}

export interface Counters {
  frames: number;
  detections: number;
  /** className → detections of that class, summed over frames. */
  perClass: Record<string, number>;
  /** line → crossings each way. */
  lines: Record<string, { in: number; out: number }>;
  /** QoS-1 messages (events, alarms) dropped because the outbox was full while the broker was away. */
  droppedMessages: number;
}

export function emptyCounters(): Counters {
  return { frames: 0, detections: 0, perClass: {}, lines: {}, droppedMessages: 0 };
}

/** Counters after one more frame (returns a new object; the input is not changed). */
export function countResult(c: Counters, r: Pick<ResultInput, 'detections' | 'crossings'>): Counters {
  const perClass = { ...c.perClass };
  for (const d of r.detections) perClass[d.className] = (perClass[d.className] ?? 0) + 1;
  const lines = { ...c.lines };
  for (const x of r.crossings ?? []) {
    const prev = lines[x.line] ?? { in: 0, out: 0 };
    lines[x.line] = { ...prev, [x.direction]: prev[x.direction] + 1 };
  }
  return {
    ...c,
    frames: c.frames + 1,
    detections: c.detections + r.detections.length,
    perClass,
    lines,
  };
}

export function countersPayload(c: Counters, timeMs: number) {
  return { timeMs, ...c };
}

export interface StationStatus {
  station: string;
  cameras: string[];
  /** Frames per second over the last status interval. */
  fps: number;
  /** Kinds of the alarms active now. */
  alarms: string[];
  model: string | null;
  startedAtMs: number;
}

export function onlineStatusPayload(s: StationStatus, timeMs: number) {
  return { online: true as const, ...s, fps: round(s.fps, 2), timeMs };
}

/**
 * The last will: the broker publishes it (retained) when the station's connection dies without a
 * goodbye, so it has no time of its own; subscribers use the broker's receive time.
 */
export function offlineStatusPayload(station: string, cameras: string[], reason: 'lost' | 'stopped') {
  return { online: false as const, station, cameras, reason };
}

export interface AlarmInput {
  kind: string;
  message: string;
  active: boolean;
  timeMs: number;
}

export function alarmPayload(a: AlarmInput) {
  return { type: 'alarm' as const, kind: a.kind, message: a.message, active: a.active, timeMs: a.timeMs };
}

/**
 * Lets at most `ratePerS` results through per second (0 = none). Admits a result when at least
 * 1000/rate ms passed since the last admitted one; the first is always admitted.
 */
export class RateGate {
  private lastMs = -Infinity;
  private readonly minIntervalMs: number;

  constructor(readonly ratePerS: number) {
    if (!(Number.isFinite(ratePerS) && ratePerS >= 0))
      throw new RangeError(`rate must be >= 0 (got ${ratePerS})`);
    this.minIntervalMs = ratePerS === 0 ? Infinity : 1000 / ratePerS;
  }

  admit(nowMs: number): boolean {
    if (this.ratePerS === 0) return false;
    if (nowMs - this.lastMs < this.minIntervalMs) return false;
    this.lastMs = nowMs;
    return true;
  }
}
