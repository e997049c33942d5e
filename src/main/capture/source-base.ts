/**
 * What every source shares: listeners, the state machine bookkeeping, frame ids, the ring, and
 * the stall watchdog. Subclasses only decide how pixels get into a ring buffer and what to do
 * when frames stop.
 */
import { DEFAULT_RING_SIZE, FrameRing, type PublishExtra, type RingWriteSlot } from './frame-ring';
import type {
  Frame,
  FrameListener,
  DetachedPreview,
  FrameSource,
  PreviewListener,
  SizePx,
  SourceOptions,
  SourceState,
  SourceStateChange,
  SourceStats,
  StateListener,
} from './types';

export const DEFAULT_STALL_TIMEOUT_MS = 5000;
export const DEFAULT_RESTART_AFTER_STALL_MS = 10_000;
export const DEFAULT_KILL_TIMEOUT_MS = 2000;

const TERMINAL: ReadonlySet<SourceState> = new Set(['stopped', 'error']);

export function isTerminalState(state: SourceState): boolean {
  return TERMINAL.has(state);
}

export abstract class SourceBase implements FrameSource {
  private stateValue: SourceState = 'stopped';
  private reasonValue = 'not started';
  private readonly frameListeners = new Set<FrameListener>();
  private readonly stateListeners = new Set<StateListener>();
  private readonly previewListeners = new Set<PreviewListener>();
  private healthTimer: NodeJS.Timeout | undefined;
  /** Last frame, or the last (re)launch when none since: what the stall watchdog measures from. */
  private lastProgressMs = 0;
  private stallRestartRequested = false;
  private nextFrameId = 1;
  private lastCaptureTimeMs = -Infinity;
  protected started = false;
  protected stopping = false;
  /** Entered a terminal state after start(); nothing may change state or publish afterwards. */
  private finished = false;

  protected readonly ring: FrameRing;
  protected readonly stallTimeoutMs: number;
  protected readonly restartAfterStallMs: number;
  readonly stats: SourceStats = { framesDelivered: 0, droppedNoBuffer: 0, restarts: 0 };

  constructor(
    readonly description: string,
    protected readonly options: SourceOptions,
  ) {
    this.ring = new FrameRing(options.ringSize ?? DEFAULT_RING_SIZE, options.sharedMemory ?? false);
    this.stallTimeoutMs = positive('stallTimeoutMs', options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS);
    this.restartAfterStallMs = positive(
      'restartAfterStallMs',
      options.restartAfterStallMs ?? Math.max(DEFAULT_RESTART_AFTER_STALL_MS, 2 * this.stallTimeoutMs),
    );
  }

  get state(): SourceState {
    return this.stateValue;
  }

  get stateReason(): string {
    return this.reasonValue;
  }

  get pid(): number | undefined {
    return undefined;
  }

  on(event: 'frame', listener: FrameListener): this;
  on(event: 'state', listener: StateListener): this;
  on(event: 'frame' | 'state', listener: FrameListener | StateListener): this {
    if (event === 'frame') this.frameListeners.add(listener as FrameListener);
    else this.stateListeners.add(listener as StateListener);
    return this;
  }

  off(event: 'frame', listener: FrameListener): this;
  off(event: 'state', listener: StateListener): this;
  off(event: 'frame' | 'state', listener: FrameListener | StateListener): this {
    if (event === 'frame') this.frameListeners.delete(listener as FrameListener);
    else this.stateListeners.delete(listener as StateListener);
    return this;
  }

  onPreview(listener: PreviewListener): () => void {
    this.previewListeners.add(listener);
    return () => this.previewListeners.delete(listener);
  }

  /** Hands a detached preview picture (valid during the call) to its listeners. */
  protected publishPreview(preview: DetachedPreview): void {
    if (this.finished || this.stopping) return;
    for (const l of [...this.previewListeners]) callSafely(l, preview);
  }

  async start(): Promise<void> {
    if (this.started || this.stopping)
      throw new Error(`source ${this.description} was already started or stopped; create a new one`);
    this.started = true;
    this.setState('starting', `opening ${this.description}`);
    this.markProgress();
    this.healthTimer = setInterval(
      () => this.checkHealth(),
      Math.max(20, Math.min(250, this.stallTimeoutMs / 5)),
    );
    this.healthTimer.unref();
    await this.launch();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.stopHealthTimer();
    await this.shutdown();
    if (!isTerminalState(this.stateValue)) this.setState('stopped', 'stopped by request');
  }

  /** First launch of the decoder (or timer loop). Report failures as states, do not throw. */
  protected abstract launch(): Promise<void>;
  /** Release everything: kill processes, clear timers; resolve when they are gone. */
  protected abstract shutdown(): Promise<void>;
  /** Frames stopped for `restartAfterStallMs`: restart the decoder if that can help. */
  protected abstract onStallTimeout(): void;

  /** Reset the watchdog: call when a decoder (re)launches, so start-up time is not a stall. */
  /** True once a terminal state was entered: subclasses stop scheduling work. */
  protected get isFinished(): boolean {
    return this.finished;
  }

  protected markProgress(): void {
    this.lastProgressMs = Date.now();
    this.stallRestartRequested = false;
  }

  protected setState(
    state: SourceState,
    reason: string,
    extra: Partial<Pick<SourceStateChange, 'stderrTail' | 'attempt' | 'retryInMs'>> = {},
  ): void {
    const previous = this.stateValue;
    // Terminal states are final; a late exit event after stop() must not resurrect the source.
    if (this.finished) return;
    if (previous === state && this.reasonValue === reason && state !== 'reconnecting') return;
    this.stateValue = state;
    this.reasonValue = reason;
    if (isTerminalState(state)) {
      this.finished = true;
      this.stopHealthTimer();
    }
    const change: SourceStateChange = { state, previous, reason, atMs: Date.now(), ...extra };
    for (const l of [...this.stateListeners]) callSafely(l, change);
  }

  /**
   * A buffer to decode the next frame into, or undefined (frame dropped and counted) when
   * consumers hold them all. Call exactly once per decoded frame.
   */
  protected acquireBuffer(): RingWriteSlot | undefined {
    const slot = this.ring.acquire();
    if (!slot) {
      this.stats.droppedNoBuffer++;
      // The dropped frame still uses up its id, so gaps in frame ids show where frames were lost.
      this.nextFrameId++;
    }
    return slot;
  }

  /**
   * Hand a completely filled buffer to the listeners, then drop the source's own hold on it.
   * Returns the frame's id (undefined: not published, the source is stopping).
   */
  protected publish(
    slot: RingWriteSlot,
    widthPx: number,
    heightPx: number,
    sourceSize?: SizePx,
    extra?: PublishExtra,
  ): number | undefined {
    if (this.finished || this.stopping) {
      this.ring.abandon(slot);
      return undefined;
    }
    // Strictly increasing: a file decoded flat out can finish two frames in one millisecond, and
    // a recording finds and steps through frames by capture time.
    const captureTimeMs = Math.max(Date.now(), this.lastCaptureTimeMs + 1);
    this.lastCaptureTimeMs = captureTimeMs;
    const frame: Frame = this.ring.publish(
      slot,
      this.nextFrameId++,
      captureTimeMs,
      widthPx,
      heightPx,
      sourceSize,
      extra,
    );
    this.markProgress();
    this.stats.framesDelivered++;
    if (this.stateValue !== 'live')
      this.setState(
        'live',
        this.stateValue === 'stalled' ? 'frames resumed' : `receiving ${widthPx}x${heightPx} frames`,
      );
    try {
      for (const l of [...this.frameListeners]) callSafely(l, frame);
    } finally {
      frame.release();
    }
    return frame.frameId;
  }

  /**
   * True while the source deliberately waits for consumers to free a buffer (`whenBuffersBusy:
   * 'wait'`): silence then is the consumer's doing, not the camera's.
   */
  protected get waitingForConsumer(): boolean {
    return false;
  }

  private checkHealth(): void {
    const s = this.stateValue;
    if (s !== 'starting' && s !== 'live' && s !== 'stalled' && s !== 'reconnecting') return;
    if (this.waitingForConsumer) {
      this.markProgress();
      return;
    }
    const silentMs = Date.now() - this.lastProgressMs;
    if (silentMs >= this.restartAfterStallMs && !this.stallRestartRequested) {
      // Also while reconnecting: a relaunched decoder that hangs before its first frame must be
      // restarted too. Subclasses ignore the call while no decoder runs (waiting out a backoff).
      this.stallRestartRequested = true;
      this.onStallTimeout();
    } else if (silentMs >= this.stallTimeoutMs && s !== 'stalled' && s !== 'reconnecting') {
      this.setState('stalled', `no frame for ${Math.round(silentMs)} ms`);
    }
  }

  private stopHealthTimer(): void {
    if (this.healthTimer) clearInterval(this.healthTimer);
    this.healthTimer = undefined;
  }
}

/**
 * A throwing listener must not break capture (the exception would otherwise unwind through a
 * stream handler). It is rethrown on a later tick, so it still surfaces as an uncaught error.
 */
function callSafely<T>(listener: (arg: T) => void, arg: T): void {
  try {
    listener(arg);
  } catch (e) {
    setImmediate(() => {
      throw e;
    });
  }
}

function positive(name: string, v: number): number {
  if (!(Number.isFinite(v) && v > 0))
    throw new RangeError(`${name} must be a positive number of milliseconds (got ${v})`);
  return v;
}

/**
 * Resolve with the first state change that satisfies `predicate` (checking the current state
 * first); reject after `timeoutMs`. For tests, the CLI ("fail with one clear line, never hang")
 * and the pipeline's start-up.
 */
export type StateSnapshot = Pick<SourceStateChange, 'state' | 'reason'> & Partial<SourceStateChange>;

export function waitForState(
  source: FrameSource,
  predicate: (change: StateSnapshot) => boolean,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<StateSnapshot> {
  const current: StateSnapshot = { state: source.state, reason: source.stateReason };
  if (predicate(current)) return Promise.resolve(current);
  return new Promise((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      source.off('state', onState);
      signal?.removeEventListener('abort', onAbort);
    };
    const onState = (c: SourceStateChange): void => {
      if (!predicate(c)) return;
      done();
      resolve(c);
    };
    const onAbort = (): void => {
      done();
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    const timer = setTimeout(() => {
      done();
      reject(
        new Error(
          `timed out after ${timeoutMs} ms waiting for ${source.description}; state is ${source.state} (${source.stateReason})`,
        ),
      );
    }, timeoutMs);
    source.on('state', onState);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Wall-clock pacing for sources that make frames themselves (synthetic, images). Frames are due
 * at start + k·interval, so timer lateness does not accumulate into drift; when more than one
 * interval behind (a slow decode, a busy event loop) it starts over from now instead of bursting
 * to catch up, because a burst of old frames is exactly what the slot would drop anyway.
 */
export class FramePacer {
  private readonly intervalMs: number;
  private startMs = 0;
  private count = 0;

  constructor(fps: number | 'max') {
    this.intervalMs = fps === 'max' ? 0 : 1000 / fps;
  }

  /** Interval between frames; 0 for "as fast as possible". */
  get frameIntervalMs(): number {
    return this.intervalMs;
  }

  /** Call once when the first frame is made. */
  begin(nowMs: number): void {
    this.startMs = nowMs;
    this.count = 0;
  }

  /** After a frame was made: how long to wait before making the next one. */
  nextDelayMs(nowMs: number): number {
    if (this.intervalMs === 0) return 0;
    this.count++;
    const delay = this.startMs + this.count * this.intervalMs - nowMs;
    if (delay < -this.intervalMs) {
      this.begin(nowMs);
      return 0;
    }
    return Math.max(0, delay);
  }
}

/** Stall limits for self-paced sources: a slow slideshow (0.1 fps) is not a stalled one. */
export function selfPacedOptions(options: SourceOptions, fps: number | 'max'): SourceOptions {
  if (fps === 'max') return options;
  const intervalMs = 1000 / fps;
  const stallTimeoutMs = Math.max(options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS, 3 * intervalMs);
  const restartAfterStallMs = Math.max(
    options.restartAfterStallMs ?? DEFAULT_RESTART_AFTER_STALL_MS,
    2 * stallTimeoutMs,
  );
  return { ...options, stallTimeoutMs, restartAfterStallMs };
}

/** Output size from an optional requested size: both sides given → exact; one side → keep aspect. */
export function resolveOutputSize(
  native: { widthPx: number; heightPx: number },
  requested: SourceOptions['outputSize'],
): { widthPx: number; heightPx: number } {
  const w = requested?.widthPx;
  const h = requested?.heightPx;
  if (w !== undefined && h !== undefined) return { widthPx: w, heightPx: h };
  // Even sides, as ffmpeg's scale=-2 gives, so every source type agrees on the same request.
  const even = (v: number): number => Math.max(2, 2 * Math.round(v / 2));
  if (w !== undefined) return { widthPx: w, heightPx: even((native.heightPx * w) / native.widthPx) };
  if (h !== undefined) return { widthPx: even((native.widthPx * h) / native.heightPx), heightPx: h };
  return { ...native };
}
