/**
 * One line per frame for the serial port. Pure.
 *
 * csv (NMEA-style framing, not NMEA length limits):
 *   $VSR,<frameId>,<captureTimeOfDayMs>,<latencyMs>,<status>,<count>[,<classId>,<trackId>,<score>,<x>,<y>,<width>,<height>,<angleDeg>]*count*HH\r\n
 * - status: the same WORD as in the PLC block (bit0 cameraOk, bit1 modelOk, bit2 resultsValid,
 *   bit3 overflow, bit4 stale), decimal.
 * - score with 3 decimals; x, y, width, height with 2 (pixels, or mm when calibrated); angle 1.
 * - HH: XOR of every character between '$' and '*' (exclusive), two upper-case hex digits.
 * json: one JSON object and "\n":
 *   {"frameId","captureTimeOfDayMs","latencyMs","status":{...flags},"count","objects":[{classId,trackId,score,x,y,width,height,angleDeg}]}
 * Records are ranked and truncated exactly as for the PLC (rankRecords); a stale result carries
 * no objects.
 */
import type { FrameResult } from '../../shared/frame';
import type { StatusFlags } from '../../shared/plc-layout';
import {
  INT_MAX,
  frameIdToDint,
  rankRecords,
  statusFlags,
  statusWord,
  timeOfDayMs,
  type PlcRecord,
  type RecordOptions,
} from './plc/encode';

export type SerialFormat = 'csv' | 'json';

export const CSV_TALKER = 'VSR';
export const CSV_HEADER_FIELDS = ['frameId', 'captureTimeOfDayMs', 'latencyMs', 'status', 'count'] as const;
export const CSV_RECORD_FIELDS = [
  'classId',
  'trackId',
  'score',
  'x',
  'y',
  'width',
  'height',
  'angleDeg',
] as const;

export interface SerialLineInput {
  result: FrameResult;
  cameraOk: boolean;
  modelOk: boolean;
  stale: boolean;
  writeTimeMs: number;
  utcOffsetMin: number;
}

export interface SerialLine {
  frameId: number;
  captureTimeOfDayMs: number;
  latencyMs: number;
  status: StatusFlags;
  count: number;
  objects: PlcRecord[];
}

/** XOR of the character codes (ASCII) of `body`. */
export function nmeaChecksum(body: string): number {
  let x = 0;
  for (let i = 0; i < body.length; i++) x ^= body.charCodeAt(i) & 0xff;
  return x;
}

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}

function fixed(v: number, digits: number): string {
  const s = v.toFixed(digits);
  // "-0.00" reads as a sign error to a PLC parser.
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

export function serialLineValues(input: SerialLineInput, opts: RecordOptions): SerialLine {
  const ranked = rankRecords(input.result.detections, opts);
  // As on the PLC: a frame of a model still learning is not a valid result.
  const valid = !input.stale && input.result.learning !== true;
  const objects = valid ? ranked.records : [];
  return {
    frameId: frameIdToDint(input.result.frameId),
    captureTimeOfDayMs: timeOfDayMs(input.result.captureTimeMs, input.utcOffsetMin),
    latencyMs: Math.min(INT_MAX, Math.max(0, Math.round(input.writeTimeMs - input.result.captureTimeMs))),
    status: {
      cameraOk: input.cameraOk,
      modelOk: input.modelOk,
      resultsValid: valid,
      overflow: ranked.overflow,
      stale: input.stale,
    },
    count: objects.length,
    objects,
  };
}

export function formatSerialLine(format: SerialFormat, input: SerialLineInput, opts: RecordOptions): string {
  const v = serialLineValues(input, opts);
  if (format === 'json') {
    const round = (x: number, d: number): number => Number(fixed(x, d));
    return `${JSON.stringify({
      ...v,
      objects: v.objects.map((o) => ({
        classId: o.classId,
        trackId: o.trackId,
        score: round(o.score, 3),
        x: round(o.x, 2),
        y: round(o.y, 2),
        width: round(o.width, 2),
        height: round(o.height, 2),
        angleDeg: round(o.angleDeg, 1),
      })),
    })}\n`;
  }
  const parts: string[] = [
    CSV_TALKER,
    String(v.frameId),
    String(v.captureTimeOfDayMs),
    String(v.latencyMs),
    String(statusWord(v.status)),
    String(v.count),
  ];
  for (const o of v.objects) {
    parts.push(
      String(o.classId),
      String(o.trackId),
      fixed(o.score, 3),
      fixed(o.x, 2),
      fixed(o.y, 2),
      fixed(o.width, 2),
      fixed(o.height, 2),
      fixed(o.angleDeg, 1),
    );
  }
  const body = parts.join(',');
  return `$${body}*${hex2(nmeaChecksum(body))}\r\n`;
}

export class SerialLineError extends Error {}

/** Parses and verifies a line of either format (the receiving side, tests). */
export function parseSerialLine(line: string): SerialLine {
  const text = line.replace(/[\r\n]+$/, '');
  if (text.startsWith('{')) return JSON.parse(text) as SerialLine;
  const m = /^\$([^*$]*)\*([0-9A-F]{2})$/.exec(text);
  if (!m) throw new SerialLineError(`not a $...*HH line: ${JSON.stringify(text.slice(0, 80))}`);
  const body = m[1] as string;
  const want = parseInt(m[2] as string, 16);
  const got = nmeaChecksum(body);
  if (got !== want) throw new SerialLineError(`checksum ${hex2(got)} does not match *${m[2]}`);
  const f = body.split(',');
  if (f[0] !== CSV_TALKER) throw new SerialLineError(`unknown talker ${f[0]}`);
  const nums = f.slice(1).map(Number);
  if (nums.length < CSV_HEADER_FIELDS.length || nums.some((n) => !Number.isFinite(n)))
    throw new SerialLineError('bad header fields');
  const [frameId, captureTimeOfDayMs, latencyMs, status, count] = nums as [
    number,
    number,
    number,
    number,
    number,
  ];
  const rest = nums.slice(CSV_HEADER_FIELDS.length);
  if (rest.length !== count * CSV_RECORD_FIELDS.length)
    throw new SerialLineError(`count ${count} but ${rest.length} record fields`);
  const objects: PlcRecord[] = [];
  for (let i = 0; i < count; i++) {
    const r = rest.slice(i * 8, i * 8 + 8) as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    objects.push({
      classId: r[0],
      trackId: r[1],
      score: r[2],
      x: r[3],
      y: r[4],
      width: r[5],
      height: r[6],
      angleDeg: r[7],
    });
  }
  return { frameId, captureTimeOfDayMs, latencyMs, status: statusFlags(status), count, objects };
}
