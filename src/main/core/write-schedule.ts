/**
 * What a link's write loop asks before each write: which value to write now, or until when to
 * wait. The loop (src/main/util/latest-value-sink.ts) does the I/O; a schedule is pure and takes
 * the time as an argument, so the rules are tested without timers.
 */
import { LatestSlot } from './latest-slot';

export type WriteDecision<W> =
  | { kind: 'write'; write: W }
  /** Nothing to write now; ask again at `untilMs` (epoch ms) or on the next offer (null). */
  | { kind: 'wait'; untilMs: number | null };

export interface WriteSchedule<T, W> {
  /** A new value from the producer. Never blocks. */
  offer(value: T, nowMs: number): void;
  /** Called by the loop when it may write (no write in flight). A write handed out is in flight. */
  next(nowMs: number): WriteDecision<W>;
  /** The write in flight reached the peer. */
  written(write: W, nowMs: number): void;
  /** The write in flight failed (the link is being dropped). */
  failed(write: W, nowMs: number): void;
  /** A new connection is up: state that belonged to the old one is void. */
  linkUp(nowMs: number): void;
  /** Values that will never be written. */
  readonly dropped: number;
  /** A value waits that `next` would hand out once the link allows (what a closing flush waits for). */
  readonly hasPending: boolean;
}

/** Every value as soon as the link is free, newest first: the newest-only slot as a schedule. */
export class NewestOnlySchedule<T> implements WriteSchedule<T, T> {
  private readonly slot = new LatestSlot<T>();

  offer(value: T): void {
    this.slot.offer(value);
  }

  next(): WriteDecision<T> {
    const value = this.slot.take();
    return value === undefined ? { kind: 'wait', untilMs: null } : { kind: 'write', write: value };
  }

  written(): void {
    this.slot.written();
  }

  failed(): void {
    this.slot.failed();
  }

  linkUp(): void {}

  get dropped(): number {
    return this.slot.dropped;
  }

  get hasPending(): boolean {
    return this.slot.hasPending;
  }
}
