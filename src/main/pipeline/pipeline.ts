/**
 * source → newest-frame slot → inference worker → sinks, with per-stage timings and
 * capture-to-result latency in rolling windows. As many frames are in inference at a time as the
 * engine has lanes (one, or one per share of the cores); frames that arrive while every lane is
 * busy replace each other in the slot and are counted as dropped. Results leave in frame order.
 */
import { EventEmitter } from 'node:events';
import type { Detection } from '../../shared/detection';
import type { FrameResult } from '../../shared/frame';
import { RollingWindow, type Percentiles } from '../core/rolling-stats';
import { scaleDetections } from '../core/scale-detections';
import { unletterboxDetections } from '../core/model-frame';
import type { DecodeParams } from '../core/decoders/types';
import { decodeConfThreshold, judgeDetections, type ClassLimits } from '../core/class-limits';
import type { Homography3x3 } from '../core/calibration';
import { FrameSlot } from '../capture/frame-slot';
import type { Frame, FrameSource } from '../capture/types';
import type { InferenceEngine, InferResult } from '../inference/engine';
import type { ResultSink } from '../core/sink';

export const STAGES = ['captureWaitMs', 'preMs', 'inferMs', 'postMs', 'sinkMs'] as const;
export type Stage = (typeof STAGES)[number];

export interface PipelineStats {
  /** Frames processed since start. */
  frames: number;
  /** Results per second over the stats window. */
  fps: number;
  /** Frames captured but replaced in the slot before inference took them. */
  dropped: number;
  /** Capture → result (after sinks were offered it). */
  latencyMs: Percentiles;
  stages: Record<Stage, Percentiles>;
  /** Inference failures since start (the frame is skipped, the pipeline goes on). */
  errors: number;
}

export interface PipelineOptions {
  source: FrameSource;
  engine: InferenceEngine;
  sinks?: ResultSink[];
  params: DecodeParams;
  /** Stop after this many processed frames (CLI `--frames`). */
  maxFrames?: number;
  /** Length of the rolling stats window. */
  statsWindowMs?: number;
  /** Per-class limits applied after decoding (see core/class-limits); null or absent: none. */
  classLimits?: ClassLimits | null;
  /** Pixel → mm calibration, for class limits with areas in mm². */
  calibration?: Homography3x3 | null;
  /** Runs on each result before the sinks see it (tracking, zones, counting lines). */
  postprocess?: ResultStage;
  /**
   * Added to the source's frame ids, so ids keep increasing for the life of the process when a
   * source is replaced (the PLC layout promises an increasing frameId).
   */
  frameIdBase?: number;
  /**
   * Decode down to this score too, and hand what scores below the threshold to `result`
   * listeners as doubtful candidates (the recorder's "doubtful" events); never to the sinks.
   * Null or absent: none.
   */
  candidateFloor?: number | null;
  /** Frames that may wait for a lane (see FrameSlot); absent: 1, the newest only. */
  slotDepth?: number;
}

/** A synchronous step between inference and the sinks, called once per frame in order. */
export interface ResultStage {
  process(result: FrameResult): FrameResult;
}

const now = (): number => performance.now();

/**
 * `result` listeners also get the frame the result belongs to. It is valid during the synchronous
 * call; a listener that needs the pixels later (preview encoding) calls `frame.retain()` and
 * `frame.release()` when done.
 */
export class Pipeline extends EventEmitter<{
  /** The result, its frame, and the candidates below the threshold (see `candidateFloor`). */
  result: [FrameResult, Frame, Detection[]];
  /** A frame left the slot for inference (frame id, `Date.now()`); for tracing which frame was taken when. */
  taken: [number, number];
  error: [Error];
  done: [PipelineStats];
}> {
  private readonly slot: FrameSlot;
  private readonly abort = new AbortController();
  private readonly stageWindows: Record<Stage, RollingWindow>;
  private readonly latency: RollingWindow;
  private readonly results: RollingWindow;
  private params: DecodeParams;
  private limits: ClassLimits | null;
  private candidateFloor: number | null;
  private calibration: Homography3x3 | null;
  private frames = 0;
  private errors = 0;
  private loop: Promise<void> | null = null;
  /**
   * The slot's drop count once `maxFrames` frames are taken and a lane is free: frames the source
   * decodes while the last ones finish are not wanted, not dropped. Null while frames are wanted.
   */
  private droppedAtLastTake: number | null = null;
  private readonly onFrame = (frame: Frame): void => this.slot.put(frame);

  constructor(private readonly opts: PipelineOptions) {
    super();
    this.slot = new FrameSlot(opts.slotDepth ?? 1);
    const windowMs = opts.statsWindowMs ?? 10_000;
    this.stageWindows = Object.fromEntries(STAGES.map((s) => [s, new RollingWindow(windowMs)])) as Record<
      Stage,
      RollingWindow
    >;
    this.latency = new RollingWindow(windowMs);
    this.results = new RollingWindow(windowMs);
    this.params = opts.params;
    this.limits = opts.classLimits ?? null;
    this.candidateFloor = opts.candidateFloor ?? null;
    this.calibration = opts.calibration ?? null;
  }

  /** Takes effect on the next frame. */
  setCandidateFloor(floor: number | null): void {
    this.candidateFloor = floor;
  }

  /** Pixel → mm calibration for mm² class limits; takes effect on the next frame. */
  setCalibration(h: Homography3x3 | null): void {
    this.calibration = h;
  }

  /** Per-class limits; take effect on the next frame. */
  setClassLimits(limits: ClassLimits | null): void {
    this.limits = limits;
  }

  get classLimits(): ClassLimits | null {
    return this.limits;
  }

  /** Takes effect on the next frame. */
  setParams(params: Partial<DecodeParams>): void {
    this.params = { ...this.params, ...params };
  }

  get decodeParams(): DecodeParams {
    return this.params;
  }

  /** `sourceStarted`: the source already runs (a switch that waited for its first frame). */
  async start(opts: { sourceStarted?: boolean } = {}): Promise<void> {
    if (this.loop) throw new Error('pipeline already started');
    this.opts.source.on('frame', this.onFrame);
    this.loop = this.run();
    if (!opts.sourceStarted) await this.opts.source.start();
  }

  /** Resolves when the loop ended (stop(), maxFrames, or the source ended). */
  async done(): Promise<void> {
    await this.loop;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.opts.source.off('frame', this.onFrame);
    await this.opts.source.stop();
    await this.loop?.catch(() => {});
    this.slot.close();
  }

  stats(): PipelineStats {
    const t = Date.now();
    return {
      frames: this.frames,
      fps: this.results.ratePerSec(t),
      dropped: this.droppedAtLastTake ?? this.slot.stats.dropped,
      latencyMs: this.latency.percentiles(t),
      stages: Object.fromEntries(STAGES.map((s) => [s, this.stageWindows[s].percentiles(t)])) as Record<
        Stage,
        Percentiles
      >,
      errors: this.errors,
    };
  }

  /**
   * Takes frames while the engine has a free lane and hands results on in the order the frames
   * were taken, each as soon as it and every earlier one are done: a frame never waits for a later
   * one, and a finished one never waits for the next frame to arrive.
   */
  private async run(): Promise<void> {
    const signal = this.abort.signal;
    const onState = (c: { state: string; reason: string }): void => {
      // A source that ended for good will not fill the slot again; a frame still waiting in it is
      // processed first (the last frame of a file is not lost), then take() ends the loop.
      if (c.state === 'stopped' || c.state === 'error') this.slot.end(c.reason);
    };
    this.opts.source.on('state', onState);
    const inFlight: InFlight[] = [];
    let taking: Promise<InFlight | null> | null = null;
    let ended = false;
    const max = this.opts.maxFrames;
    try {
      for (;;) {
        // Failed frames do not count towards maxFrames: another one is taken in their place.
        const wanted = max === undefined || this.frames + inFlight.length < max;
        // A lane that finished a later frame than the head takes the next one at once; at most
        // one lane's worth of finished frames waits for the head.
        const lanes = this.opts.engine.parallelFrames;
        const busy = inFlight.filter((j) => !j.settled).length;
        // From when a lane is free but no frame is wanted, what the slot replaces is not dropped.
        if (wanted) this.droppedAtLastTake = null;
        else if (busy < lanes) this.droppedAtLastTake ??= this.slot.stats.dropped;
        const room = !ended && !signal.aborted && wanted && busy < lanes && inFlight.length < 2 * lanes;
        if (room && !taking) taking = this.takeAndStart(signal);
        const head = inFlight[0];
        if (!taking && !head) break;
        // Woken by the next frame, the head's result, or (to fill a freed lane) any other result.
        const later = room ? [] : inFlight.slice(1).filter((j) => !j.settled);
        const next = await Promise.race([
          ...(taking ? [taking.then((f) => ({ took: f }))] : []),
          ...(head ? [head.done.then(() => ({ took: undefined, head: true }))] : []),
          ...later.map((j) => j.done.then(() => ({ took: undefined, head: false }))),
        ]);
        if (next.took !== undefined) {
          taking = null;
          if (next.took) inFlight.push(next.took);
          else ended = true; // aborted or the slot was closed
          continue;
        }
        if (!('head' in next) || !next.head) continue;
        inFlight.shift();
        this.finish(head!);
      }
    } finally {
      this.opts.source.off('state', onState);
      this.emit('done', this.stats());
    }
  }

  /** The next frame, sent to inference; null when the slot was closed or the pipeline stopped. */
  private async takeAndStart(signal: AbortSignal): Promise<InFlight | null> {
    const t0 = now();
    let frame: Frame;
    try {
      frame = await this.slot.take(signal);
    } catch {
      return null;
    }
    const t1 = now();
    this.emit('taken', frame.frameId, Date.now());
    const limits = this.limits;
    const params = this.params;
    // A class may ask for a lower threshold than the global one: decode down to it.
    const keepConf = limits ? decodeConfThreshold(limits, params.confThreshold) : params.confThreshold;
    const floor = this.candidateFloor;
    const decodeConf = floor !== null && floor < keepConf ? floor : keepConf;
    const job: InFlight = {
      frame,
      t0,
      t1,
      limits,
      params,
      keepConf,
      decodeConf,
      out: null,
      error: null,
      settled: false,
      done: null!,
    };
    job.done = this.opts.engine
      .infer(
        { rgb: frame.rgb, widthPx: frame.widthPx, heightPx: frame.heightPx },
        { ...params, confThreshold: decodeConf },
      )
      .then(
        (out) => {
          job.out = out;
          job.settled = true;
        },
        (e: unknown) => {
          job.error = e as Error;
          job.settled = true;
        },
      );
    return job;
  }

  /** A frame's result to the postprocess stage, the sinks and listeners; its frame released. */
  private finish(job: InFlight): void {
    const { frame, out, limits, params, keepConf, decodeConf } = job;
    if (!out) {
      frame.release();
      this.errors++;
      this.emit('error', job.error ?? new Error('inference gave no result'));
      return;
    }
    // Frames scaled down (or made model-sized) by the decoder report positions in camera pixels all the same.
    const src = frame.sourceSize;
    const all = frame.letterbox
      ? unletterboxDetections(out.detections, frame.letterbox)
      : src
        ? scaleDetections(out.detections, src.widthPx / frame.widthPx, src.heightPx / frame.heightPx)
        : out.detections;
    // Greedy NMS keeps a box only against higher-scoring ones, so what scores at or above the
    // threshold is exactly what decoding at the threshold gives: the sinks see no difference.
    const scaled = decodeConf < keepConf ? all.filter((d) => d.score >= keepConf) : all;
    const candidates = decodeConf < keepConf ? all.filter((d) => d.score < keepConf) : [];
    const judged = limits
      ? judgeDetections(scaled, limits, {
          globalConfThreshold: params.confThreshold,
          homographyPxToMm: this.calibration,
        })
      : null;
    const detections = judged ? judged.kept : scaled;
    const inferred: FrameResult = {
      frameId: (this.opts.frameIdBase ?? 0) + frame.frameId,
      captureTimeMs: frame.captureTimeMs,
      resultTimeMs: Date.now(),
      widthPx: src?.widthPx ?? frame.widthPx,
      heightPx: src?.heightPx ?? frame.heightPx,
      detections,
      ...(judged ? { filtered: judged.filtered } : {}),
      modelName: out.model.name,
      provider: out.model.provider,
      timings: out.timings,
      ...(out.segmentation ? { segmentation: out.segmentation } : {}),
      ...(out.learning ? { learning: true } : {}),
    };
    const t2 = now();
    let result: FrameResult;
    try {
      result = this.opts.postprocess ? this.opts.postprocess.process(inferred) : inferred;
      for (const sink of this.opts.sinks ?? []) sink.offer(result);
      this.emit('result', result, frame, candidates);
    } finally {
      frame.release();
    }
    const t3 = now();
    const wall = Date.now();
    this.frames++;
    this.results.add(wall, 1);
    this.latency.add(wall, wall - frame.captureTimeMs);
    this.stageWindows.captureWaitMs.add(wall, job.t1 - job.t0);
    this.stageWindows.preMs.add(wall, out.timings.preMs);
    this.stageWindows.inferMs.add(wall, out.timings.inferMs);
    this.stageWindows.postMs.add(wall, out.timings.postMs);
    this.stageWindows.sinkMs.add(wall, t3 - t2);
  }
}

/** A frame taken from the slot and sent to inference, until its result is handed on. */
interface InFlight {
  frame: Frame;
  /** When the take started and when the frame came (captureWaitMs). */
  t0: number;
  t1: number;
  /** What the frame was decoded with, as they were when it was taken. */
  limits: ClassLimits | null;
  params: DecodeParams;
  keepConf: number;
  decodeConf: number;
  out: InferResult | null;
  error: Error | null;
  settled: boolean;
  /** Settles (never rejects) when `out` or `error` is set. */
  done: Promise<void>;
}
