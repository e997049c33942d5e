/**
 * The one answer to "is the line being served?": a station state (OK / WARNING / STOPPED) from the
 * most severe active alarm, and whether results reach the PLC. Pure: the renderer and tests use it.
 */
import type { Alarm, AlarmKind, CameraState, PlcStatus } from './api';
import { STATUS_BITS } from './plc-layout';
import type { Detection } from './detection';

export type Severity = 'stop' | 'warning';

/**
 * 'stop': the station is not doing its job (no pictures, no inference, or the PLC gets nothing).
 * 'warning': it runs but something needs a look (slow, a failed change, a missed handshake).
 */
export const ALARM_SEVERITY: Record<AlarmKind, Severity> = {
  sourceLost: 'stop',
  plcDown: 'stop',
  inferenceHung: 'stop',
  ackTimeout: 'warning',
  fpsBelowTarget: 'warning',
  modelFailed: 'warning',
  plcConfig: 'warning',
  settings: 'warning',
  // The line goes on; what it sees is no longer kept.
  recording: 'warning',
  // SCADA/MES links: the line and its PLC keep running without them.
  mqttDown: 'warning',
  opcuaFailed: 'warning',
};

const RANK: Record<Severity, number> = { stop: 2, warning: 1 };

export type StationState = 'ok' | 'warning' | 'stopped';

export interface Verdict {
  state: StationState;
  /** The alarm behind the state (null when OK). */
  cause: Alarm | null;
  /** The camera behind the state, when one of the other cameras is worse than every alarm. */
  camera?: CameraStateInput;
}

/** One of the station's other cameras (listCameras), as the verdict weighs it. */
export interface CameraStateInput {
  name: string;
  state: CameraState;
  reason: string | null;
}

/**
 * A camera that gives no pictures stops its part of the line (as the main camera's sourceLost
 * alarm does for stalled, reconnecting and error); one still starting is a warning.
 */
export const CAMERA_STATE_VERDICT: Record<CameraState, StationState> = {
  live: 'ok',
  starting: 'warning',
  stalled: 'stopped',
  reconnecting: 'stopped',
  stopped: 'stopped',
  error: 'stopped',
};

const STATE_RANK: Record<StationState, number> = { ok: 0, warning: 1, stopped: 2 };

/** The worst of the cameras (the first listed among equals), or null when all are live. */
export function worstCamera(cameras: readonly CameraStateInput[]): CameraStateInput | null {
  let worst: CameraStateInput | null = null;
  for (const c of cameras) {
    const rank = STATE_RANK[CAMERA_STATE_VERDICT[c.state]];
    if (rank > 0 && (worst === null || rank > STATE_RANK[CAMERA_STATE_VERDICT[worst.state]])) worst = c;
  }
  return worst;
}

/**
 * The most severe active alarm; among equals the most recently raised (the newest fault is the one
 * the operator has not seen yet). Null when none is active.
 */
export function mostSevereActive(alarms: readonly Alarm[]): Alarm | null {
  let best: Alarm | null = null;
  for (const a of alarms) {
    if (!a.active) continue;
    if (
      best === null ||
      RANK[ALARM_SEVERITY[a.kind]] > RANK[ALARM_SEVERITY[best.kind]] ||
      (RANK[ALARM_SEVERITY[a.kind]] === RANK[ALARM_SEVERITY[best.kind]] && a.raisedAtMs > best.raisedAtMs)
    )
      best = a;
  }
  return best;
}

/**
 * The worst of the alarms and of the other cameras' states; an alarm wins a tie (it says more).
 * `cameras`: the cameras beside the main one (the main camera's problems are alarms already).
 */
export function stationVerdict(alarms: readonly Alarm[], cameras: readonly CameraStateInput[] = []): Verdict {
  const cause = mostSevereActive(alarms);
  const byAlarms: Verdict = !cause
    ? { state: 'ok', cause: null }
    : { state: ALARM_SEVERITY[cause.kind] === 'stop' ? 'stopped' : 'warning', cause };
  const camera = worstCamera(cameras);
  if (camera && STATE_RANK[CAMERA_STATE_VERDICT[camera.state]] > STATE_RANK[byAlarms.state])
    return { state: CAMERA_STATE_VERDICT[camera.state], cause, camera };
  return byAlarms;
}

/** Why results are not reaching the PLC, most fundamental first. */
export type PlcDeliveryProblem = 'linkDown' | 'stale' | 'overflow' | 'ackTimeout';

/** A PLC that has not been written for this long is not getting results. */
export const PLC_STALE_AFTER_MS = 3000;

const bitOf = (name: string): number => STATUS_BITS.find((b) => b.name === name)?.bit ?? -1;

/**
 * What stops results from reaching the PLC now, or null when they do (or no PLC is configured).
 * `nowMs` is the same clock as `lastWriteTimeMs` (the station's wall clock).
 */
export function plcDeliveryProblem(
  plc: PlcStatus | null,
  alarms: readonly Alarm[],
  nowMs: number,
): PlcDeliveryProblem | null {
  if (!plc || plc.state === 'off') return null;
  const activeKinds = new Set(alarms.filter((a) => a.active).map((a) => a.kind));
  if (plc.state !== 'connected' || activeKinds.has('plcDown')) return 'linkDown';
  if (plc.lastWriteTimeMs === null || nowMs - plc.lastWriteTimeMs > PLC_STALE_AFTER_MS) return 'stale';
  const status = plc.lastBlock?.fields.find((f) => f.name === 'status')?.value ?? 0;
  if (status & (1 << bitOf('stale'))) return 'stale';
  if (status & (1 << bitOf('overflow'))) return 'overflow';
  if (activeKinds.has('ackTimeout')) return 'ackTimeout';
  return null;
}

// ---------------------------------------------------------------------------------------------
// Per-class limits: why a detection was filtered (machine-readable, for the UI and logs)
// ---------------------------------------------------------------------------------------------

export const FILTER_REASONS = [
  'classDisabled',
  'belowClassConf',
  'areaTooSmall',
  'areaTooLarge',
  'aspectTooLow',
  'aspectTooHigh',
] as const;
export type FilterReason = (typeof FILTER_REASONS)[number];

/** A detection the per-class limits removed; the UI draws it dimmed with the reason. */
export interface FilteredDetection {
  detection: Detection;
  reason: FilterReason;
  /** For people: e.g. "score 0.31 < 0.4 (bottle)". */
  detail: string;
}
