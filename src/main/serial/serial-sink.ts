/**
 * Serial sink: one line per frame (see core/serial-format.ts) to a serial port.
 * Like the S7 sink it never blocks the pipeline (one pending slot, newest wins), bounds every
 * call with a timeout, and reopens the port with capped backoff when it disappears (USB adapter
 * unplugged, pty closed).
 */
import { EventEmitter } from 'node:events';
import { SerialPort } from 'serialport';
import { z } from 'zod';
import type { FrameResult } from '../../shared/frame';
import { MAX_MAX_OBJECTS } from '../../shared/plc-layout';
import { describeIssue } from '../../shared/schema';
import { Backoff } from '../core/backoff';
import { homographySchema } from '../core/calibration';
import { RECORD_SORT_KEYS } from '../core/plc/encode';
import { formatSerialLine, type SerialFormat } from '../core/serial-format';
import { Waker } from '../util/waker';

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

function withTimeout<T>(
  what: string,
  ms: number,
  start: (done: (err: Error | null | undefined, value?: T) => void) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    try {
      start((err, value) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(value as T);
      });
    } catch (e) {
      clearTimeout(timer);
      reject(e as Error);
    }
  });
}

export class SerialSink extends EventEmitter<SerialSinkEvents> {
  readonly settings: SerialSettings;
  private readonly now: () => number;
  private readonly utcOffsetMin: (ms: number) => number;
  private readonly backoff: Backoff;
  private readonly work = new Waker();
  private readonly pause = new Waker();
  private port: SerialPort | null = null;
  private state: SerialLinkState = 'closed';
  private lastError: string | null = null;
  private lastWriteTimeMs: number | null = null;
  private droppedResults = 0;
  private readonly lineTimesMs: number[] = [];
  private pending: FrameResult | null = null;
  private health = { cameraOk: true, modelOk: true };
  private started = false;
  private closed = false;
  private loop: Promise<void> | null = null;

  constructor(settings: SerialSettingsInput, deps: SerialSinkDeps = {}) {
    super();
    this.settings = parseSerialSettings(settings);
    this.now = deps.nowMs ?? Date.now;
    this.utcOffsetMin = deps.utcOffsetMin ?? ((ms) => -new Date(ms).getTimezoneOffset());
    this.backoff = new Backoff({
      initialDelayMs: this.settings.reopenMinMs,
      maxDelayMs: this.settings.reopenMaxMs,
      factor: 2,
      jitter: 0.2,
    });
  }

  start(): this {
    if (this.started || this.closed) return this;
    this.started = true;
    this.loop = this.run();
    return this;
  }

  offer(result: FrameResult): void {
    if (this.closed) return;
    if (this.pending) this.droppedResults++;
    this.pending = result;
    this.work.wake();
  }

  setHealth(health: Partial<{ cameraOk: boolean; modelOk: boolean }>): void {
    this.health = { ...this.health, ...health };
  }

  status(): SerialLinkStatus {
    const since = this.now() - 1000;
    return {
      state: this.state,
      path: this.settings.path,
      linesPerSec: this.lineTimesMs.filter((t) => t > since).length,
      lastError: this.lastError,
      lastWriteTimeMs: this.lastWriteTimeMs,
      droppedResults: this.droppedResults,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.work.wake();
    this.pause.wake();
    await this.loop;
    await this.dropPort();
    this.setState('closed');
    this.removeAllListeners();
  }

  private setState(state: SerialLinkState): void {
    if (this.state === state) return;
    this.state = state;
    this.emit('link', this.status());
  }

  private async dropPort(): Promise<void> {
    const port = this.port;
    this.port = null;
    if (!port) return;
    port.removeAllListeners();
    port.on('error', () => undefined); // a late error from a dead port must not crash the process
    if (port.isOpen)
      await withTimeout<void>('close serial port', 1000, (done) =>
        port.close((err) => done(err ?? null)),
      ).catch(() => undefined);
  }

  private async open(): Promise<boolean> {
    const s = this.settings;
    this.setState('opening');
    const port = new SerialPort({
      path: s.path,
      baudRate: s.baudRate,
      parity: s.parity,
      dataBits: s.dataBits,
      stopBits: s.stopBits,
      autoOpen: false,
    });
    port.on('error', (err) => {
      this.lastError = err.message;
    });
    try {
      await withTimeout<void>(`open ${s.path}`, s.openTimeoutMs, (done) =>
        port.open((err) => done(err ?? null)),
      );
    } catch (e) {
      port.removeAllListeners();
      port.on('error', () => undefined);
      this.lastError = `${s.path}: ${(e as Error).message}`;
      this.setState('closed');
      return false;
    }
    // 'close' with disconnected = the device went away; reopen from the loop.
    port.on('close', () => {
      if (this.port === port) {
        this.lastError = `${s.path}: port closed`;
        void this.dropPort();
        this.setState('closed');
        this.work.wake();
      }
    });
    if (this.closed) {
      this.port = port;
      await this.dropPort();
      return false;
    }
    this.port = port;
    this.backoff.reset();
    this.lastError = null;
    this.setState('open');
    return true;
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      if (!this.port) {
        if (!(await this.open())) await this.pause.wait(this.backoff.next());
        continue;
      }
      const result = this.pending;
      if (!result) {
        await this.work.wait(1000);
        continue;
      }
      const port = this.port;
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
        await withTimeout<void>(`write to ${s.path}`, s.writeTimeoutMs, (done) => {
          port.write(line, (err) => {
            if (err) return done(err);
            port.drain((e) => done(e ?? null));
          });
        });
        if (this.pending === result) this.pending = null;
        this.lastWriteTimeMs = this.now();
        this.lineTimesMs.push(this.lastWriteTimeMs);
        while (
          this.lineTimesMs.length > 0 &&
          (this.lineTimesMs[0]! < this.lastWriteTimeMs - 1000 || this.lineTimesMs.length > 4096)
        )
          this.lineTimesMs.shift();
        this.emit('line', { frameId: result.frameId, line, writeTimeMs: t0 });
      } catch (e) {
        this.lastError = `${s.path}: ${(e as Error).message}`;
        await this.dropPort();
        this.setState('closed');
        await this.pause.wait(this.backoff.next());
      }
    }
  }
}
