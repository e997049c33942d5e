/**
 * The newest-frame slot between capture and inference. It holds at most one frame (or `depth`,
 * for a source that waits for free buffers instead of dropping): when inference is busy, a new
 * frame replaces the oldest waiting one and the replaced one is counted as dropped. Nothing
 * queues, so results can never fall behind the camera by more than the frames being processed
 * plus the one waiting.
 *
 * Ownership: `put()` retains the frame (so the source will not overwrite it while it waits here);
 * replacing it or closing the slot releases it. The frame `take()` resolves with is retained for
 * the taker, who must call `frame.release()` once done reading its pixels (see ./types.ts).
 */
import type { Frame } from './types';

export interface FrameSlotStats {
  /** Frames put into the slot. */
  captured: number;
  /** Frames replaced before anyone took them. */
  dropped: number;
  /** Frames handed to `take()`. */
  taken: number;
}

interface Waiter {
  resolve: (frame: Frame) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

export class FrameSlotClosedError extends Error {
  constructor(reason: string) {
    super(`frame slot closed: ${reason}`);
    this.name = 'FrameSlotClosedError';
  }
}

export class FrameSlot {
  /** Oldest first; at most `depth`. */
  private readonly held: Frame[] = [];
  private readonly waiters: Waiter[] = [];
  private closedReason: string | undefined;
  private endedReason: string | undefined;
  private readonly counts: FrameSlotStats = { captured: 0, dropped: 0, taken: 0 };

  /** A snapshot; counters only grow. */
  get stats(): FrameSlotStats {
    return { ...this.counts };
  }

  /**
   * `depth`: frames that may wait (1: the newest only). A source that waits for free buffers
   * instead of dropping (a file read at fps=max) may keep one waiting per frame in inference, so
   * that lanes freed at the same moment all find a frame; a live camera keeps the newest only.
   */
  constructor(private readonly depth = 1) {
    if (!Number.isInteger(depth) || depth < 1)
      throw new RangeError(`slot depth must be a positive integer, got ${depth}`);
  }

  /** True while a frame waits to be taken. */
  get hasFrame(): boolean {
    return this.held.length > 0;
  }

  /** Offer a new frame. Usable directly as a source's `'frame'` listener: `source.on('frame', f => slot.put(f))`. */
  put(frame: Frame): void {
    if (this.closedReason !== undefined || this.endedReason !== undefined) return;
    this.counts.captured++;
    frame.retain();
    const waiter = this.waiters.shift();
    if (waiter) {
      // Someone is already waiting: hand over directly, the frame never sits in the slot.
      this.counts.taken++;
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.resolve(frame);
      return;
    }
    if (this.held.length >= this.depth) {
      this.held.shift()!.release();
      this.counts.dropped++;
    }
    this.held.push(frame);
  }

  /**
   * The newest frame put after the previous take: immediately if one waits, else the next one
   * put. Rejects when `signal` aborts (with its reason) or the slot is closed.
   */
  take(signal?: AbortSignal): Promise<Frame> {
    if (this.closedReason !== undefined) return Promise.reject(new FrameSlotClosedError(this.closedReason));
    if (signal?.aborted) return Promise.reject(signal.reason);
    const held = this.held.shift();
    if (held) {
      this.counts.taken++;
      return Promise.resolve(held);
    }
    if (this.endedReason !== undefined) return Promise.reject(new FrameSlotClosedError(this.endedReason));
    return new Promise<Frame>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(signal?.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /**
   * The source has ended for good (end of stream): ignore later puts, but let the frame still
   * waiting be taken, so the last frame of a clip is processed rather than thrown away. Takes
   * that find the slot empty then reject as after close().
   */
  end(reason = 'source ended'): void {
    if (this.closedReason !== undefined) return;
    this.endedReason = reason;
    // Waiters exist only while the slot is empty: nothing more will come for them.
    for (const w of this.waiters.splice(0)) {
      w.signal?.removeEventListener('abort', w.onAbort);
      w.reject(new FrameSlotClosedError(reason));
    }
  }

  /** Reject pending takes, release the waiting frame, ignore later puts. Idempotent. */
  close(reason = 'closed'): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = this.endedReason ?? reason;
    for (const f of this.held.splice(0)) f.release();
    for (const w of this.waiters.splice(0)) {
      w.signal?.removeEventListener('abort', w.onAbort);
      w.reject(new FrameSlotClosedError(reason));
    }
  }
}
