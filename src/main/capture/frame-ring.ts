/**
 * The fixed ring of preallocated frame buffers behind every source, and the reference counting
 * that implements the ownership rule documented in ./types.ts.
 */
import type { Letterbox } from '../core/geometry';
import type { Frame, FramePicture, SizePx } from './types';

interface RingBuffer {
  rgb: Uint8Array;
  /**
   * The preview picture of the same frame, in memory of its own: posting `rgb` to a worker then
   * never drags the preview's bytes along (a copy clones the whole underlying buffer).
   */
  preview: Uint8Array | undefined;
  /** Holders: the writer while it fills the buffer, then every unreleased retain. 0 = free. */
  refs: number;
  /** Told when `refs` drops to 0 (a source waiting for a free buffer). */
  ring: FrameRing;
}

class RingFrame implements Frame {
  /** Retains taken through this object; bounds release() so extra calls cannot free another holder's claim. */
  private held: number;

  constructor(
    readonly frameId: number,
    readonly captureTimeMs: number,
    readonly widthPx: number,
    readonly heightPx: number,
    readonly rgb: Uint8Array,
    private readonly buffer: RingBuffer | undefined,
    initialHeld: number,
    readonly sourceSize?: SizePx,
    readonly letterbox?: Letterbox,
    readonly preview?: FramePicture,
  ) {
    this.held = initialHeld;
  }

  retain(): void {
    this.held++;
    if (this.buffer) this.buffer.refs++;
  }

  release(): void {
    if (this.held === 0) return;
    this.held--;
    if (this.buffer && --this.buffer.refs === 0) this.buffer.ring.notifyFree();
  }
}

export const MIN_RING_SIZE = 2;
export const MAX_RING_SIZE = 16;
export const DEFAULT_RING_SIZE = 3;

/** Handle to a buffer being filled; pass it back to `publish` or `abandon`. */
export interface RingWriteSlot {
  readonly rgb: Uint8Array;
  /** Where the preview picture goes, when the ring was configured with a preview size. */
  readonly preview: Uint8Array | undefined;
}

/** A frame's model-frame placement and preview size, when the decoder made them. */
export interface PublishExtra {
  letterbox?: Letterbox;
  preview?: SizePx;
}

export class FrameRing {
  private buffers: RingBuffer[] = [];
  private byteLength = 0;
  private previewByteLength = 0;
  private cursor = 0;
  /** Called (once each) the next time a buffer becomes free; see `whenFree`. */
  private onFree: (() => void)[] = [];

  constructor(
    readonly capacity: number = DEFAULT_RING_SIZE,
    private readonly sharedMemory = false,
  ) {
    if (!Number.isInteger(capacity) || capacity < MIN_RING_SIZE || capacity > MAX_RING_SIZE) {
      throw new RangeError(
        `ringSize must be an integer within ${MIN_RING_SIZE}..${MAX_RING_SIZE} (got ${capacity})`,
      );
    }
  }

  /** Bytes per frame the ring is currently sized for. */
  get frameByteLength(): number {
    return this.byteLength;
  }

  /** Buffers no one holds right now. */
  get freeCount(): number {
    return this.buffers.filter((b) => b.refs === 0).length;
  }

  /** True when buffers live in SharedArrayBuffer memory (a worker reads them in place). */
  get shared(): boolean {
    return this.sharedMemory;
  }

  /**
   * Size the ring for frames of `byteLength` bytes (plus `previewByteLength` for a preview
   * picture, 0 for none). Buffers are only reallocated when a size changes (decoder restart with
   * another resolution); frames still retained keep their old buffer alive until released, and
   * then it is garbage.
   */
  configure(byteLength: number, previewByteLength = 0): void {
    if (!Number.isInteger(byteLength) || byteLength <= 0)
      throw new RangeError(`frame byte length must be a positive integer (got ${byteLength})`);
    if (!Number.isInteger(previewByteLength) || previewByteLength < 0)
      throw new RangeError(`preview byte length must be an integer ≥ 0 (got ${previewByteLength})`);
    if (byteLength === this.byteLength && previewByteLength === this.previewByteLength) return;
    this.byteLength = byteLength;
    this.previewByteLength = previewByteLength;
    this.cursor = 0;
    const alloc = (n: number): Uint8Array =>
      this.sharedMemory ? new Uint8Array(new SharedArrayBuffer(n)) : new Uint8Array(n);
    this.buffers = Array.from({ length: this.capacity }, () => ({
      rgb: alloc(byteLength),
      // The preview is read on the main thread only: ordinary memory.
      preview: previewByteLength > 0 ? new Uint8Array(previewByteLength) : undefined,
      refs: 0,
      ring: this,
    }));
  }

  /**
   * A free buffer to write the next frame into, or undefined when consumers hold them all (the
   * caller then drops the frame). Round-robin, so the most recently published frame is the last
   * to be overwritten.
   */
  acquire(): RingWriteSlot | undefined {
    for (let i = 0; i < this.buffers.length; i++) {
      const b = this.buffers[(this.cursor + i) % this.buffers.length];
      if (b.refs === 0) {
        this.cursor = (this.cursor + i + 1) % this.buffers.length;
        b.refs = 1;
        return b;
      }
    }
    return undefined;
  }

  /** Give a buffer back without publishing it (the decoder died mid-frame). */
  abandon(slot: RingWriteSlot): void {
    const b = slot as RingBuffer;
    if (b.refs > 0 && --b.refs === 0) this.notifyFree();
  }

  /**
   * Run `callback` once, on a later tick, when a buffer is free (at once if one is). Several
   * waiters (one per decoder output) each get their call.
   */
  whenFree(callback: () => void): void {
    if (!this.onFree.includes(callback)) this.onFree.push(callback);
    if (this.freeCount > 0) this.notifyFree();
  }

  /** @internal a buffer's last holder let go. */
  notifyFree(): void {
    if (this.onFree.length === 0) return;
    const callbacks = this.onFree;
    this.onFree = [];
    // Not from inside the releasing consumer's call stack: it may be mid-way through its own work.
    setImmediate(() => {
      for (const cb of callbacks) cb();
    });
  }

  /**
   * Turn a filled buffer into a Frame. The writer's hold passes to the returned frame: the
   * caller emits it and then calls `release()` once, leaving only listeners' retains.
   */
  publish(
    slot: RingWriteSlot,
    frameId: number,
    captureTimeMs: number,
    widthPx: number,
    heightPx: number,
    sourceSize?: SizePx,
    extra: PublishExtra = {},
  ): Frame {
    const b = slot as RingBuffer;
    const fit = (buf: Uint8Array, w: number, h: number): Uint8Array =>
      buf.length === w * h * 3 ? buf : buf.subarray(0, w * h * 3);
    const p = extra.preview;
    const preview =
      p && b.preview
        ? { rgb: fit(b.preview, p.widthPx, p.heightPx), widthPx: p.widthPx, heightPx: p.heightPx }
        : undefined;
    return new RingFrame(
      frameId,
      captureTimeMs,
      widthPx,
      heightPx,
      fit(b.rgb, widthPx, heightPx),
      b,
      1,
      sourceSize,
      extra.letterbox,
      preview,
    );
  }
}

/** A frame that owns its pixels outright (garbage-collected); retain/release do nothing. */
export function detachedFrame(init: {
  frameId: number;
  captureTimeMs: number;
  widthPx: number;
  heightPx: number;
  rgb: Uint8Array;
}): Frame {
  if (init.rgb.length !== init.widthPx * init.heightPx * 3) {
    throw new RangeError(
      `rgb has ${init.rgb.length} bytes; ${init.widthPx}x${init.heightPx} RGB24 needs ${init.widthPx * init.heightPx * 3}`,
    );
  }
  return new RingFrame(init.frameId, init.captureTimeMs, init.widthPx, init.heightPx, init.rgb, undefined, 0);
}

/** Copy a borrowed frame into memory of its own, e.g. for a recorder or a test that keeps frames. */
export function copyFrame(frame: Frame): Frame {
  return detachedFrame({ ...frame, rgb: frame.rgb.slice() });
}
