/**
 * Main-thread side of inference. Each loaded model lives in its own worker thread; a model swap
 * starts a new worker, loads and warms the new model there while the old worker keeps answering
 * frames, then switches between two frames and retires the old worker once its last frame is done.
 * A failed load leaves the old model running.
 *
 * With `parallelFrames` > 1 an ONNX model on the CPU is loaded in that many workers (lanes), each
 * with its share of the cores, and frames go to the least busy one: frames are independent, so
 * two single-threaded sessions on two cores run about 1.5-2x the frames of one session using both
 * (no intra-op barriers, and a core taken by the screen stalls one frame instead of both threads).
 */
import { EventEmitter } from 'node:events';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ModelInfo } from '../../shared/detection';
import { Backoff } from '../core/backoff';
import type { DecodeParams } from '../core/decoders/types';
import type { ModelFrameFormat } from '../core/model-frame';
import type { ModelSpec, OnnxModelSpec, RunOutput } from './model';
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
  /**
   * Frames in inference at once (lanes), for ONNX models on the CPU; a GPU provider, the classic
   * detector (its background model needs every frame in order) and `inspect` use one. Default 1.
   */
  parallelFrames?: number;
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

  get isDead(): boolean {
    return this.dead !== null;
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
  /** The serving model's workers; the first is the one that was tuned and describes the model. */
  private lanes: ModelWorker[] = [];
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
    const n = options.parallelFrames ?? 1;
    if (!Number.isInteger(n) || n < 1)
      throw new RangeError(`parallelFrames must be a positive integer, got ${n}`);
  }

  private get active(): ModelWorker | null {
    return this.lanes[0] ?? null;
  }

  get model(): ModelInfo | null {
    return this.active?.info ?? null;
  }

  /** The model-sized frame the active model takes as it is, for the decoder to make (null: none). */
  get frameFormat(): ModelFrameFormat | null {
    return this.active?.frameFormat ?? null;
  }

  /** Frames the serving model takes at once (its live workers); 1 before a model is loaded. */
  get parallelFrames(): number {
    return Math.max(1, this.lanes.filter((w) => !w.isDead).length);
  }

  /** Frames in each lane of the serving model now (for tests and diagnostics). */
  get framesPerLane(): number[] {
    return this.lanes.map((w) => w.inFlight);
  }

  /** The most frames any model of this engine takes at once. */
  get maxParallelFrames(): number {
    return this.options.parallelFrames ?? 1;
  }

  /**
   * Lanes the serving model was loaded with (a dead one still counts: it is being replaced), or
   * the most a model may get before one is loaded: what frame rings are sized for.
   */
  get plannedParallelFrames(): number {
    return this.lanes.length > 0 ? this.lanes.length : this.maxParallelFrames;
  }

  /**
   * The spec each lane loads: with several lanes, an ONNX model's thread tuning is confined to the
   * lane's share of the cores (one core each on a two-core machine: nothing to tune).
   */
  private laneSpec(spec: ModelSpec): ModelSpec {
    const n = this.maxParallelFrames;
    if (n < 2 || spec.kind !== 'onnx') return spec;
    return { ...spec, cores: Math.max(1, Math.floor((spec.cores ?? availableParallelism()) / n)) };
  }

  /** Load a model (first load or hot swap). Rejects, leaving the current model in place, on failure. */
  async load(spec: ModelSpec): Promise<ModelInfo> {
    if (this.closed) throw new Error('inference engine is closed');
    if (this.swapping) throw new Error('a model swap is already in progress; wait for it to finish');
    this.swapping = true;
    const candidates: ModelWorker[] = [];
    const lane = (): ModelWorker => {
      const w: ModelWorker = new ModelWorker(
        this.options.workerPath,
        (m) => this.emit('status', m),
        (err) => this.onWorkerDeath(w, err),
      );
      candidates.push(w);
      return w;
    };
    try {
      const first = await loadInto(lane(), this.laneSpec(spec), this.loadTimeoutMs);
      const info = first.info!;
      const more = lanesFor(spec, info, this.maxParallelFrames) - 1;
      if (more > 0) {
        // The others take the first one's thread choice as it is: tuning once is enough.
        const threads = info.cpuThreads;
        const fixed: ModelSpec = {
          ...(spec as OnnxModelSpec),
          providers: ['cpu'],
          intraOpThreads: threads?.intraOpThreads ?? 1,
          spinning: threads?.spinning ?? false,
        };
        await Promise.all(Array.from({ length: more }, () => loadInto(lane(), fixed, this.loadTimeoutMs)));
      }
      if (this.closed) throw new Error('inference engine closed while loading');
      info.parallelFrames = candidates.length;
      const old = this.lanes;
      this.lanes = candidates;
      this.activeSpec = spec;
      this.emit('swapped', info);
      // Frames already sent to the old workers finish there; release waits behind them.
      for (const w of old) void w.retire();
      return info;
    } catch (e) {
      await Promise.all(candidates.map((w) => w.retire()));
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
    if (this.closed || !this.lanes.includes(worker) || !this.activeSpec) return;
    const lanes = this.lanes;
    // One reload replaces every lane; a second lane dying meanwhile is part of the same loss.
    if (this.restartTimer) return;
    const spec = this.activeSpec;
    const delayMs = this.restartBackoff.next();
    this.emit('workerLost', err);
    this.emit('status', `${err.message}; reloading ${lanes[0]?.info?.name ?? 'the model'} in ${delayMs} ms`);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.closed || this.lanes !== lanes) return;
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
    const worker = this.leastBusyLane();
    const info = this.active?.info;
    if (!worker || !info) throw new Error('no model loaded');
    const msg = await worker.request(
      { type: 'infer', rgb: img.rgb, widthPx: img.widthPx, heightPx: img.heightPx, params },
      this.inferTimeoutMs,
      [],
      true,
    );
    if (msg.type !== 'result') throw new Error(`unexpected answer '${msg.type}' to infer`);
    return { ...msg.output, model: info };
  }

  /** The live lane with the fewest frames in it (the first on a tie); a dead one only if all are. */
  private leastBusyLane(): ModelWorker | null {
    let best: ModelWorker | null = null;
    for (const w of this.lanes) {
      if (w.isDead) continue;
      if (!best || w.inFlight < best.inFlight) best = w;
    }
    // All dead: the first answers with the reason.
    return best ?? this.active;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const lanes = this.lanes;
    this.lanes = [];
    await Promise.all(lanes.map((w) => w.retire()));
  }
}

/** Loads `spec` into `worker` and keeps what the worker says of the model on it. */
async function loadInto(worker: ModelWorker, spec: ModelSpec, timeoutMs: number): Promise<ModelWorker> {
  const msg = await worker.request({ type: 'load', spec }, timeoutMs);
  if (msg.type !== 'loaded') throw new Error(`unexpected answer '${msg.type}' to load`);
  worker.info = msg.info;
  worker.frameFormat = msg.frameFormat;
  return worker;
}

/**
 * Lanes for a loaded model: `max` for an ONNX model that runs on the CPU, otherwise one (a GPU
 * session is fed by one thread; the classic detector keeps a background model of every frame).
 */
function lanesFor(spec: ModelSpec, info: ModelInfo, max: number): number {
  return spec.kind === 'onnx' && info.provider === 'cpu' ? max : 1;
}
