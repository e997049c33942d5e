/**
 * The PLC handshake of DESIGN.md ("PLC data block, layout v1") as a pure state machine. The S7
 * sink feeds it results, the control values it reads from the PLC and the completion of its
 * writes; it answers which result to write next (with its requestId and whether it is stale) or
 * until when to wait, and reports alarms. Time is an argument: there are no timers in here.
 *
 * - free-run: the newest result, as soon as the link is free.
 * - ack: after writing frame F, the next write waits until the PLC's ackFrameId equals F, or until
 *   ackTimeoutMs has passed: then an `ackTimeout` alarm is raised (once per frame) and writing
 *   resumes with the newest result. Results keep arriving meanwhile; only the newest is kept.
 * - trigger: each change of triggerCounter (any change, so a wrap from 2147483647 to -2147483648
 *   is one more request) is answered once, with requestId = the new counter, by the FIRST result
 *   captured after the request was seen; results captured before it are ignored (dropped). The
 *   counter read at first contact is history, not a request. Several changes between two reads
 *   are one request: the newest value is answered. With no such frame within triggerTimeoutMs a
 *   `triggerTimeout` alarm is raised (once), and the request stays open.
 * - every mode: a result older than stalenessLimitMs when its write is decided goes out with
 *   `stale` set, so the sink clears resultsValid and writes no records. It is never written as
 *   valid.
 */
import type { HandshakeMode } from '../../shared/schema';
import { LatestSlot } from './latest-slot';
import { frameIdToDint } from './plc/encode';
import type { WriteDecision, WriteSchedule } from './write-schedule';

/** What the handshake needs to know of a result. */
export interface HandshakeResult {
  readonly frameId: number;
  /** Epoch ms, the same clock as the `nowMs` arguments. */
  readonly captureTimeMs: number;
}

export interface HandshakeConfig {
  mode: HandshakeMode;
  ackTimeoutMs: number;
  triggerTimeoutMs: number;
  stalenessLimitMs: number;
}

/** The PLC-written control values the handshake uses (DINTs, as read). */
export interface HandshakeControl {
  ackFrameId: number;
  triggerCounter: number;
}

export interface HandshakeWrite<R> {
  result: R;
  /** trigger mode: the triggerCounter this answers; 0 otherwise. */
  requestId: number;
  /** Older than the staleness limit: write it with resultsValid cleared, stale set, no records. */
  stale: boolean;
}

export type HandshakeEvent =
  | {
      kind: 'ackTimeout';
      timeMs: number;
      /** The frameId (as written to the PLC) that was not acknowledged. */
      frameId: number;
      message: string;
    }
  | { kind: 'triggerTimeout'; timeMs: number; triggerCounter: number; message: string }
  | { kind: 'triggerAnswered'; timeMs: number; triggerCounter: number; frameId: number }
  | { kind: 'staleResult'; timeMs: number; frameId: number; ageMs: number };

interface TriggerRequest<R> {
  counter: number;
  /** Results captured at or before this time do not answer the request. */
  seenAtMs: number;
  alarmRaised: boolean;
  /** The first result captured after `seenAtMs`; stays set while it is written. */
  answer: R | null;
}

function checkConfig(c: HandshakeConfig): void {
  for (const key of ['ackTimeoutMs', 'triggerTimeoutMs', 'stalenessLimitMs'] as const) {
    const v = c[key];
    if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`handshake ${key} must be > 0 (got ${v})`);
  }
}

export class PlcHandshake<R extends HandshakeResult> implements WriteSchedule<R, HandshakeWrite<R>> {
  readonly config: Readonly<HandshakeConfig>;
  private readonly onEvent: (e: HandshakeEvent) => void;
  /** free-run and ack: the newest result not yet written. */
  private readonly slot = new LatestSlot<R>();
  private inFlight: HandshakeWrite<R> | null = null;
  private lastControl: HandshakeControl | null = null;
  private awaitingAck: { frameId: number; sinceMs: number; alarmRaised: boolean } | null = null;
  private lastCounterSeen: number | null = null;
  private request: TriggerRequest<R> | null = null;
  private triggerDropped = 0;

  constructor(config: HandshakeConfig, onEvent: (e: HandshakeEvent) => void = () => {}) {
    checkConfig(config);
    this.config = { ...config };
    this.onEvent = onEvent;
  }

  get mode(): HandshakeMode {
    return this.config.mode;
  }

  /** Results that will never be written (replaced while waiting, or no trigger to answer). */
  get dropped(): number {
    return this.slot.dropped + this.triggerDropped;
  }

  get hasPending(): boolean {
    if (this.config.mode === 'trigger') return this.request?.answer != null && this.inFlight === null;
    return this.slot.hasPending;
  }

  /** The frameId (PLC form) whose ack the next write waits for, or null. */
  get awaitingAckFrameId(): number | null {
    return this.awaitingAck?.frameId ?? null;
  }

  /** The open trigger request (the counter value to answer), or null. */
  get openRequest(): number | null {
    return this.request?.counter ?? null;
  }

  offer(result: R): void {
    if (this.config.mode !== 'trigger') {
      this.slot.offer(result);
      return;
    }
    const r = this.request;
    if (r && r.answer === null && result.captureTimeMs > r.seenAtMs) r.answer = result;
    else this.triggerDropped++;
  }

  /**
   * Control values read from the PLC. `seenAtMs` must be a time at which the values were already
   * in the PLC (the S7 sink passes the time the read completed), so that a result captured after
   * it was certainly captured after a trigger the read reveals.
   */
  control(values: HandshakeControl, seenAtMs: number): void {
    this.lastControl = { ...values };
    if (this.awaitingAck && values.ackFrameId === this.awaitingAck.frameId) this.awaitingAck = null;
    if (this.config.mode !== 'trigger') return;
    const before = this.lastCounterSeen;
    this.lastCounterSeen = values.triggerCounter;
    if (before === null || values.triggerCounter === before) return;
    const old = this.request;
    // An answer picked for the superseded request and not being written now will never be.
    if (old?.answer && this.inFlight?.result !== old.answer) this.triggerDropped++;
    this.request = { counter: values.triggerCounter, seenAtMs, alarmRaised: false, answer: null };
  }

  next(nowMs: number): WriteDecision<HandshakeWrite<R>> {
    if (this.inFlight) return { kind: 'wait', untilMs: null };
    switch (this.config.mode) {
      case 'free-run':
        return this.takeNewest(nowMs);
      case 'ack': {
        const a = this.awaitingAck;
        if (a) {
          const dueMs = a.sinceMs + this.config.ackTimeoutMs;
          if (nowMs < dueMs) return { kind: 'wait', untilMs: dueMs };
          if (!a.alarmRaised) {
            a.alarmRaised = true;
            this.onEvent({
              kind: 'ackTimeout',
              timeMs: nowMs,
              frameId: a.frameId,
              message: `PLC did not acknowledge frame ${a.frameId} within ${this.config.ackTimeoutMs} ms (ackFrameId is ${this.lastControl?.ackFrameId ?? '?'})`,
            });
          }
        }
        return this.takeNewest(nowMs);
      }
      case 'trigger': {
        const r = this.request;
        if (!r) return { kind: 'wait', untilMs: null };
        if (r.answer) return this.hand(r.answer, r.counter, nowMs);
        if (r.alarmRaised) return { kind: 'wait', untilMs: null };
        const dueMs = r.seenAtMs + this.config.triggerTimeoutMs;
        if (nowMs < dueMs) return { kind: 'wait', untilMs: dueMs };
        r.alarmRaised = true;
        this.onEvent({
          kind: 'triggerTimeout',
          timeMs: nowMs,
          triggerCounter: r.counter,
          message: `no frame captured after trigger ${r.counter} within ${this.config.triggerTimeoutMs} ms`,
        });
        return { kind: 'wait', untilMs: null };
      }
    }
  }

  written(write: HandshakeWrite<R>, nowMs: number): void {
    if (this.inFlight !== write) return;
    this.inFlight = null;
    if (this.config.mode !== 'trigger') {
      this.slot.written();
      if (this.config.mode === 'ack')
        this.awaitingAck = {
          frameId: frameIdToDint(write.result.frameId),
          sinceMs: nowMs,
          alarmRaised: false,
        };
      return;
    }
    if (this.request?.answer === write.result) this.request = null;
    this.onEvent({
      kind: 'triggerAnswered',
      timeMs: nowMs,
      triggerCounter: write.requestId,
      frameId: write.result.frameId,
    });
  }

  failed(write: HandshakeWrite<R>): void {
    if (this.inFlight !== write) return;
    this.inFlight = null;
    if (this.config.mode !== 'trigger') this.slot.failed();
    // The answer stays for the next try, unless a newer request replaced it meanwhile.
    else if (this.request?.answer !== write.result) this.triggerDropped++;
  }

  /** A fresh connection: the PLC may have restarted, so no ack is owed for an earlier write. */
  linkUp(): void {
    this.awaitingAck = null;
  }

  private takeNewest(nowMs: number): WriteDecision<HandshakeWrite<R>> {
    const result = this.slot.take();
    if (result === undefined) return { kind: 'wait', untilMs: null };
    return this.hand(result, 0, nowMs);
  }

  private hand(result: R, requestId: number, nowMs: number): WriteDecision<HandshakeWrite<R>> {
    const ageMs = nowMs - result.captureTimeMs;
    const stale = ageMs > this.config.stalenessLimitMs;
    if (stale) this.onEvent({ kind: 'staleResult', timeMs: nowMs, frameId: result.frameId, ageMs });
    this.inFlight = { result, requestId, stale };
    return { kind: 'write', write: this.inFlight };
  }
}
