/**
 * The write loop shared by the S7 and serial sinks: a latest-value sink with reconnect.
 *
 * - offer() never blocks: the value goes to a WriteSchedule (core), whose slot holds one value
 *   besides the one in flight; a newer value replaces the waiting one and counts it as dropped.
 * - One write in flight at a time, on one connection at a time.
 * - Connect, write and side work (`service`) each have a deadline; a missed one, a failed call or
 *   a link the driver reports lost drops the connection, and the loop reconnects after the
 *   backoff policy's delay (core/backoff), reset by each successful connect.
 * - Status events on every state change (and every `statusEveryMs` if set).
 * - stop() optionally lets the waiting value out first, then ends the loop, waits for it and
 *   closes the connection.
 *
 * A driver only knows how to connect, write one value and close; the schedule only decides what
 * to write when. This file is the part that waits.
 */
import { EventEmitter } from 'node:events';
import { Backoff, type BackoffOptions } from '../core/backoff';
import { RollingWindow } from '../core/rolling-stats';
import type { WriteSchedule } from '../core/write-schedule';
import { Waker } from './waker';

export type LinkState = 'connecting' | 'connected' | 'disconnected';

export interface LinkStatus {
  state: LinkState;
  lastError: string | null;
  /** End of the last completed write (epoch ms). */
  lastWriteTimeMs: number | null;
  /** Writes completed in the last second. */
  writesPerSec: number;
  /** Values that will never be written. */
  dropped: number;
}

export interface LinkDriver<C, W, I> {
  /**
   * Opens a connection. `lost` may be called later when the peer goes away between calls (a
   * serial port unplugged); the loop then drops the connection. A connection resolved after the
   * deadline is closed at once.
   */
  connect(timeoutMs: number, lost: (reason: Error) => void): Promise<C>;
  /** Writes one value; returns what the sink reports about it. */
  write(conn: C, write: W, timeoutMs: number): Promise<I>;
  /** Closes a connection; must not throw. Also called on one whose write missed its deadline. */
  close(conn: C): Promise<void> | void;
  /**
   * Work on a live connection besides writes (S7: read the PLC's control area), run before every
   * write decision. Returns when it next wants to run (epoch ms), or null.
   */
  service?(conn: C, timeoutMs: number): Promise<number | null>;
}

export interface LatestValueSinkOptions {
  /** For messages: "PLC 10.0.0.5:102", "serial /dev/ttyUSB0". */
  name: string;
  connectTimeoutMs: number;
  /** Deadline of one write, and of one `service` call. */
  writeTimeoutMs: number;
  backoff: Pick<BackoffOptions, 'initialDelayMs' | 'maxDelayMs'> & Partial<BackoffOptions>;
  statusEveryMs?: number;
  nowMs?: () => number;
  random?: () => number;
}

export interface LatestValueSinkEvents<W, I> {
  status: [LinkStatus];
  /** A write completed: what was written, what the driver returned, and when (epoch ms). */
  written: [W, I, { startMs: number; endMs: number }];
}

/** Idle wake-up when nothing is scheduled: only a cheap look at the schedule. */
const IDLE_WAIT_MS = 1000;

interface LostSignal {
  reason: Error | null;
  promise: Promise<never>;
  reject: (e: Error) => void;
}

function lostSignal(): LostSignal {
  let reject!: (e: Error) => void;
  const promise = new Promise<never>((_, r) => (reject = r));
  promise.catch(() => undefined); // raced only while a call is out; never unhandled
  const signal: LostSignal = {
    reason: null,
    promise,
    reject: (e) => {
      if (signal.reason) return;
      signal.reason = e;
      reject(e);
    },
  };
  return signal;
}

/** Races `work` against a deadline and against `abort` (a lost link). */
function bounded<T>(work: Promise<T>, ms: number, what: string, abort: Promise<never>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline, abort]).finally(() => clearTimeout(timer));
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class LatestValueSink<T, W, C, I> extends EventEmitter<LatestValueSinkEvents<W, I>> {
  private readonly now: () => number;
  private readonly backoff: Backoff;
  private readonly work = new Waker();
  private readonly pause = new Waker();
  private readonly writeTimes = new RollingWindow(1000);

  private conn: C | null = null;
  /** The current connection's loss, reported by the driver: `promise` rejects with `reason`. */
  private lost: LostSignal | null = null;
  private state: LinkState = 'disconnected';
  private lastError: string | null = null;
  private lastWriteTimeMs: number | null = null;
  private writing = false;
  private started = false;
  private stopping = false;
  private loop: Promise<void> | null = null;
  private statusTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly driver: LinkDriver<C, W, I>,
    readonly schedule: WriteSchedule<T, W>,
    private readonly options: LatestValueSinkOptions,
  ) {
    super();
    this.now = options.nowMs ?? Date.now;
    this.backoff = new Backoff({ factor: 2, jitter: 0.2, ...options.backoff }, options.random);
  }

  /** Starts connecting in the background. Idempotent. */
  start(): this {
    if (this.started || this.stopping) return this;
    this.started = true;
    if (this.options.statusEveryMs) {
      this.statusTimer = setInterval(() => this.emit('status', this.status()), this.options.statusEveryMs);
      this.statusTimer.unref();
    }
    this.loop = this.run();
    return this;
  }

  /** Hands a value over; returns at once. */
  offer(value: T): void {
    if (this.stopping) return;
    this.schedule.offer(value, this.now());
    this.work.wake();
  }

  /** Makes the loop look at the schedule and the driver's side work now. */
  wake(): void {
    this.work.wake();
  }

  status(): LinkStatus {
    const t = this.now();
    this.writeTimes.prune(t);
    return {
      state: this.state,
      lastError: this.lastError,
      lastWriteTimeMs: this.lastWriteTimeMs,
      writesPerSec: this.writeTimes.count,
      dropped: this.schedule.dropped,
    };
  }

  /** Resolves once connected; rejects after `timeoutMs` with `describe(lastError)`. */
  whenConnected(timeoutMs: number, describe: (lastError: string | null) => string): Promise<void> {
    if (this.state === 'connected') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onStatus = (s: LinkStatus): void => {
        if (s.state === 'connected') done(null);
      };
      const timer = setTimeout(() => done(new Error(describe(this.lastError))), timeoutMs);
      const done = (err: Error | null): void => {
        clearTimeout(timer);
        this.off('status', onStatus);
        if (err) reject(err);
        else resolve();
      };
      this.on('status', onStatus);
    });
  }

  /**
   * Stops the loop and closes the connection. With `flushTimeoutMs` > 0 and the link up, the
   * value still waiting (the last frame of a run) is written first, bounded by that time.
   */
  async stop(flushTimeoutMs = 0): Promise<void> {
    if (this.stopping) {
      await this.loop;
      return;
    }
    if (flushTimeoutMs > 0 && this.state === 'connected' && (this.schedule.hasPending || this.writing))
      await this.flush(flushTimeoutMs);
    this.stopping = true;
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.statusTimer = null;
    this.work.wake();
    this.pause.wake();
    await this.loop;
    await this.dropConnection();
    this.setState('disconnected');
  }

  // ---------------------------------------------------------------------------------------------

  private flush(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const check = (): void => {
        if (this.state !== 'connected' || (!this.schedule.hasPending && !this.writing)) done();
      };
      const done = (): void => {
        clearTimeout(timer);
        this.off('written', check);
        this.off('status', check);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.on('written', check);
      this.on('status', check);
    });
  }

  private setState(state: LinkState): void {
    if (this.state === state) return;
    this.state = state;
    this.emit('status', this.status());
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      if (this.conn === null || this.lost === null) {
        if (!(await this.connect())) await this.pause.wait(this.backoff.next());
        continue;
      }
      try {
        await this.step(this.conn, this.lost);
      } catch (e) {
        this.lastError = messageOf(e);
        await this.dropConnection();
        this.setState('disconnected');
        if (!this.stopping) await this.pause.wait(this.backoff.next());
      }
    }
  }

  private async connect(): Promise<boolean> {
    this.setState('connecting');
    const lost = lostSignal();
    const timeoutMs = this.options.connectTimeoutMs;
    // Through a promise, so a driver that throws at once fails this attempt, not the loop.
    const attempt = Promise.resolve().then(() =>
      this.driver.connect(timeoutMs, (reason) => {
        lost.reject(reason);
        if (this.lost !== lost) return;
        this.lastError = reason.message;
        this.work.wake();
      }),
    );
    try {
      const conn = await bounded(attempt, timeoutMs, `${this.options.name}: connect`, lost.promise);
      if (this.stopping) {
        await this.driver.close(conn);
        return false;
      }
      this.conn = conn;
      this.lost = lost;
      this.backoff.reset();
      this.lastError = null;
      this.schedule.linkUp(this.now());
      this.setState('connected');
      return true;
    } catch (e) {
      // A connection that arrives after its deadline (or lost before it was up) is not wanted.
      void attempt.then((c) => this.driver.close(c)).catch(() => undefined);
      this.lastError = messageOf(e);
      this.setState('disconnected');
      return false;
    }
  }

  private async step(conn: C, signal: LostSignal): Promise<void> {
    if (signal.reason) throw signal.reason;
    const lost = signal.promise;
    const timeoutMs = this.options.writeTimeoutMs;
    const serviceAtMs = this.driver.service
      ? await bounded(this.driver.service(conn, timeoutMs), timeoutMs, `${this.options.name}: poll`, lost)
      : null;
    const decision = this.schedule.next(this.now());
    if (decision.kind === 'write') {
      const w = decision.write;
      const startMs = this.now();
      this.writing = true;
      let info: I;
      try {
        info = await bounded(
          this.driver.write(conn, w, timeoutMs),
          timeoutMs,
          `${this.options.name}: write`,
          lost,
        );
      } catch (e) {
        this.schedule.failed(w, this.now());
        throw e;
      } finally {
        this.writing = false;
      }
      const endMs = this.now();
      this.schedule.written(w, endMs);
      this.lastWriteTimeMs = endMs;
      this.writeTimes.add(endMs, 1);
      this.emit('written', w, info, { startMs, endMs });
      return;
    }
    const wakeAt = [decision.untilMs, serviceAtMs].filter((t): t is number => t !== null);
    const waitMs = wakeAt.length ? Math.max(1, Math.min(...wakeAt) - this.now()) : IDLE_WAIT_MS;
    // A lost link wakes this wait too; the next step then throws its reason.
    await this.work.wait(waitMs);
  }

  private async dropConnection(): Promise<void> {
    const conn = this.conn;
    this.conn = null;
    this.lost = null;
    if (conn === null) return;
    try {
      await this.driver.close(conn);
    } catch {
      // Nothing more can be done about a connection that will not close; it is forgotten.
    }
  }
}
