/**
 * Main-thread side of inference. Each loaded model lives in its own worker thread; a model swap
 * starts a new worker, loads and warms the new model there while the old worker keeps answering
 * frames, then switches between two frames and retires the old worker once its last frame is done.
 * A failed load leaves the old model running.
 */
import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { ModelInfo } from '../../shared/detection';
import { Backoff } from '../core/backoff';
import type { DecodeParams } from '../core/decoders/types';
import type { ModelFrameFormat } from '../core/model-frame';
import type { ModelSpec, RunOutput } from './model';
import type { RgbImage } from './preprocess';
import type { FromWorker, ToWorker, ToWorkerBody } from './protocol';

export interface EngineOptions {
  /** Path of the built worker script (out/main/inference-worker.js). */
  workerPath: string;
  /** A model load (including a TensorRT engine build) that takes longer fails. */
  loadTimeoutMs?: number;
  /**
   * Deadline of one frame. A worker that misses it is hung (a native call that never returns):
   * it is terminated, the frame fails, and the model is reloaded in a new worker with backoff.
   */
  inferTimeoutMs?: number;
}

export interface InferResult extends RunOutput {
  model: ModelInfo;
}

interface Pending {
  resolve: (msg: FromWorker) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** One worker holding one model. */
class ModelWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private dead: Error | null = null;
  private retiring = false;
  info: ModelInfo | null = null;
  frameFormat: ModelFrameFormat | null = null;

  constructor(
    workerPath: string,
    onStatus: (message: string) => void,
    private readonly onDeath: (err: Error) => void = () => {},
  ) {
    this.worker = new Worker(workerPath);
    this.worker.on('message', (msg: FromWorker) => {
      if (msg.type === 'status') return onStatus(msg.message);
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      clearTimeout(p.timer);
      if (msg.type === 'error') p.reject(new Error(msg.message));
      else p.resolve(msg);
    });
    this.worker.on('error', (e) => this.die(new Error(`inference worker failed: ${e.message}`)));
    this.worker.on('exit', (code) => this.die(new Error(`inference worker exited (code ${code})`)));
  }

  private die(err: Error): void {
    if (!this.dead && !this.retiring) this.onDeath(err);
    this.dead ??= err;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
  }

  /** Marks the worker dead with `err` (so its death is reported as that) and stops the thread. */
  private kill(err: Error): void {
    this.die(err);
    void this.worker.terminate();
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * `killOnTimeout`: a missed deadline means the thread is stuck, not slow; terminating it is the
   * only way to get the CPU back (a JS timeout cannot interrupt a native call).
   */
  request(
    msg: ToWorkerBody,
    timeoutMs: number,
    transfer: ArrayBuffer[] = [],
    killOnTimeout = false,
  ): Promise<FromWorker> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<FromWorker>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        const err = new Error(`inference worker did not answer '${msg.type}' within ${timeoutMs} ms`);
        reject(err);
        if (killOnTimeout) this.kill(new HungWorkerError(`${err.message}; the worker was terminated`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.worker.postMessage({ ...msg, id } as ToWorker, transfer);
    });
  }

  /** Waits for the frames already sent, then stops the thread. */
  async retire(): Promise<void> {
    this.retiring = true;
    if (!this.dead) {
      await this.request({ type: 'release' }, 10_000).catch(() => {});
    }
    await this.worker.terminate();
  }
}

/** An inference missed its deadline; the worker was terminated and the model is being reloaded. */
export class HungWorkerError extends Error {
  override name = 'HungWorkerError';
}

export class InferenceEngine extends EventEmitter<{
  status: [string];
  swapped: [ModelInfo];
  /** The serving worker died or hung and is being replaced (reason). */
  workerLost: [Error];
}> {
  private active: ModelWorker | null = null;
  private activeSpec: ModelSpec | null = null;
  private swapping = false;
  private closed = false;
  private readonly restartBackoff = new Backoff({ initialDelayMs: 500, maxDelayMs: 30_000 });
  private restartTimer: NodeJS.Timeout | null = null;
  private readonly loadTimeoutMs: number;
  private readonly inferTimeoutMs: number;

  constructor(private readonly options: EngineOptions) {
    super();
    this.loadTimeoutMs = options.loadTimeoutMs ?? 600_000;
    this.inferTimeoutMs = options.inferTimeoutMs ?? 30_000;
  }

  get model(): ModelInfo | null {
    return this.active?.info ?? null;
  }

  /** The model-sized frame the active model takes as it is, for the decoder to make (null: none). */
  get frameFormat(): ModelFrameFormat | null {
    return this.active?.frameFormat ?? null;
  }

  /** Load a model (first load or hot swap). Rejects, leaving the current model in place, on failure. */
  async load(spec: ModelSpec): Promise<ModelInfo> {
    if (this.closed) throw new Error('inference engine is closed');
    if (this.swapping) throw new Error('a model swap is already in progress; wait for it to finish');
    this.swapping = true;
    const candidate = new ModelWorker(
      this.options.workerPath,
      (m) => this.emit('status', m),
      (err) => this.onWorkerDeath(candidate, err),
    );
    try {
      const msg = await candidate.request({ type: 'load', spec }, this.loadTimeoutMs);
      if (msg.type !== 'loaded') throw new Error(`unexpected answer '${msg.type}' to load`);
      if (this.closed) throw new Error('inference engine closed while loading');
      candidate.info = msg.info;
      candidate.frameFormat = msg.frameFormat;
      const old = this.active;
      this.active = candidate;
      this.activeSpec = spec;
      this.emit('swapped', msg.info);
      // Frames already sent to the old worker finish there; release waits behind them.
      if (old) void old.retire();
      return msg.info;
    } catch (e) {
      await candidate.retire();
      throw e;
    } finally {
      this.swapping = false;
    }
  }

  /**
   * The worker serving frames died (native crash, out of memory): load the same model again in a
   * new worker, with backoff, so a station recovers without anyone touching it.
   */
  private onWorkerDeath(worker: ModelWorker, err: Error): void {
    if (this.closed || worker !== this.active || !this.activeSpec) return;
    const spec = this.activeSpec;
    const delayMs = this.restartBackoff.next();
    this.emit('workerLost', err);
    this.emit('status', `${err.message}; reloading ${worker.info?.name ?? 'the model'} in ${delayMs} ms`);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.closed || this.active !== worker) return;
      this.load(spec).then(
        () => this.restartBackoff.reset(),
        (e: unknown) => {
          this.emit('status', `reloading the model failed: ${(e as Error).message}`);
          this.onWorkerDeath(worker, e as Error);
        },
      );
    }, delayMs);
  }

  /**
   * Load a model in a throwaway worker to learn what it is (family, classes, input size) without
   * touching the running one. Used to list and to validate imports.
   */
  async inspect(spec: ModelSpec): Promise<ModelInfo> {
    const w = new ModelWorker(this.options.workerPath, () => {});
    try {
      // Listing runs beside the live line: the describing thread yields the CPU to it.
      const msg = await w.request({ type: 'load', spec, lowPriority: true }, this.loadTimeoutMs);
      if (msg.type !== 'loaded') throw new Error(`unexpected answer '${msg.type}' to load`);
      return msg.info;
    } finally {
      await w.retire();
    }
  }

  /**
   * Run one frame on the active model. Pixels in SharedArrayBuffer memory (a shared frame ring)
   * are read by the worker in place; others are copied by postMessage. Either way the caller keeps
   * them unchanged (the frame retained) until this resolves.
   */
  async infer(img: RgbImage, params: DecodeParams): Promise<InferResult> {
    const worker = this.active;
    if (!worker || !worker.info) throw new Error('no model loaded');
    const info = worker.info;
    const msg = await worker.request(
      { type: 'infer', rgb: img.rgb, widthPx: img.widthPx, heightPx: img.heightPx, params },
      this.inferTimeoutMs,
      [],
      true,
    );
    if (msg.type !== 'result') throw new Error(`unexpected answer '${msg.type}' to infer`);
    return { ...msg.output, model: info };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const w = this.active;
    this.active = null;
    await w?.retire();
  }
}
