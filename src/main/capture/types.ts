/**
 * Public contract of the capture layer. Everything that produces frames (ffmpeg, a folder of
 * images, the synthetic scene) implements `FrameSource`; the pipeline only sees this file.
 *
 * ## Buffer ownership (read this before keeping a frame)
 *
 * Sources decode into a small fixed ring of preallocated buffers (3 by default), so capture
 * allocates nothing per frame and memory stays flat. A delivered `Frame` borrows one of them:
 *
 * 1. Inside a synchronous `'frame'` listener the frame is always valid. A listener that only looks
 *    at it, or copies what it needs (`copyFrame`), does nothing else.
 * 2. To keep it past the callback, call `frame.retain()` inside the callback and `frame.release()`
 *    exactly once when done. Until every retain is released, the source never writes that buffer.
 * 3. After the callback returns (unretained) or after the last `release()`, the bytes may be
 *    overwritten by a later frame at any time. Reading `rgb` then gives torn or newer pixels.
 * 4. If every ring buffer is retained when a new frame starts, the source drops that frame and
 *    counts it (`stats.droppedNoBuffer`). A consumer that forgets to release therefore starves
 *    capture visibly instead of growing memory.
 *
 * `FrameSlot` follows these rules for you: `put()` retains, replacing releases the dropped frame,
 * and the frame `take()` returns is retained on your behalf: release it when preprocessing is done.
 */

import type { BackoffOptions } from '../core/backoff';
import type { Letterbox } from '../core/geometry';
import type { ModelFrameFormat } from '../core/model-frame';

/** One complete decoded picture. Never partial. */
export interface Frame {
  /** Assigned by the source; strictly increasing for the life of the source, across reconnects. */
  readonly frameId: number;
  /**
   * `Date.now()` when the last byte of this frame arrived from the decoder; strictly increasing
   * for the life of the source (a frame finished in the same millisecond as the one before it
   * gets the next millisecond).
   */
  readonly captureTimeMs: number;
  readonly widthPx: number;
  readonly heightPx: number;
  /** Packed RGB24, row-major, no padding: `widthPx * heightPx * 3` bytes. Borrowed: see above. */
  readonly rgb: Uint8Array;
  /**
   * The camera's own size when the decoder scaled the picture down (`fitInside`): positions found
   * in this frame are multiplied by `sourceSize / size` to be in camera pixels. Absent = not scaled.
   */
  readonly sourceSize?: SizePx;
  /**
   * Set when the decoder delivered the model-sized frame (`modelFrame`): how the camera picture
   * (`src…`) was placed into `rgb` (`dst…`). Positions found in `rgb` map back to camera pixels
   * through it (`unletterboxDetections`); `sourceSize` is then the camera size.
   */
  readonly letterbox?: Letterbox;
  /**
   * The same picture at preview size, camera aspect (`previewFitInside`), for whoever shows it.
   * Borrowed with the frame, like `rgb`. Absent: show `rgb`.
   */
  readonly preview?: FramePicture;
  /** Keep the buffer past the synchronous callback. Pair every call with one `release()`. */
  retain(): void;
  /** Give back one `retain()`. Extra calls are ignored, so a double release cannot free a buffer someone else holds. */
  release(): void;
}

export type SourceState = 'starting' | 'live' | 'stalled' | 'reconnecting' | 'stopped' | 'error';

/**
 * Emitted on every state change, and again for `reconnecting` on each new attempt (the reason and
 * delay change even though the state does not).
 *
 * - `starting`: first decoder launch, no frame yet.
 * - `live`: frames are arriving.
 * - `stalled`: no frame for `stallTimeoutMs`; the decoder is still running. If nothing arrives
 *   for `restartAfterStallMs` it is killed and restarted (→ `reconnecting`).
 * - `reconnecting`: the decoder exited (or was killed after a stall); a restart is scheduled
 *   after `retryInMs`. `live` again on the first frame.
 * - `stopped`: terminal; `stop()` was called, or a non-looping file/folder reached its end
 *   (reason `end of stream`).
 * - `error`: terminal; retrying cannot help (missing file, bad configuration, no ffmpeg,
 *   restart limit reached). The reason says what to fix.
 */
export interface SourceStateChange {
  state: SourceState;
  previous: SourceState;
  /** One line a person can act on; credentials in URLs are masked. */
  reason: string;
  /** Last lines of ffmpeg's stderr (credentials masked) when the change came from the decoder. */
  stderrTail?: string[];
  /** Reconnect attempt number (1 = first retry) for `reconnecting`. */
  attempt?: number;
  /** Delay before the next restart, for `reconnecting`. */
  retryInMs?: number;
  /** `Date.now()` of the change. */
  atMs: number;
}

export interface SourceStats {
  /** Complete frames handed to listeners. */
  framesDelivered: number;
  /** Frames decoded but dropped because every ring buffer was still retained by consumers. */
  droppedNoBuffer: number;
  /** Decoder restarts after the first start. */
  restarts: number;
}

export type FrameListener = (frame: Frame) => void;

/** A preview picture that came apart from its frame (`previewEvery` above 1). */
export interface DetachedPreview {
  /** The frame it shows (`Frame.frameId`); that frame was delivered before. */
  readonly frameId: number;
  /** Valid only during the synchronous listener call: copy what you keep. */
  readonly picture: FramePicture;
}

export type PreviewListener = (preview: DetachedPreview) => void;
export type StateListener = (change: SourceStateChange) => void;

export interface FrameSource {
  /** Human-readable description of the source (credentials masked), for logs and the UI. */
  readonly description: string;
  readonly state: SourceState;
  /** Reason of the last state change. */
  readonly stateReason: string;
  readonly stats: Readonly<SourceStats>;
  /** PID of the decoder process while one runs (ffmpeg sources only). */
  readonly pid: number | undefined;

  /**
   * Begin capturing. Resolves once the first decoder launch has been attempted; failures are
   * reported as state changes (`error`/`reconnecting`), never as a rejection, so a flaky camera
   * cannot crash the caller. Calling it twice, or after `stop()`, throws.
   */
  start(): Promise<void>;
  /**
   * Stop for good: cancels retries and timers, kills the decoder (SIGTERM, then SIGKILL after
   * `killTimeoutMs`) and resolves once it has exited. State becomes `stopped` unless it was
   * already terminal. Safe to call more than once, and before `start()`.
   */
  stop(): Promise<void>;

  on(event: 'frame', listener: FrameListener): this;
  on(event: 'state', listener: StateListener): this;
  off(event: 'frame', listener: FrameListener): this;
  off(event: 'state', listener: StateListener): this;
  /**
   * Preview pictures made apart from their frames (`previewEvery` above 1), in frame order;
   * returns the unsubscribe. Absent on sources that never make them.
   */
  onPreview?(listener: PreviewListener): () => void;
}

export interface SizePx {
  widthPx: number;
  heightPx: number;
}

/** Packed RGB24, row-major, no padding: `widthPx * heightPx * 3` bytes. */
export interface FramePicture {
  readonly rgb: Uint8Array;
  readonly widthPx: number;
  readonly heightPx: number;
}

/**
 * Options common to every source. Durations are wall-clock milliseconds.
 */
export interface SourceOptions {
  /**
   * Deliver frames at this size. Give both for an exact size (aspect not kept), or one of them
   * to keep the aspect ratio. For ffmpeg sources the scaling happens inside ffmpeg, which is far
   * cheaper than resizing in JavaScript. Default: the source's native size.
   */
  outputSize?: Partial<SizePx>;
  /**
   * Deliver frames scaled down (aspect kept, never up) to fit inside this box, e.g. the model's
   * input size: the decoder process does the resizing on its own core and every later copy is
   * small. Frames then carry `sourceSize`. Ignored when `outputSize` is given.
   */
  fitInside?: SizePx;
  /**
   * Deliver the model-sized frame: the decoder scales and pads (or stretches) the picture exactly
   * as the model's preprocessing would, so the inference worker uses it as it is. Frames then
   * carry `letterbox` and `sourceSize`. ffmpeg sources only; wins over `outputSize`/`fitInside`.
   */
  modelFrame?: ModelFrameFormat;
  /**
   * With `modelFrame`: also deliver the picture scaled down (aspect kept, never up) to fit inside
   * this box as `frame.preview`, decoded in the same ffmpeg process from the same picture.
   */
  previewFitInside?: SizePx;
  /**
   * With `previewFitInside`: make the preview picture of every n-th frame only (default 1, every
   * frame, as `frame.preview`). Above 1 the decoder converts and sends a fraction of the preview
   * pictures (a live view shows a few a second, not every frame), and they come apart from their
   * frames, after them, through `onPreview`: ffmpeg hands over a thinned-out picture only once it
   * has made the next one, so a frame that waited for its preview would reach the PLC late.
   */
  previewEvery?: number;
  /**
   * What to do when consumers hold every ring buffer. `drop` (default): decode on and drop the
   * frame, as a live camera must. `wait`: stop reading the decoder until a buffer is free, so a
   * file read at fps=max goes exactly as fast as the pipeline takes frames and none is dropped.
   * Only file sources honour `wait`.
   */
  whenBuffersBusy?: 'drop' | 'wait';
  /** Ring buffers per source (2..16). 3 lets one frame be processed, one wait in the slot, one fill. */
  ringSize?: number;
  /**
   * Allocate ring buffers in SharedArrayBuffer memory so a worker thread can read a retained
   * frame without a copy (post `frame.rgb`, release when the worker answers). The inference
   * engine does exactly that; ordinary memory is copied by postMessage instead.
   */
  sharedMemory?: boolean;
  /** No frame for this long → `stalled`. Default 5000. */
  stallTimeoutMs?: number;
  /** No frame for this long (since the last frame or the launch) → kill and restart. Default 10000. */
  restartAfterStallMs?: number;
  /** Restart delays after the decoder exits. Default 500 ms doubling to 10 s, no jitter. */
  backoff?: Partial<BackoffOptions>;
  /**
   * Consecutive restarts (without a run that stayed live for 10 s) allowed before giving up with
   * `error`. Default unlimited: a plant camera comes back.
   */
  maxRestarts?: number;
  /**
   * Called with each decoder message that reads like trouble (corrupt packets, a file cut short),
   * as it happens, credentials masked. ffmpeg sources only.
   */
  onWarning?: (line: string) => void;
  /** Grace between SIGTERM and SIGKILL on stop. Default 2000. */
  killTimeoutMs?: number;
  /** Network read/connect timeout handed to ffmpeg (`-rw_timeout`, RTSP `-timeout`). Default 5000. */
  networkTimeoutMs?: number;
  /**
   * How long ffmpeg may read a network stream to learn its format, before the first frame.
   * Default 1000; doubled automatically (up to 10 s) after a probe that was too short.
   */
  probeDurationMs?: number;
  /** ffmpeg binary from configuration; otherwise PATH, then the npm-packaged one. */
  ffmpegPath?: string;
  /** stderr lines kept for error messages. Default 20. */
  stderrTailLines?: number;
}
