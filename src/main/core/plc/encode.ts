/**
 * FrameResult -> PLC layout v1 bytes (big-endian). Pure: the caller passes the clock-derived
 * values (write time, UTC offset), so the same input always gives the same bytes.
 */
import type { Detection } from '../../../shared/detection';
import type { FrameResult, LineCount } from '../../../shared/frame';
import {
  COUNTER_LINE_FIELDS,
  COUNTER_LINE_SIZE_BYTES,
  COUNTERS_RESET_FIELD,
  MAX_COUNTER_LINES,
  CONTROL_FIELDS,
  CONTROL_SIZE_BYTES,
  HEADER_FIELDS,
  RECORD_FIELDS,
  STATUS_BITS,
  S7_TYPE_SIZE_BYTES,
  assertMaxObjects,
  dataAreaSizeBytes,
  recordOffsetBytes,
  type ControlFieldName,
  type HeaderFieldName,
  type PlcField,
  type RecordFieldName,
  type StatusFlags,
} from '../../../shared/plc-layout';
import { detectionPlacement, type Homography3x3 } from '../calibration';

export const INT_MIN = -32768;
export const INT_MAX = 32767;
export const DINT_MIN = -2147483648;
export const DINT_MAX = 2147483647;
export const MS_PER_DAY = 86_400_000;

/** How records are ranked before truncation to maxObjects. */
export const RECORD_SORT_KEYS = ['score', 'x', 'y', 'area', 'classId', 'trackId', 'none'] as const;
export type RecordSortKey = (typeof RECORD_SORT_KEYS)[number];

export type PlcRecord = Record<RecordFieldName, number>;
export type PlcHeader = Record<HeaderFieldName, number>;
export type PlcControl = Record<ControlFieldName, number>;

export interface RecordOptions {
  maxObjects: number;
  /** Default 'score' (highest first). x, y: ascending; area: largest first; classId, trackId: ascending. */
  sortKey?: RecordSortKey;
  /** Pixel -> mm homography; null/absent: pixels. */
  homographyPxToMm?: Homography3x3 | null;
}

export interface RankedRecords {
  records: PlcRecord[];
  /** Detections in the result before truncation. */
  totalCount: number;
  overflow: boolean;
}

function clampInt(value: number, min: number, max: number): number {
  if (!Number.isFinite(value)) return 0;
  return Math.min(max, Math.max(min, Math.round(value)));
}

function finiteOr0(v: number): number {
  return Number.isFinite(v) ? v : 0;
}

function sortValue(det: Detection, key: RecordSortKey): number {
  const [x1, y1, x2, y2] = det.box;
  switch (key) {
    case 'score':
      return -det.score;
    case 'x':
      return (x1 + x2) / 2;
    case 'y':
      return (y1 + y2) / 2;
    case 'area':
      return -Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
    case 'classId':
      return det.classId;
    case 'trackId':
      // Untracked objects after the tracked ones.
      return det.trackId === undefined || det.trackId < 0 ? Number.MAX_SAFE_INTEGER : det.trackId;
    case 'none':
      return 0;
  }
}

/**
 * Ranks, truncates and converts detections to record values (also used by the serial line).
 * Detections that zones keep from output (`eligibleForOutput === false`) are left out first.
 */
export function rankRecords(allDetections: readonly Detection[], opts: RecordOptions): RankedRecords {
  assertMaxObjects(opts.maxObjects);
  const detections = allDetections.filter((d) => d.eligibleForOutput !== false);
  const key = opts.sortKey ?? 'score';
  // Array.prototype.sort is stable, so ties keep the detector's order.
  const ranked = detections
    .map((det, i) => ({ det, i, k: sortValue(det, key) }))
    .sort((a, b) => a.k - b.k || a.i - b.i)
    .slice(0, opts.maxObjects);
  const records = ranked.map(({ det }) => {
    const p = detectionPlacement(det, opts.homographyPxToMm);
    return {
      classId: clampInt(det.classId, INT_MIN, INT_MAX),
      trackId: det.trackId === undefined ? -1 : clampInt(det.trackId, INT_MIN, INT_MAX),
      score: finiteOr0(det.score),
      x: finiteOr0(p.x),
      y: finiteOr0(p.y),
      width: finiteOr0(p.width),
      height: finiteOr0(p.height),
      angleDeg: finiteOr0(p.angleDeg),
    };
  });
  return { records, totalCount: detections.length, overflow: detections.length > opts.maxObjects };
}

export function statusWord(flags: StatusFlags): number {
  let w = 0;
  for (const b of STATUS_BITS) if (flags[b.name]) w |= 1 << b.bit;
  return w;
}

export function statusFlags(word: number): StatusFlags {
  const out = {} as StatusFlags;
  for (const b of STATUS_BITS) out[b.name] = (word & (1 << b.bit)) !== 0;
  return out;
}

/** ms since local midnight; `utcOffsetMin` = minutes local time is ahead of UTC (CET: 60). */
export function timeOfDayMs(epochMs: number, utcOffsetMin: number): number {
  const local = Math.floor(epochMs) + Math.round(utcOffsetMin) * 60_000;
  return ((local % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY;
}

/** Frame ids grow without bound; the DINT carries them modulo 2^31 so it never turns negative. */
export function frameIdToDint(frameId: number): number {
  const v = Math.floor(frameId) % 2147483648;
  return v < 0 ? v + 2147483648 : v;
}

export function writeField(view: DataView, base: number, field: PlcField, value: number): void {
  const at = base + field.offset;
  switch (field.type) {
    case 'INT':
      view.setInt16(at, clampInt(value, INT_MIN, INT_MAX), false);
      return;
    case 'WORD':
      view.setUint16(at, clampInt(value, 0, 0xffff), false);
      return;
    case 'DINT':
      view.setInt32(at, clampInt(value, DINT_MIN, DINT_MAX), false);
      return;
    case 'REAL':
      view.setFloat32(at, value, false);
      return;
  }
}

export function readField(view: DataView, base: number, field: PlcField): number {
  const at = base + field.offset;
  switch (field.type) {
    case 'INT':
      return view.getInt16(at, false);
    case 'WORD':
      return view.getUint16(at, false);
    case 'DINT':
      return view.getInt32(at, false);
    case 'REAL':
      return view.getFloat32(at, false);
  }
}

export function writeFields<N extends string>(
  view: DataView,
  base: number,
  fields: readonly PlcField<N>[],
  values: Record<N, number>,
): void {
  for (const f of fields) writeField(view, base, f, values[f.name]);
}

export interface EncodeInput {
  result: FrameResult;
  /** 0..32767; the sink increments and wraps it. */
  lifeCounter: number;
  /** Trigger mode: the triggerCounter answered; else 0. */
  requestId: number;
  cameraOk: boolean;
  modelOk: boolean;
  /**
   * The result is older than the staleness limit. A stale block is written with resultsValid 0,
   * stale 1, count 0 and all records zeroed, so a PLC that ignores the status bits still cannot
   * act on old positions. frameId and captureTimeOfDayMs still say which frame it was.
   */
  stale: boolean;
  /** Wall-clock ms (epoch) of the write, for latencyMs. */
  writeTimeMs: number;
  /** Minutes local time is ahead of UTC at the capture time (= -Date#getTimezoneOffset()). */
  utcOffsetMin: number;
}

export interface EncodedBlock {
  /** Header + records, `dataAreaSizeBytes(maxObjects)` bytes. */
  bytes: Uint8Array;
  header: PlcHeader;
  records: PlcRecord[];
  overflow: boolean;
}

/** Encodes header + records (the data area) for one frame. Records beyond `count` are zero. */
export function encodeDataArea(input: EncodeInput, opts: RecordOptions): EncodedBlock {
  const bytes = new Uint8Array(dataAreaSizeBytes(opts.maxObjects));
  const view = new DataView(bytes.buffer);
  const ranked = rankRecords(input.result.detections, opts);
  // Valid only with a live camera, a ready model that is not still learning (classic background),
  // and a fresh result; otherwise no records, so a PLC that ignores the status bits cannot act.
  const valid = !input.stale && input.result.learning !== true && input.cameraOk && input.modelOk;
  const records = valid ? ranked.records : [];
  const header: PlcHeader = {
    lifeCounter: clampInt(input.lifeCounter, 0, INT_MAX),
    status: statusWord({
      cameraOk: input.cameraOk,
      modelOk: input.modelOk,
      resultsValid: valid,
      overflow: ranked.overflow,
      stale: input.stale,
    }),
    frameId: frameIdToDint(input.result.frameId),
    requestId: clampInt(input.requestId, DINT_MIN, DINT_MAX),
    captureTimeOfDayMs: timeOfDayMs(input.result.captureTimeMs, input.utcOffsetMin),
    count: records.length,
    latencyMs: clampInt(input.writeTimeMs - input.result.captureTimeMs, 0, INT_MAX),
  };
  writeFields(view, 0, HEADER_FIELDS, header);
  records.forEach((r, i) => writeFields(view, recordOffsetBytes(i), RECORD_FIELDS, r));
  return { bytes, header, records, overflow: ranked.overflow };
}

/** The control area (12 bytes) as the PLC side writes it (simulator, tests). */
export function encodeControlArea(control: PlcControl): Uint8Array {
  const bytes = new Uint8Array(CONTROL_SIZE_BYTES);
  writeFields(new DataView(bytes.buffer), 0, CONTROL_FIELDS, control);
  return bytes;
}

/** One control field alone, e.g. recipeActive (app) or ackFrameId (PLC side). */
export function encodeControlField(
  name: ControlFieldName,
  value: number,
): { offset: number; bytes: Uint8Array } {
  const f = CONTROL_FIELDS.find((c) => c.name === name);
  if (!f) throw new Error(`unknown control field ${name}`);
  const bytes = new Uint8Array(S7_TYPE_SIZE_BYTES[f.type]);
  writeField(new DataView(bytes.buffer), -f.offset, f, value);
  return { offset: f.offset, bytes };
}

/**
 * Layout v2: the counter slots (in, out per line, MAX_COUNTER_LINES × 8 bytes) in the lines'
 * order; slots without a line are 0. The reset request after them belongs to the PLC and is not
 * part of these bytes.
 */
export function encodeCounterSlots(counts: readonly LineCount[]): Uint8Array {
  if (counts.length > MAX_COUNTER_LINES)
    throw new RangeError(`layout v2 has room for ${MAX_COUNTER_LINES} counting lines, got ${counts.length}`);
  const bytes = new Uint8Array(MAX_COUNTER_LINES * COUNTER_LINE_SIZE_BYTES);
  const view = new DataView(bytes.buffer);
  counts.forEach((c, i) =>
    writeFields(view, i * COUNTER_LINE_SIZE_BYTES, COUNTER_LINE_FIELDS, { inCount: c.in, outCount: c.out }),
  );
  return bytes;
}

/** The reset request DINT alone, for the app's acknowledgement (0) or the PLC side (tests). */
export function encodeCountersResetRequest(value: number): { offset: number; bytes: Uint8Array } {
  const bytes = new Uint8Array(4);
  writeField(new DataView(bytes.buffer), -COUNTERS_RESET_FIELD.offset, COUNTERS_RESET_FIELD, value);
  return { offset: COUNTERS_RESET_FIELD.offset, bytes };
}
