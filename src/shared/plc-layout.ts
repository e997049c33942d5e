/**
 * PLC data block, layout v1, as data. The encoder, decoder, SCL/JSON/Markdown generators and the
 * UI byte view all read this one description, so the bytes and the documentation cannot drift.
 *
 * All offsets are in bytes, relative to the configured start offset inside the DB. Types are S7
 * elementary types, big-endian, in a DB with optimized block access off.
 *
 * Block = header (20 B) + maxObjects records (28 B each) + control area (12 B).
 * The app writes header + records ("data area") and `recipeActive`; the PLC writes the rest of
 * the control area.
 */

/** The default layout; v2 = v1 + counters area (see COUNTER_LINE_FIELDS). */
export const PLC_LAYOUT_VERSION = 1;
export const PLC_LAYOUT_VERSIONS = [1, 2] as const;
export type PlcLayoutVersion = (typeof PLC_LAYOUT_VERSIONS)[number];

export type S7Type = 'INT' | 'WORD' | 'DINT' | 'REAL';

export const S7_TYPE_SIZE_BYTES: Readonly<Record<S7Type, number>> = { INT: 2, WORD: 2, DINT: 4, REAL: 4 };

/** TIA Portal spelling of each type, for the SCL source. */
export const S7_TYPE_SCL: Readonly<Record<S7Type, string>> = {
  INT: 'Int',
  WORD: 'Word',
  DINT: 'DInt',
  REAL: 'Real',
};

export type PlcWriter = 'app' | 'plc';

export interface PlcField<Name extends string = string> {
  name: Name;
  /** Offset in bytes from the start of the field's area (header, record, control area). */
  offset: number;
  type: S7Type;
  meaning: string;
  writtenBy: PlcWriter;
}

export const HEADER_FIELDS = [
  {
    name: 'lifeCounter',
    offset: 0,
    type: 'INT',
    writtenBy: 'app',
    meaning: '+1 on every write, wraps 32767 -> 0 (PLC watchdog)',
  },
  {
    name: 'status',
    offset: 2,
    type: 'WORD',
    writtenBy: 'app',
    meaning: 'bit0 cameraOk, bit1 modelOk, bit2 resultsValid, bit3 overflow, bit4 stale',
  },
  {
    name: 'frameId',
    offset: 4,
    type: 'DINT',
    writtenBy: 'app',
    meaning: 'id of the processed frame, increasing (modulo 2^31)',
  },
  {
    name: 'requestId',
    offset: 8,
    type: 'DINT',
    writtenBy: 'app',
    meaning: 'trigger mode: the triggerCounter this answers; else 0',
  },
  {
    name: 'captureTimeOfDayMs',
    offset: 12,
    type: 'DINT',
    writtenBy: 'app',
    meaning: 'capture time, ms since local midnight',
  },
  {
    name: 'count',
    offset: 16,
    type: 'INT',
    writtenBy: 'app',
    meaning: 'valid records that follow (0..maxObjects)',
  },
  {
    name: 'latencyMs',
    offset: 18,
    type: 'INT',
    writtenBy: 'app',
    meaning: 'capture -> write, clamped to 32767',
  },
] as const satisfies readonly PlcField[];

export const RECORD_FIELDS = [
  { name: 'classId', offset: 0, type: 'INT', writtenBy: 'app', meaning: 'class index of the model' },
  { name: 'trackId', offset: 2, type: 'INT', writtenBy: 'app', meaning: '-1 without tracking' },
  { name: 'score', offset: 4, type: 'REAL', writtenBy: 'app', meaning: 'confidence 0..1' },
  {
    name: 'x',
    offset: 8,
    type: 'REAL',
    writtenBy: 'app',
    meaning: 'centre X (pixels, or mm when calibrated)',
  },
  {
    name: 'y',
    offset: 12,
    type: 'REAL',
    writtenBy: 'app',
    meaning: 'centre Y (pixels, or mm when calibrated)',
  },
  {
    name: 'width',
    offset: 16,
    type: 'REAL',
    writtenBy: 'app',
    meaning: 'width (pixels, or mm when calibrated)',
  },
  {
    name: 'height',
    offset: 20,
    type: 'REAL',
    writtenBy: 'app',
    meaning: 'height (pixels, or mm when calibrated)',
  },
  {
    name: 'angleDeg',
    offset: 24,
    type: 'REAL',
    writtenBy: 'app',
    meaning: '0 for plain boxes; mask orientation for segmentation, degrees (-90, 90]',
  },
] as const satisfies readonly PlcField[];

export const CONTROL_FIELDS = [
  {
    name: 'triggerCounter',
    offset: 0,
    type: 'DINT',
    writtenBy: 'plc',
    meaning: 'written by the PLC: +1 requests a result (trigger mode)',
  },
  {
    name: 'ackFrameId',
    offset: 4,
    type: 'DINT',
    writtenBy: 'plc',
    meaning: 'written by the PLC: frameId it has consumed (ack mode)',
  },
  {
    name: 'recipeRequest',
    offset: 8,
    type: 'INT',
    writtenBy: 'plc',
    meaning: 'written by the PLC: >0 asks to switch to that model/recipe slot',
  },
  {
    name: 'recipeActive',
    offset: 10,
    type: 'INT',
    writtenBy: 'app',
    meaning: 'written by the app: slot in use',
  },
] as const satisfies readonly PlcField[];

/**
 * Layout v2 only: the counters area right after the control area. MAX_COUNTER_LINES slots of
 * (inCount, outCount) (not `in`/`out`: those read as keywords to a PLC programmer), in the order the counting lines are configured (unused slots stay 0), then the
 * reset request.
 *
 * Reset handshake: the PLC writes a non-zero value to countersResetRequest. The app zeroes every
 * counter, writes the zeroed counters, then writes 0 back to countersResetRequest. The PLC waits
 * for 0 before it requests again.
 */
export const MAX_COUNTER_LINES = 8;

export const COUNTER_LINE_FIELDS = [
  {
    name: 'inCount',
    offset: 0,
    type: 'DINT',
    writtenBy: 'app',
    meaning: 'crossings from the cross > 0 side to the cross < 0 side since the last reset',
  },
  {
    name: 'outCount',
    offset: 4,
    type: 'DINT',
    writtenBy: 'app',
    meaning: 'crossings the other way since the last reset',
  },
] as const satisfies readonly PlcField[];

export const COUNTER_LINE_SIZE_BYTES = 8;

export const COUNTERS_RESET_FIELD = {
  name: 'countersResetRequest',
  offset: MAX_COUNTER_LINES * COUNTER_LINE_SIZE_BYTES,
  type: 'DINT',
  writtenBy: 'plc',
  meaning: 'written by the PLC: non-zero asks to zero all counters; the app writes 0 back when done',
} as const satisfies PlcField;

/** Counter slots + reset request: 8 × 8 + 4 = 68 bytes. */
export const COUNTERS_SIZE_BYTES = COUNTERS_RESET_FIELD.offset + 4;

export type HeaderFieldName = (typeof HEADER_FIELDS)[number]['name'];
export type RecordFieldName = (typeof RECORD_FIELDS)[number]['name'];
export type ControlFieldName = (typeof CONTROL_FIELDS)[number]['name'];

/** Bits of the `status` WORD. Bit n of a big-endian WORD at offset o is DBX(o+1).n for n < 8. */
export const STATUS_BITS = [
  { name: 'cameraOk', bit: 0, meaning: 'the camera delivers frames' },
  { name: 'modelOk', bit: 1, meaning: 'a model is loaded and running' },
  { name: 'resultsValid', bit: 2, meaning: 'count and records describe this frame; 0 = ignore them' },
  {
    name: 'overflow',
    bit: 3,
    meaning: 'more objects were found than maxObjects; the lowest-ranked were dropped',
  },
  {
    name: 'stale',
    bit: 4,
    meaning: 'the result was older than the staleness limit when written (resultsValid is 0)',
  },
] as const;

export type StatusBitName = (typeof STATUS_BITS)[number]['name'];
export type StatusFlags = Record<StatusBitName, boolean>;

function areaSize(fields: readonly PlcField[]): number {
  let end = 0;
  for (const f of fields) end = Math.max(end, f.offset + S7_TYPE_SIZE_BYTES[f.type]);
  return end;
}

export const HEADER_SIZE_BYTES = areaSize(HEADER_FIELDS); // 20
export const RECORD_SIZE_BYTES = areaSize(RECORD_FIELDS); // 28
export const CONTROL_SIZE_BYTES = areaSize(CONTROL_FIELDS); // 12

export const DEFAULT_MAX_OBJECTS = 16;
/** Bound so that a whole block stays below 64 KiB (the S7-300 DB limit and snap7's area limit). */
export const MAX_MAX_OBJECTS = 1024;

export function assertMaxObjects(maxObjects: number): void {
  if (!Number.isInteger(maxObjects) || maxObjects < 1 || maxObjects > MAX_MAX_OBJECTS) {
    throw new RangeError(`maxObjects must be an integer 1..${MAX_MAX_OBJECTS}, got ${maxObjects}`);
  }
}

/** Offset of record i (0-based) relative to the block start. */
export function recordOffsetBytes(index: number): number {
  return HEADER_SIZE_BYTES + RECORD_SIZE_BYTES * index;
}

/** Header + records: what the app writes for each frame. */
export function dataAreaSizeBytes(maxObjects: number): number {
  assertMaxObjects(maxObjects);
  return HEADER_SIZE_BYTES + RECORD_SIZE_BYTES * maxObjects;
}

/** Offset of the control area relative to the block start. */
export function controlAreaOffsetBytes(maxObjects: number): number {
  return dataAreaSizeBytes(maxObjects);
}

/** Whole block: header + records + control area (+ counters area in v2). */
export function blockSizeBytes(maxObjects: number, version: PlcLayoutVersion = 1): number {
  return dataAreaSizeBytes(maxObjects) + CONTROL_SIZE_BYTES + (version === 2 ? COUNTERS_SIZE_BYTES : 0);
}

/** Layout v2: offset of the counters area relative to the block start (right after the control area). */
export function countersAreaOffsetBytes(maxObjects: number): number {
  return dataAreaSizeBytes(maxObjects) + CONTROL_SIZE_BYTES;
}

/** Bytes the DB must have at least: start offset + block. */
export function requiredDbSizeBytes(
  maxObjects: number,
  startOffsetBytes: number,
  version: PlcLayoutVersion = 1,
): number {
  return startOffsetBytes + blockSizeBytes(maxObjects, version);
}

export function controlFieldOffsetBytes(maxObjects: number, name: ControlFieldName): number {
  const f = CONTROL_FIELDS.find((c) => c.name === name);
  if (!f) throw new Error(`unknown control field ${name}`);
  return controlAreaOffsetBytes(maxObjects) + f.offset;
}

export interface PlcAbsoluteField {
  /** Dotted path as in the SCL source: header.frameId, records[3].x, control.ackFrameId. */
  path: string;
  /** Offset in the DB (start offset included). */
  dbOffset: number;
  type: S7Type;
  sizeBytes: number;
  writtenBy: PlcWriter;
  meaning: string;
}

export interface PlcLayoutDescription {
  version: number;
  maxObjects: number;
  startOffsetBytes: number;
  headerSizeBytes: number;
  recordSizeBytes: number;
  controlSizeBytes: number;
  dataAreaSizeBytes: number;
  blockSizeBytes: number;
  controlAreaOffsetBytes: number;
  header: readonly PlcField[];
  record: readonly PlcField[];
  control: readonly PlcField[];
  statusBits: readonly { name: string; bit: number; meaning: string }[];
  /** Layout v2 only. */
  counters?: {
    offsetBytes: number;
    sizeBytes: number;
    lines: number;
    lineSizeBytes: number;
    line: readonly PlcField[];
    resetRequest: PlcField;
  };
}

export function describePlcLayout(
  maxObjects = DEFAULT_MAX_OBJECTS,
  startOffsetBytes = 0,
  version: PlcLayoutVersion = 1,
): PlcLayoutDescription {
  assertMaxObjects(maxObjects);
  return {
    version,
    maxObjects,
    startOffsetBytes,
    headerSizeBytes: HEADER_SIZE_BYTES,
    recordSizeBytes: RECORD_SIZE_BYTES,
    controlSizeBytes: CONTROL_SIZE_BYTES,
    dataAreaSizeBytes: dataAreaSizeBytes(maxObjects),
    blockSizeBytes: blockSizeBytes(maxObjects, version),
    controlAreaOffsetBytes: controlAreaOffsetBytes(maxObjects),
    header: HEADER_FIELDS,
    record: RECORD_FIELDS,
    control: CONTROL_FIELDS,
    statusBits: STATUS_BITS,
    ...(version === 2
      ? {
          counters: {
            offsetBytes: countersAreaOffsetBytes(maxObjects),
            sizeBytes: COUNTERS_SIZE_BYTES,
            lines: MAX_COUNTER_LINES,
            lineSizeBytes: COUNTER_LINE_SIZE_BYTES,
            line: COUNTER_LINE_FIELDS,
            resetRequest: COUNTERS_RESET_FIELD,
          },
        }
      : {}),
  };
}

/** Every field of the block with its absolute DB offset (for a byte view or a PLC tag table). */
export function flattenPlcLayout(
  maxObjects = DEFAULT_MAX_OBJECTS,
  startOffsetBytes = 0,
  version: PlcLayoutVersion = 1,
): PlcAbsoluteField[] {
  const out: PlcAbsoluteField[] = [];
  const push = (prefix: string, base: number, fields: readonly PlcField[]): void => {
    for (const f of fields) {
      out.push({
        path: `${prefix}.${f.name}`,
        dbOffset: startOffsetBytes + base + f.offset,
        type: f.type,
        sizeBytes: S7_TYPE_SIZE_BYTES[f.type],
        writtenBy: f.writtenBy,
        meaning: f.meaning,
      });
    }
  };
  push('header', 0, HEADER_FIELDS);
  for (let i = 0; i < maxObjects; i++) push(`records[${i}]`, recordOffsetBytes(i), RECORD_FIELDS);
  push('control', controlAreaOffsetBytes(maxObjects), CONTROL_FIELDS);
  if (version === 2) {
    const base = countersAreaOffsetBytes(maxObjects);
    for (let i = 0; i < MAX_COUNTER_LINES; i++)
      push(`counters.lines[${i}]`, base + COUNTER_LINE_SIZE_BYTES * i, COUNTER_LINE_FIELDS);
    push('counters', base, [COUNTERS_RESET_FIELD]);
  }
  return out;
}
