/**
 * S7 sink: writes each frame's layout-v1 block to a Siemens PLC over node-snap7. A thin adapter:
 *
 * - The write loop (newest-only slot, one write in flight, reconnect with backoff, deadlines,
 *   status events, stop) is the shared LatestValueSink (src/main/util/latest-value-sink.ts).
 * - Which result goes out when, with which requestId, and the ack/trigger alarms are decided by
 *   the pure handshake state machine (src/main/core/handshake.ts); this file feeds it the control
 *   values it reads from the PLC.
 * - What is left here is S7: connect and probe the DB size, read the control area every
 *   pollIntervalMs, encode and write the block, recipe and counter fields.
 * - The header never lands before its records: one DBWrite when the data area fits a PDU,
 *   otherwise the records first and the 20-byte header last (see writeDataArea).
 * - A result older than stalenessLimitMs is written with resultsValid 0, stale 1 and no records.
 * - Link loss: reconnect with capped exponential backoff; the lifeCounter continues.
 * - Layout v2: the counters of each result are written (when they changed) before its data area,
 *   so a PLC that sees a new frameId sees counters at least that new. A non-zero
 *   countersResetRequest from the PLC emits `countersReset` (listeners zero their counters
 *   synchronously), then the sink writes zeroed counters and 0 back to countersResetRequest.
 *   Results offered before the reset are written with zero counters (theirs predate it).
 */
import { EventEmitter } from 'node:events';
import type { FrameResult, LineCount } from '../../shared/frame';
import {
  CONTROL_SIZE_BYTES,
  COUNTERS_SIZE_BYTES,
  HEADER_SIZE_BYTES,
  controlAreaOffsetBytes,
  countersAreaOffsetBytes,
  requiredDbSizeBytes,
} from '../../shared/plc-layout';
import { decodeControlArea, decodeCountersArea } from '../core/plc/decode';
import {
  INT_MAX,
  encodeControlField,
  encodeCounterSlots,
  encodeCountersResetRequest,
  encodeDataArea,
  type PlcControl,
} from '../core/plc/encode';
import { PlcHandshake, type HandshakeEvent, type HandshakeWrite } from '../core/handshake';
import { parsePlcSettings, type HandshakeMode, type PlcSettings, type PlcSettingsInput } from './plc-config';
import { S7Error, Snap7Link, maxWritePayloadBytes, type S7Link } from './s7-client';
import { LatestValueSink } from '../util/latest-value-sink';

export type PlcLinkState = 'connected' | 'connecting' | 'disconnected';

export interface PlcLinkStatus {
  state: PlcLinkState;
  /** Block writes in the last second. */
  writesPerSec: number;
  lastError: string | null;
  lastWriteTimeMs: number | null;
  /** Last lifeCounter written (0 before the first write). */
  lifeCounter: number;
  handshake: HandshakeMode;
  /** "host:port rack R slot S DB N", for the UI. */
  endpoint: string;
  /** Results replaced before they could be written (newest-only slot). */
  droppedResults: number;
  /** Control-area reads so far, and the last values read (what the PLC wrote). */
  controlReads: number;
  lastControl: PlcControl | null;
}

export type PlcAlarmKind = 'ackTimeout' | 'triggerTimeout' | 'dbTooSmall';

export interface PlcAlarm {
  kind: PlcAlarmKind;
  message: string;
  timeMs: number;
  frameId?: number;
  triggerCounter?: number;
}

export interface PlcWriteInfo {
  frameId: number;
  requestId: number;
  lifeCounter: number;
  count: number;
  valid: boolean;
  stale: boolean;
  overflow: boolean;
  writeTimeMs: number;
  /** Wall time of the S7 write(s). */
  durationMs: number;
  /** The data area as written (header + records), for the UI byte view. */
  bytes: Uint8Array;
}

export interface S7SinkEvents {
  link: [PlcLinkStatus];
  alarm: [PlcAlarm];
  write: [PlcWriteInfo];
  /** The PLC set recipeRequest to this slot (> 0); emitted once per change. */
  recipeRequest: [number];
  /** Layout v2: the PLC asked to zero the counters (the request value); acknowledged right after. */
  countersReset: [number];
}

export interface S7SinkDeps {
  createLink?: () => S7Link;
  /** Wall clock (epoch ms), the same clock as FrameResult.captureTimeMs. */
  nowMs?: () => number;
  /** Minutes local time is ahead of UTC at that instant. */
  utcOffsetMin?: (epochMs: number) => number;
}

/**
 * Writes a data area so the header lands last: one write when it fits one PDU, else records
 * (split by snap7 in ascending order if needed) and then the header. Returns the write calls.
 */
export async function writeDataArea(
  link: S7Link,
  dbNumber: number,
  startOffsetBytes: number,
  bytes: Uint8Array,
  timeoutMs: number,
): Promise<number> {
  if (bytes.byteLength <= maxWritePayloadBytes(link.pduLengthBytes())) {
    await link.writeDb(dbNumber, startOffsetBytes, bytes, timeoutMs);
    return 1;
  }
  await link.writeDb(
    dbNumber,
    startOffsetBytes + HEADER_SIZE_BYTES,
    bytes.subarray(HEADER_SIZE_BYTES),
    timeoutMs,
  );
  await link.writeDb(dbNumber, startOffsetBytes, bytes.subarray(0, HEADER_SIZE_BYTES), timeoutMs);
  return 2;
}

class PlcDbError extends Error {}

/** snap7 "CPU :" answers to the size probe: the DB is missing, too short or not accessible. */
function isDbAccessError(e: unknown): boolean {
  return e instanceof S7Error && e.code !== 0 && /CPU|item|range|access/i.test(e.message);
}

/**
 * The loop's own deadlines sit behind the per-job S7 timeouts, so a normal failure reports the
 * S7 job's message; they only catch a call that never settles.
 */
const BACKSTOP_MARGIN_MS = 250;
/** S7 jobs per loop call at most: poll = read + counter reset (2) + recipeActive; block = 3. */
const MAX_JOBS_PER_CALL = 4;

export class S7Sink extends EventEmitter<S7SinkEvents> {
  readonly settings: PlcSettings;
  private readonly createLink: () => S7Link;
  private readonly now: () => number;
  private readonly utcOffsetMin: (epochMs: number) => number;
  private readonly handshake: PlcHandshake<FrameResult>;
  private readonly loop: LatestValueSink<FrameResult, HandshakeWrite<FrameResult>, S7Link, PlcWriteInfo>;

  private lifeCounter = 0;
  private health = { cameraOk: true, modelOk: true };
  private nextPollAtMs = 0;
  private lastControl: PlcControl | null = null;
  private controlReads = 0;
  private lastRecipeRequest = 0;
  private recipeActive: number | null = null;
  private recipeActiveWritten: number | null = null;
  /** Layout v2: the counter slot bytes last written (null: unknown, write on the next result). */
  private countersWritten: Uint8Array | null = null;
  private lastOfferedFrameId = -1;
  /** Results up to this frame id were offered before the last counters reset. */
  private resetBarrierFrameId = -1;
  private closed = false;

  constructor(settings: PlcSettingsInput, deps: S7SinkDeps = {}) {
    super();
    const s = (this.settings = parsePlcSettings(settings));
    this.createLink = deps.createLink ?? (() => new Snap7Link());
    this.now = deps.nowMs ?? Date.now;
    this.utcOffsetMin = deps.utcOffsetMin ?? ((ms) => -new Date(ms).getTimezoneOffset());
    this.handshake = new PlcHandshake<FrameResult>(
      {
        mode: s.handshake,
        ackTimeoutMs: s.ackTimeoutMs,
        triggerTimeoutMs: s.triggerTimeoutMs,
        stalenessLimitMs: s.stalenessLimitMs,
      },
      (e) => this.onHandshakeEvent(e),
    );
    this.loop = new LatestValueSink(
      {
        connect: () => this.connect(),
        write: (link, w) => this.writeBlock(link, w),
        close: (link) => link.close(),
        service: (link) => this.service(link),
      },
      this.handshake,
      {
        name: `PLC ${this.endpoint()}`,
        connectTimeoutMs: s.connectTimeoutMs + s.opTimeoutMs + BACKSTOP_MARGIN_MS,
        writeTimeoutMs: MAX_JOBS_PER_CALL * s.opTimeoutMs + BACKSTOP_MARGIN_MS,
        backoff: { initialDelayMs: s.reconnectMinMs, maxDelayMs: s.reconnectMaxMs },
        statusEveryMs: 1000,
        nowMs: this.now,
      },
    );
    this.loop.on('status', () => this.emit('link', this.status()));
    this.loop.on('written', (_w, info) => this.emit('write', info));
  }

  /** Starts connecting in the background. Idempotent. */
  start(): this {
    if (!this.closed) this.loop.start();
    return this;
  }

  /** Hands a result to the sink; returns at once. */
  offer(result: FrameResult): void {
    if (this.closed) return;
    this.lastOfferedFrameId = result.frameId;
    this.loop.offer(result);
  }

  /** Status bits cameraOk / modelOk for the next writes. */
  setHealth(health: Partial<{ cameraOk: boolean; modelOk: boolean }>): void {
    this.health = { ...this.health, ...health };
  }

  /** Writes recipeActive (the model/recipe slot in use) now and after every reconnect. */
  setRecipeActive(slot: number): void {
    if (!Number.isInteger(slot) || slot < 0 || slot > INT_MAX)
      throw new RangeError(`recipe slot must be 0..${INT_MAX}, got ${slot}`);
    this.recipeActive = slot;
    this.loop.wake();
  }

  status(): PlcLinkStatus {
    const l = this.loop.status();
    return {
      state: l.state,
      writesPerSec: l.writesPerSec,
      lastError: l.lastError,
      lastWriteTimeMs: l.lastWriteTimeMs,
      lifeCounter: this.lifeCounter,
      handshake: this.settings.handshake,
      endpoint: this.endpoint(),
      droppedResults: l.dropped,
      controlReads: this.controlReads,
      lastControl: this.lastControl,
    };
  }

  /** Resolves once connected; rejects with the last error after timeoutMs (CLI: fail fast). */
  whenConnected(timeoutMs: number): Promise<void> {
    return this.loop.whenConnected(
      timeoutMs,
      (lastError) => lastError ?? `PLC ${this.endpoint()}: not connected within ${timeoutMs} ms`,
    );
  }

  /**
   * Stops the sink. In free-run mode the newest result still waiting (the last frame of a run) is
   * written first when the link is up, bounded by `flushTimeoutMs`.
   */
  async close(flushTimeoutMs = 1000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.loop.stop(this.settings.handshake === 'free-run' ? flushTimeoutMs : 0);
    this.removeAllListeners();
  }

  // ---------------------------------------------------------------------------------------------

  private endpoint(): string {
    const s = this.settings;
    return `${s.host}:${s.port} rack ${s.rack} slot ${s.slot} DB${s.dbNumber}`;
  }

  private onHandshakeEvent(e: HandshakeEvent): void {
    if (e.kind === 'ackTimeout')
      this.emit('alarm', { kind: e.kind, message: e.message, frameId: e.frameId, timeMs: e.timeMs });
    else if (e.kind === 'triggerTimeout')
      this.emit('alarm', {
        kind: e.kind,
        message: e.message,
        triggerCounter: e.triggerCounter,
        timeMs: e.timeMs,
      });
    // triggerAnswered and staleResult show in the write event (requestId, stale).
  }

  /** Connects and checks that the DB holds the whole layout. */
  private async connect(): Promise<S7Link> {
    const s = this.settings;
    const link = this.createLink();
    try {
      await link.connect({ host: s.host, port: s.port, rack: s.rack, slot: s.slot }, s.connectTimeoutMs);
      const needBytes = requiredDbSizeBytes(s.maxObjects, s.startOffsetBytes, s.layoutVersion);
      try {
        await link.readDb(s.dbNumber, needBytes - 1, 1, s.opTimeoutMs);
      } catch (e) {
        if (!isDbAccessError(e)) throw e;
        throw new PlcDbError(
          `DB${s.dbNumber} is missing or too small: layout v${s.layoutVersion} with maxObjects=${s.maxObjects} at offset ${s.startOffsetBytes} needs ${needBytes} bytes ` +
            `(DBB0..DBB${needBytes - 1}); the PLC answered "${(e as Error).message}". Enlarge the DB or lower maxObjects, check the DB number, ` +
            `turn optimized block access off and allow PUT/GET.`,
        );
      }
    } catch (e) {
      link.close();
      const msg = (e as Error).message;
      if (e instanceof PlcDbError && msg !== this.loop.status().lastError)
        this.emit('alarm', { kind: 'dbTooSmall', message: msg, timeMs: this.now() });
      throw e;
    }
    // What the PLC holds is unknown after each (re)connect: it may have restarted.
    this.recipeActiveWritten = null;
    this.countersWritten = null;
    this.nextPollAtMs = 0;
    return link;
  }

  /** Before each write decision: the control area when due, and recipeActive when it changed. */
  private async service(link: S7Link): Promise<number> {
    const s = this.settings;
    if (this.now() >= this.nextPollAtMs) await this.poll(link);
    if (this.recipeActive !== null && this.recipeActive !== this.recipeActiveWritten) {
      const slot = this.recipeActive;
      const f = encodeControlField('recipeActive', slot);
      await link.writeDb(
        s.dbNumber,
        s.startOffsetBytes + controlAreaOffsetBytes(s.maxObjects) + f.offset,
        f.bytes,
        s.opTimeoutMs,
      );
      this.recipeActiveWritten = slot;
    }
    return this.nextPollAtMs;
  }

  private async poll(link: S7Link): Promise<void> {
    const s = this.settings;
    const issuedMs = this.now();
    // v2: the counters area follows the control area, so one read gets both.
    const bytes = await link.readDb(
      s.dbNumber,
      s.startOffsetBytes + controlAreaOffsetBytes(s.maxObjects),
      CONTROL_SIZE_BYTES + (s.layoutVersion === 2 ? COUNTERS_SIZE_BYTES : 0),
      s.opTimeoutMs,
    );
    // The values read were in the PLC by now, so a frame captured after this time was captured
    // after any trigger the read reveals (the issue time would not guarantee it: the PLC may
    // raise the counter while the read is on its way).
    const readMs = this.now();
    this.nextPollAtMs = issuedMs + s.pollIntervalMs;
    const c = decodeControlArea(bytes);
    if (s.layoutVersion === 2) {
      const request = decodeCountersArea(bytes.subarray(CONTROL_SIZE_BYTES)).countersResetRequest;
      if (request !== 0) await this.resetCounters(link, request);
    }
    this.lastControl = c;
    this.controlReads++;
    if (c.recipeRequest !== this.lastRecipeRequest) {
      this.lastRecipeRequest = c.recipeRequest;
      if (c.recipeRequest > 0) this.emit('recipeRequest', c.recipeRequest);
    }
    this.handshake.control({ ackFrameId: c.ackFrameId, triggerCounter: c.triggerCounter }, readMs);
  }

  private async resetCounters(link: S7Link, request: number): Promise<void> {
    const s = this.settings;
    this.resetBarrierFrameId = this.lastOfferedFrameId;
    this.emit('countersReset', request);
    const base = s.startOffsetBytes + countersAreaOffsetBytes(s.maxObjects);
    const zeros = encodeCounterSlots([]);
    await link.writeDb(s.dbNumber, base, zeros, s.opTimeoutMs);
    this.countersWritten = zeros;
    const ack = encodeCountersResetRequest(0);
    await link.writeDb(s.dbNumber, base + ack.offset, ack.bytes, s.opTimeoutMs);
  }

  /** Layout v2: writes the result's counters when they differ from what the PLC holds. */
  private async writeCounters(link: S7Link, result: FrameResult): Promise<void> {
    const s = this.settings;
    if (s.layoutVersion !== 2 || !result.counts) return;
    const counts: readonly LineCount[] =
      result.frameId <= this.resetBarrierFrameId
        ? result.counts.map((c) => ({ ...c, in: 0, out: 0 }))
        : result.counts;
    const slots = encodeCounterSlots(counts);
    const before = this.countersWritten;
    if (before && before.every((b, i) => b === slots[i])) return;
    await link.writeDb(
      s.dbNumber,
      s.startOffsetBytes + countersAreaOffsetBytes(s.maxObjects),
      slots,
      s.opTimeoutMs,
    );
    this.countersWritten = slots;
  }

  private async writeBlock(link: S7Link, w: HandshakeWrite<FrameResult>): Promise<PlcWriteInfo> {
    const s = this.settings;
    const { result, requestId, stale } = w;
    const t0 = this.now();
    const lifeCounter = (this.lifeCounter + 1) % (INT_MAX + 1);
    const enc = encodeDataArea(
      {
        result,
        lifeCounter,
        requestId,
        ...this.health,
        stale,
        writeTimeMs: t0,
        utcOffsetMin: this.utcOffsetMin(result.captureTimeMs),
      },
      { maxObjects: s.maxObjects, sortKey: s.sortKey, homographyPxToMm: s.homographyPxToMm },
    );
    await this.writeCounters(link, result);
    await writeDataArea(link, s.dbNumber, s.startOffsetBytes, enc.bytes, s.opTimeoutMs);
    // Commit only after the PLC has the block: the counter it sees goes up by exactly one.
    this.lifeCounter = lifeCounter;
    return {
      frameId: enc.header.frameId,
      requestId,
      lifeCounter,
      count: enc.header.count,
      valid: !stale,
      stale,
      overflow: enc.overflow,
      writeTimeMs: t0,
      durationMs: this.now() - t0,
      bytes: enc.bytes,
    };
  }
}
