/** PLC layout v1 bytes -> values (simulator, tests, UI byte view). Pure. */
import {
  COUNTER_LINE_FIELDS,
  COUNTER_LINE_SIZE_BYTES,
  COUNTERS_RESET_FIELD,
  COUNTERS_SIZE_BYTES,
  MAX_COUNTER_LINES,
  CONTROL_FIELDS,
  CONTROL_SIZE_BYTES,
  HEADER_FIELDS,
  HEADER_SIZE_BYTES,
  RECORD_FIELDS,
  assertMaxObjects,
  blockSizeBytes,
  controlAreaOffsetBytes,
  dataAreaSizeBytes,
  recordOffsetBytes,
  type PlcField,
  type StatusFlags,
} from '../../../shared/plc-layout';
import { readField, statusFlags, type PlcControl, type PlcHeader, type PlcRecord } from './encode';

export interface DecodedBlock {
  header: PlcHeader;
  status: StatusFlags;
  /** The first `count` records (count clamped to 0..maxObjects). */
  records: PlcRecord[];
  /** True when every byte of the records beyond `count` is zero, as the encoder guarantees. */
  tailZeroed: boolean;
  /** Present when the bytes include the control area. */
  control: PlcControl | null;
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function readFields<N extends string>(
  view: DataView,
  base: number,
  fields: readonly PlcField<N>[],
): Record<N, number> {
  const out = {} as Record<N, number>;
  for (const f of fields) out[f.name] = readField(view, base, f);
  return out;
}

/**
 * Decodes a block starting at byte 0 of `bytes`: either the data area alone
 * (`dataAreaSizeBytes`) or the whole block with the control area (`blockSizeBytes`).
 */
export function decodeBlock(bytes: Uint8Array, maxObjects: number): DecodedBlock {
  assertMaxObjects(maxObjects);
  const dataSize = dataAreaSizeBytes(maxObjects);
  if (bytes.byteLength < dataSize) {
    throw new RangeError(
      `layout v1 with maxObjects=${maxObjects} needs ${dataSize} bytes, got ${bytes.byteLength}`,
    );
  }
  const view = viewOf(bytes);
  const header = readFields(view, 0, HEADER_FIELDS);
  const count = Math.min(Math.max(header.count, 0), maxObjects);
  const records: PlcRecord[] = [];
  for (let i = 0; i < count; i++) records.push(readFields(view, recordOffsetBytes(i), RECORD_FIELDS));
  let tailZeroed = true;
  for (let at = recordOffsetBytes(count); at < dataSize; at++) {
    if (bytes[at] !== 0) {
      tailZeroed = false;
      break;
    }
  }
  const control =
    bytes.byteLength >= blockSizeBytes(maxObjects)
      ? decodeControlArea(bytes.subarray(controlAreaOffsetBytes(maxObjects)))
      : null;
  return { header, status: statusFlags(header.status), records, tailZeroed, control };
}

/** Decodes only the header (the first 20 bytes). */
export function decodeHeader(bytes: Uint8Array): PlcHeader {
  if (bytes.byteLength < HEADER_SIZE_BYTES)
    throw new RangeError(`header needs ${HEADER_SIZE_BYTES} bytes, got ${bytes.byteLength}`);
  return readFields(viewOf(bytes), 0, HEADER_FIELDS);
}

/** Decodes the 12-byte control area (triggerCounter, ackFrameId, recipeRequest, recipeActive). */
export function decodeControlArea(bytes: Uint8Array): PlcControl {
  if (bytes.byteLength < CONTROL_SIZE_BYTES) {
    throw new RangeError(`control area needs ${CONTROL_SIZE_BYTES} bytes, got ${bytes.byteLength}`);
  }
  return readFields(viewOf(bytes), 0, CONTROL_FIELDS);
}

export interface DecodedCounters {
  /** MAX_COUNTER_LINES slots, in the lines' order. */
  lines: { inCount: number; outCount: number }[];
  countersResetRequest: number;
}

/** Layout v2: decodes the 68-byte counters area (counter slots + reset request). */
export function decodeCountersArea(bytes: Uint8Array): DecodedCounters {
  if (bytes.byteLength < COUNTERS_SIZE_BYTES)
    throw new RangeError(`counters area needs ${COUNTERS_SIZE_BYTES} bytes, got ${bytes.byteLength}`);
  const view = viewOf(bytes);
  const lines = [];
  for (let i = 0; i < MAX_COUNTER_LINES; i++)
    lines.push(readFields(view, i * COUNTER_LINE_SIZE_BYTES, COUNTER_LINE_FIELDS));
  return { lines, countersResetRequest: readField(view, 0, COUNTERS_RESET_FIELD) };
}
