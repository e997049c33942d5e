/**
 * Serial sink: one line per frame (see core/serial-format.ts) to a serial port. A thin adapter
 * over the write loop it shares with the S7 sink (src/main/util/latest-value-sink.ts): it never
 * blocks the pipeline (newest-only slot), bounds open and write with a deadline, and reopens the
 * port with capped backoff when it disappears (USB adapter unplugged, pty closed). Here: how to
 * open, write one line and close.
 */
import { EventEmitter } from 'node:events';
import { SerialPort } from 'serialport';
import { z } from 'zod';
import type { FrameResult } from '../../shared/frame';
import { MAX_MAX_OBJECTS } from '../../shared/plc-layout';
import { describeIssue } from '../../shared/schema';
import { homographySchema } from '../core/calibration';
import { RECORD_SORT_KEYS } from '../core/plc/encode';
import { formatSerialLine, type SerialFormat } from '../core/serial-format';
import { NewestOnlySchedule } from '../core/write-schedule';
import { LatestValueSink, type LinkState } from '../util/latest-value-sink';

export const serialSettingsSchema = z
  .object({
    path: z.string().min(1).describe('device path, e.g. /dev/ttyUSB0 or COM3'),
    baudRate: z.number().int().min(50).max(4_000_000).default(115200),
    parity: z.enum(['none', 'even', 'odd']).default('none'),
    dataBits: z.union([z.literal(7), z.literal(8)]).default(8),
    stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
    format: z
      .enum(['csv', 'json'])
      .default('csv')
      .describe('csv: $VSR,...*HH NMEA-style; json: one object per line'),
    maxObjects: z.number().int().min(1).max(MAX_MAX_OBJECTS).default(16),
    sortKey: z.enum(RECORD_SORT_KEYS).default('score'),
    stalenessLimitMs: z.number().int().min(1).max(60_000).default(1000),
    writeTimeoutMs: z
      .number()
      .int()
      .min(10)
      .max(60_000)
      .default(1000)
      .describe('a line not drained by then counts as a broken port'),
    openTimeoutMs: z.number().int().min(10).max(60_000).default(2000),
    reopenMinMs: z.number().int().min(10).max(60_000).default(250),
    reopenMaxMs: z.number().int().min(10).max(300_000).default(10_000),
    homographyPxToMm: homographySchema.nullable().default(null),
  })
  .refine((s) => s.reopenMaxMs >= s.reopenMinMs, {
    message: 'reopenMaxMs must be >= reopenMinMs',
    path: ['reopenMaxMs'],
  });

export type SerialSettingsInput = z.input<typeof serialSettingsSchema>;
export type SerialSettings = z.output<typeof serialSettingsSchema>;

export class SerialConfigError extends Error {
  override name = 'SerialConfigError';
}

export function parseSerialSettings(input: unknown): SerialSettings {
  const r = serialSettingsSchema.safeParse(input);
  if (!r.success) {
    throw new SerialConfigError(`serial setting ${describeIssue(r.error)}`);
  }
  return r.data;
}

const SERIAL_PARAMS = ['baud', 'parity', 'format', 'dataBits', 'stopBits', 'maxObjects'] as const;

/** `--serial PATH[?baud=N&parity=none|even|odd&format=csv|json&dataBits=8&stopBits=1&maxObjects=N]`. */
export function parseSerialUri(uri: string): SerialSettingsInput {
  const q = uri.indexOf('?');
  const path = (q < 0 ? uri : uri.slice(0, q)).trim();
  if (!path)
    throw new SerialConfigError(`serial "${uri}": the port path is missing (e.g. /dev/ttyUSB0?baud=115200)`);
  const params = new URLSearchParams(q < 0 ? '' : uri.slice(q + 1));
  const out: Record<string, unknown> = { path };
  for (const [k, v] of params) {
    if (!(SERIAL_PARAMS as readonly string[]).includes(k))
      throw new SerialConfigError(
        `serial "${uri}": unknown parameter "${k}" (known: ${SERIAL_PARAMS.join(', ')})`,
      );
    const num = (): number => {
      if (!/^\d+$/.test(v)) throw new SerialConfigError(`serial "${uri}": ${k}=${v} is not a whole number`);
      return Number(v);
    };
    if (k === 'baud') out['baudRate'] = num();
    else if (k === 'dataBits' || k === 'stopBits' || k === 'maxObjects') out[k] = num();
    else out[k] = v;
  }
  parseSerialSettings(out);
  return out as SerialSettingsInput;
}

export type SerialLinkState = 'open' | 'opening' | 'closed';

export interface SerialLinkStatus {
  state: SerialLinkState;
  path: string;
  linesPerSec: number;
  lastError: string | null;
  lastWriteTimeMs: number | null;
  droppedResults: number;
}

export interface SerialSinkEvents {
  link: [SerialLinkStatus];
  /** A line was handed to the OS and drained. */
  line: [{ frameId: number; line: string; writeTimeMs: number }];
}

export interface SerialSinkDeps {
  nowMs?: () => number;
  utcOffsetMin?: (epochMs: number) => number;
}

/** Closing a port is bounded too: a dead USB adapter may never call back. */
const CLOSE_TIMEOUT_MS = 1000;

const STATE_NAMES: Record<LinkState, SerialLinkState> = {
  connected: 'open',
  connecting: 'opening',
  disconnected: 'closed',
};

interface LineInfo {
  frameId: number;
  line: string;
  writeTimeMs: number;
}

function portCall(start: (done: (err: Error | null | undefined) => void) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => start((err) => (err ? reject(err) : resolve())));
}

/** A port we are done with: no more events reach us, a late error cannot crash the process. */
async function dropPort(port: SerialPort): Promise<void> {
  port.removeAllListeners();
  port.on('error', () => undefined);
  if (!port.isOpen) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    portCall((done) => port.close(done)),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_TIMEOUT_MS))),
  ])
    .catch(() => undefined)
    .finally(() => clearTimeout(timer));
}

export class SerialSink extends EventEmitter<SerialSinkEvents> {
  readonly settings: SerialSettings;
  private readonly now: () => number;
  private readonly utcOffsetMin: (ms: number) => number;
  private readonly loop: LatestValueSink<FrameResult, FrameResult, SerialPort, LineInfo>;
  private health = { cameraOk: true, modelOk: true };
  private closed = false;

  constructor(settings: SerialSettingsInput, deps: SerialSinkDeps = {}) {
    super();
    const s = (this.settings = parseSerialSettings(settings));
    this.now = deps.nowMs ?? Date.now;
    this.utcOffsetMin = deps.utcOffsetMin ?? ((ms) => -new Date(ms).getTimezoneOffset());
    this.loop = new LatestValueSink(
      {
        connect: (_timeoutMs, lost) => this.open(lost),
        write: (port, result) => this.writeLine(port, result),
        close: dropPort,
      },
      new NewestOnlySchedule<FrameResult>(),
      {
        name: `serial ${s.path}`,
        connectTimeoutMs: s.openTimeoutMs,
        writeTimeoutMs: s.writeTimeoutMs,
        backoff: { initialDelayMs: s.reopenMinMs, maxDelayMs: s.reopenMaxMs },
        nowMs: this.now,
      },
    );
    this.loop.on('status', () => this.emit('link', this.status()));
    this.loop.on('written', (_result, info) => this.emit('line', info));
  }

  start(): this {
    if (!this.closed) this.loop.start();
    return this;
  }

  offer(result: FrameResult): void {
    if (!this.closed) this.loop.offer(result);
  }

  setHealth(health: Partial<{ cameraOk: boolean; modelOk: boolean }>): void {
    this.health = { ...this.health, ...health };
  }

  status(): SerialLinkStatus {
    const l = this.loop.status();
    return {
      state: STATE_NAMES[l.state],
      path: this.settings.path,
      linesPerSec: l.writesPerSec,
      lastError: l.lastError,
      lastWriteTimeMs: l.lastWriteTimeMs,
      droppedResults: l.dropped,
    };
  }

  /** Resolves when the port is open; rejects with the port's last error after `timeoutMs`. */
  whenOpen(timeoutMs: number): Promise<void> {
    return this.loop.whenConnected(
      timeoutMs,
      (lastError) => `serial port ${this.settings.path}: ${lastError ?? `not open within ${timeoutMs} ms`}`,
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.loop.stop();
    this.removeAllListeners();
  }

  private async open(lost: (reason: Error) => void): Promise<SerialPort> {
    const s = this.settings;
    const port = new SerialPort({
      path: s.path,
      baudRate: s.baudRate,
      parity: s.parity,
      dataBits: s.dataBits,
      stopBits: s.stopBits,
      autoOpen: false,
    });
    // Without a listener an 'error' event would crash the process; after open it means a broken port.
    port.on('error', (err) => lost(new Error(`${s.path}: ${err.message}`)));
    try {
      await portCall((done) => port.open(done));
    } catch (e) {
      await dropPort(port);
      throw new Error(`${s.path}: ${(e as Error).message}`, { cause: e });
    }
    // 'close' without our asking: the device went away; the loop reopens it.
    port.on('close', () => lost(new Error(`${s.path}: port closed`)));
    return port;
  }

  private async writeLine(port: SerialPort, result: FrameResult): Promise<LineInfo> {
    const s = this.settings;
    const t0 = this.now();
    const line = formatSerialLine(
      s.format as SerialFormat,
      {
        result,
        ...this.health,
        stale: t0 - result.captureTimeMs > s.stalenessLimitMs,
        writeTimeMs: t0,
        utcOffsetMin: this.utcOffsetMin(result.captureTimeMs),
      },
      { maxObjects: s.maxObjects, sortKey: s.sortKey, homographyPxToMm: s.homographyPxToMm },
    );
    try {
      await portCall((done) => port.write(line, (err) => (err ? done(err) : port.drain(done))));
    } catch (e) {
      throw new Error(`${s.path}: ${(e as Error).message}`, { cause: e });
    }
    return { frameId: result.frameId, line, writeTimeMs: t0 };
  }
}
