/**
 * S7 sink: writes each frame's layout-v1 block to a Siemens PLC over node-snap7.
 *
 * - Never blocks the pipeline: offer() only stores the result. One pending slot, newest wins
 *   (trigger mode: the first result captured after the trigger wins).
 * - The header never lands before its records: one DBWrite when the data area fits a PDU,
 *   otherwise the records first and the 20-byte header last (see writeDataArea).
 * - A result older than stalenessLimitMs is written with resultsValid 0, stale 1 and no records.
 * - Link loss: reconnect with capped exponential backoff; the lifeCounter continues.
 * - Every S7 job has a timeout; close() stops everything.
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
import { Backoff } from '../core/backoff';
import { parsePlcSettings, type HandshakeMode, type PlcSettings, type PlcSettingsInput } from './plc-config';
import { S7Error, Snap7Link, maxWritePayloadBytes, type S7Link } from './s7-client';
import { Waker } from '../util/waker';

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

const WRITE_TIMES_CAP = 4096;

export class S7Sink extends EventEmitter<S7SinkEvents> {
  readonly settings: PlcSettings;
  private readonly createLink: () => S7Link;
  private readonly now: () => number;
  private readonly utcOffsetMin: (epochMs: number) => number;
  private readonly backoff: Backoff;
  private readonly work = new Waker();
  private readonly pause = new Waker();

  private link: S7Link | null = null;
  private state: PlcLinkState = 'disconnected';
  private lastError: string | null = null;
  private lastWriteTimeMs: number | null = null;
  private lifeCounter = 0;
  private droppedResults = 0;
  private readonly writeTimesMs: number[] = [];
  private health = { cameraOk: true, modelOk: true };

  private pending: FrameResult | null = null;
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

  // ack mode
  private awaitingAckFrameId: number | null = null;
  private lastBlockWriteMs = 0;
  private ackAlarmRaised = false;

  // trigger mode
  private answeredTrigger: number | null = null;
  private pendingTrigger: { counter: number; seenAtMs: number; alarmRaised: boolean } | null = null;
  private triggerCandidate: FrameResult | null = null;

  private started = false;
  private closed = false;
  private loop: Promise<void> | null = null;
  private statusTimer: NodeJS.Timeout | null = null;

  constructor(settings: PlcSettingsInput, deps: S7SinkDeps = {}) {
    super();
    this.settings = parsePlcSettings(settings);
    this.createLink = deps.createLink ?? (() => new Snap7Link());
    this.now = deps.nowMs ?? Date.now;
    this.utcOffsetMin = deps.utcOffsetMin ?? ((ms) => -new Date(ms).getTimezoneOffset());
    this.backoff = new Backoff({
      initialDelayMs: this.settings.reconnectMinMs,
      maxDelayMs: this.settings.reconnectMaxMs,
      factor: 2,
      jitter: 0.2,
    });
  }

  /** Starts connecting in the background. Idempotent. */
  start(): this {
    if (this.started || this.closed) return this;
    this.started = true;
    this.statusTimer = setInterval(() => this.emit('link', this.status()), 1000);
    this.statusTimer.unref();
    this.loop = this.run();
    return this;
  }

  /** Hands a result to the sink; returns at once. */
  offer(result: FrameResult): void {
    if (this.closed) return;
    this.lastOfferedFrameId = result.frameId;
    if (this.settings.handshake === 'trigger') {
      const t = this.pendingTrigger;
      if (t && !this.triggerCandidate && result.captureTimeMs > t.seenAtMs) this.triggerCandidate = result;
      else this.droppedResults++;
    } else {
      if (this.pending) this.droppedResults++;
      this.pending = result;
    }
    this.work.wake();
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
    this.work.wake();
  }

  status(): PlcLinkStatus {
    const s = this.settings;
    const since = this.now() - 1000;
    return {
      state: this.state,
      writesPerSec: this.writeTimesMs.filter((t) => t > since).length,
      lastError: this.lastError,
      lastWriteTimeMs: this.lastWriteTimeMs,
      lifeCounter: this.lifeCounter,
      handshake: s.handshake,
      endpoint: `${s.host}:${s.port} rack ${s.rack} slot ${s.slot} DB${s.dbNumber}`,
      droppedResults: this.droppedResults,
      controlReads: this.controlReads,
      lastControl: this.lastControl,
    };
  }

  /** Resolves once connected; rejects with the last error after timeoutMs (CLI: fail fast). */
  whenConnected(timeoutMs: number): Promise<void> {
    if (this.state === 'connected') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onLink = (st: PlcLinkStatus): void => {
        if (st.state === 'connected') done(null);
      };
      const timer = setTimeout(
        () =>
          done(
            new Error(
              this.lastError ?? `PLC ${this.status().endpoint}: not connected within ${timeoutMs} ms`,
            ),
          ),
        timeoutMs,
      );
      const done = (err: Error | null): void => {
        clearTimeout(timer);
        this.off('link', onLink);
        if (err) reject(err);
        else resolve();
      };
      this.on('link', onLink);
    });
  }

  /**
   * Stops the sink. In free-run mode the newest result still waiting (the last frame of a run) is
   * written first when the link is up, bounded by `flushTimeoutMs`.
   */
  async close(flushTimeoutMs = 1000): Promise<void> {
    if (this.closed) return;
    if (this.state === 'connected' && this.pending && this.settings.handshake === 'free-run') {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          this.off('write', onWrite);
          this.off('link', onLink);
          resolve();
        };
        const onWrite = (): void => {
          if (!this.pending) done();
        };
        const onLink = (st: PlcLinkStatus): void => {
          if (st.state !== 'connected') done();
        };
        const timer = setTimeout(done, flushTimeoutMs);
        this.on('write', onWrite);
        this.on('link', onLink);
      });
    }
    this.closed = true;
    this.work.wake();
    this.pause.wake();
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.statusTimer = null;
    await this.loop;
    this.link?.close();
    this.link = null;
    this.setState('disconnected');
    this.removeAllListeners();
  }

  // ---------------------------------------------------------------------------------------------

  private setState(state: PlcLinkState): void {
    if (this.state === state) return;
    this.state = state;
    this.emit('link', this.status());
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      if (!this.link) {
        if (!(await this.connect())) await this.pause.wait(this.backoff.next());
        continue;
      }
      try {
        await this.step();
      } catch (e) {
        this.lastError = (e as Error).message;
        this.link?.close();
        this.link = null;
        this.setState('disconnected');
        await this.pause.wait(this.backoff.next());
      }
    }
  }

  private async connect(): Promise<boolean> {
    const s = this.settings;
    this.setState('connecting');
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
      if (this.closed) {
        link.close();
        return false;
      }
      this.link = link;
      this.backoff.reset();
      this.lastError = null;
      // A fresh handshake after each (re)connect: the PLC may have restarted.
      this.awaitingAckFrameId = null;
      this.ackAlarmRaised = false;
      this.recipeActiveWritten = null;
      this.countersWritten = null;
      this.nextPollAtMs = 0;
      this.setState('connected');
      return true;
    } catch (e) {
      link.close();
      const msg = (e as Error).message;
      if (e instanceof PlcDbError && msg !== this.lastError)
        this.emit('alarm', { kind: 'dbTooSmall', message: msg, timeMs: this.now() });
      this.lastError = msg;
      this.setState('disconnected');
      return false;
    }
  }

  private async step(): Promise<void> {
    const link = this.link!;
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
    const job = this.nextWrite(this.now());
    if (job) {
      await this.writeBlock(link, job.result, job.requestId);
      return;
    }
    await this.work.wait(this.nextWakeDelayMs(this.now()));
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
    if (this.awaitingAckFrameId !== null && c.ackFrameId === this.awaitingAckFrameId)
      this.awaitingAckFrameId = null;
    if (s.handshake === 'trigger') {
      if (this.answeredTrigger === null) {
        // First contact: the counter's current value is history, not a request.
        this.answeredTrigger = c.triggerCounter;
      } else if (
        c.triggerCounter !== this.answeredTrigger &&
        this.pendingTrigger?.counter !== c.triggerCounter
      ) {
        // A new request (or several since the last poll: the newest is answered, once). The
        // read was issued after the PLC raised the counter, so frames captured after
        // `issuedMs` were captured after the trigger.
        this.pendingTrigger = { counter: c.triggerCounter, seenAtMs: issuedMs, alarmRaised: false };
        this.triggerCandidate = null;
      }
    }
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

  private nextWrite(nowMs: number): { result: FrameResult; requestId: number } | null {
    const s = this.settings;
    switch (s.handshake) {
      case 'free-run':
        return this.pending ? { result: this.pending, requestId: 0 } : null;
      case 'ack': {
        if (this.awaitingAckFrameId !== null) {
          if (nowMs - this.lastBlockWriteMs < s.ackTimeoutMs) return null;
          if (!this.ackAlarmRaised) {
            this.ackAlarmRaised = true;
            this.emit('alarm', {
              kind: 'ackTimeout',
              message: `PLC did not acknowledge frame ${this.awaitingAckFrameId} within ${s.ackTimeoutMs} ms (ackFrameId is ${this.lastControl?.ackFrameId ?? '?'})`,
              frameId: this.awaitingAckFrameId,
              timeMs: nowMs,
            });
          }
        }
        return this.pending ? { result: this.pending, requestId: 0 } : null;
      }
      case 'trigger': {
        const t = this.pendingTrigger;
        if (!t) return null;
        if (this.triggerCandidate) return { result: this.triggerCandidate, requestId: t.counter };
        if (!t.alarmRaised && nowMs - t.seenAtMs >= s.triggerTimeoutMs) {
          t.alarmRaised = true;
          this.emit('alarm', {
            kind: 'triggerTimeout',
            message: `no frame captured after trigger ${t.counter} within ${s.triggerTimeoutMs} ms`,
            triggerCounter: t.counter,
            timeMs: nowMs,
          });
        }
        return null;
      }
    }
  }

  private nextWakeDelayMs(nowMs: number): number {
    const s = this.settings;
    let at = this.nextPollAtMs;
    if (s.handshake === 'ack' && this.awaitingAckFrameId !== null && !this.ackAlarmRaised)
      at = Math.min(at, this.lastBlockWriteMs + s.ackTimeoutMs);
    if (s.handshake === 'trigger' && this.pendingTrigger && !this.pendingTrigger.alarmRaised) {
      at = Math.min(at, this.pendingTrigger.seenAtMs + s.triggerTimeoutMs);
    }
    return Math.max(1, at - nowMs);
  }

  private async writeBlock(link: S7Link, result: FrameResult, requestId: number): Promise<void> {
    const s = this.settings;
    const t0 = this.now();
    const stale = t0 - result.captureTimeMs > s.stalenessLimitMs;
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
    const t1 = this.now();
    // Commit only after the PLC has the block: the counter it sees goes up by exactly one.
    this.lifeCounter = lifeCounter;
    this.lastWriteTimeMs = t1;
    this.writeTimesMs.push(t1);
    if (this.writeTimesMs.length > WRITE_TIMES_CAP || (this.writeTimesMs[0] ?? t1) < t1 - 1000) {
      const since = t1 - 1000;
      while (
        this.writeTimesMs.length > 0 &&
        (this.writeTimesMs[0]! < since || this.writeTimesMs.length > WRITE_TIMES_CAP)
      )
        this.writeTimesMs.shift();
    }
    if (this.pending === result) this.pending = null;
    if (s.handshake === 'ack') {
      this.awaitingAckFrameId = enc.header.frameId;
      this.lastBlockWriteMs = t1;
      this.ackAlarmRaised = false;
    }
    if (s.handshake === 'trigger' && this.pendingTrigger?.counter === requestId) {
      this.answeredTrigger = requestId;
      this.pendingTrigger = null;
      this.triggerCandidate = null;
    }
    this.emit('write', {
      frameId: enc.header.frameId,
      requestId,
      lifeCounter,
      count: enc.header.count,
      valid: !stale,
      stale,
      overflow: enc.overflow,
      writeTimeMs: t0,
      durationMs: t1 - t0,
      bytes: enc.bytes,
    });
  }
}
