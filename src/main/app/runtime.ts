/**
 * The composition root: the one place where source, inference engine, pipeline and outputs are
 * built and wired, for every entry point. The command line (`run`, `bench`, `soak`) uses it through
 * `createRuntime`; the operator app (Electron and `serve`) through `Station`, which keeps a
 * `VisionRuntime` and replaces its source, model or outputs while it runs. Model specs, the
 * frame-size policy, recipe switching by the PLC and the camera/model health bits sent to the PLC
 * exist here and nowhere else.
 */
import { EventEmitter } from 'node:events';
import { availableParallelism } from 'node:os';
import type { Detection, ExecutionProvider, ModelInfo } from '../../shared/detection';
import type { FrameResult } from '../../shared/frame';
import { DEFAULT_PREVIEW_MAX_FPS } from '../../shared/schema';
import { createSource } from '../capture/create-source';
import { parseSourceUri, type SourceSpec } from '../capture/source-uri';
import type { Frame, FramePicture, FrameSource, SourceOptions, SourceStateChange } from '../capture/types';
import type { Homography3x3 } from '../core/calibration';
import type { DecodeParams } from '../core/decoders/types';
import type { ModelFrameFormat } from '../core/model-frame';
import type { ResultSink } from '../core/sink';
import { InferenceEngine } from '../inference/engine';
import { modelSpecFor } from '../inference/model';
import { workerScriptPath } from '../inference/worker-path';
import type { ClassicDetectorOptionsInput } from '../core/classic';
import { Pipeline, type ResultStage } from '../pipeline/pipeline';
import { createOutputSinks, type OutputOptions, type OutputSinks } from './outputs';
import { detectionsForPlc, type ClassLimits } from '../core/class-limits';
import type { RecipeStore } from '../storage/recipes';
import { recipeRequestHandler } from './recipe-switch';
import type { OpcUaEndpointOptions } from '../integration/opcua/opcua-endpoint';
import type { Recorder } from '../recording/recorder';
import type { RecordSettings } from './attach-recorder';

export { modelSpecFor };

export interface Health {
  cameraOk: boolean;
  modelOk: boolean;
}

export interface RecipeOutcome {
  slot: number;
  model: string;
  info: ModelInfo | null;
  error: string | null;
}

export interface VisionRuntimeOptions {
  /** Built worker script; defaults to the one beside the built main bundle. */
  workerPath?: string;
  /** One line of progress or trouble for the user. */
  log: (line: string) => void;
  provider?: ExecutionProvider;
  intraOpThreads?: number;
  params: DecodeParams;
  /** PLC recipe slot → model (path or `classic`), for `recipeRequest` from the PLC. */
  recipes?: Readonly<Record<number, string>>;
  statsWindowMs?: number;
  /** Deadline of one inference; a worker that misses it is replaced (see InferenceEngine). */
  inferDeadlineMs?: number;
  /**
   * Longest side of the frames kept for a preview (the app). Null (the command line): frames are
   * shrunk to fit the model input, since nothing else looks at them.
   */
  previewMaxSidePx?: number | null;
  /** Live-view pictures a second the decoder must make at least (see `previewEveryFor`); default 10. */
  previewFps?: number;
  /**
   * The live view yields to inference (the station's LiveViewGovernor), so a file read at fps=max
   * needs the fewest previews; default true. False: it keeps `previewFps` (setPreviewYields).
   */
  previewYields?: boolean;
  /** Fixes intra-op spinning of ONNX models (otherwise measured at load with the thread count). */
  intraOpSpinning?: boolean;
  /**
   * Frames in inference at once for ONNX models on the CPU (see InferenceEngine); absent: one per
   * core, at most two (`defaultParallelFrames`). Ignored with a shared `engine`.
   */
  parallelFrames?: number;
  /** Settings of the classic detector when the model is `classic`. */
  classic?: ClassicDetectorOptionsInput;
  /** Tracking, zones and counting lines between inference and the sinks; PLC counter resets reach it. */
  postprocess?: PostprocessStage;
  /** Per-class limits after decoding; the PLC and serial port get only classes with sendToPlc. */
  classLimits?: ClassLimits | null;
  /** Pixel → mm calibration, for class limits with areas in mm². */
  calibration?: Homography3x3 | null;
  /**
   * Whole recipes (model, thresholds, class limits) for the PLC's recipeRequest, instead of the
   * slot → model map `recipes`.
   */
  recipeStore?: Pick<RecipeStore, 'bySlot'>;
  /**
   * Candidates scoring from this floor up to the threshold go with `result` events (the recorder's
   * doubtful events), never to the PLC or serial outputs; null: none.
   */
  candidateFloor?: number | null;
  /**
   * An engine shared with other cameras (see multi-camera.ts), already loaded; the runtime does
   * not close it. Absent: the runtime has an engine of its own.
   */
  engine?: InferenceEngine;
  /** Wraps every source this runtime builds (the fair share of a shared engine). */
  wrapSource?: (source: FrameSource) => FrameSource;
  /** Handles the PLC's recipeRequest itself (the app's commissioning part), instead of the above. */
  onRecipeRequest?: (slot: number) => void;
}

export type PostprocessStage = ResultStage & { resetCounts?(): void };

/** Everything outputs need except what the runtime supplies itself. */
export type OutputSettings = Omit<OutputOptions, 'log' | 'engine'>;

export interface RuntimeEvents {
  /**
   * A processed frame; the frame is valid during the call (retain() to keep it). The third
   * argument: candidates below the threshold (see `candidateFloor`), for the recorder only.
   */
  result: [FrameResult, Frame, Detection[]];
  /** A state change of the current source. */
  sourceState: [SourceStateChange];
  pipelineError: [Error];
  /** Progress of a model load (e.g. "building TensorRT engine"). */
  modelStatus: [string];
  /** The serving inference worker died or hung and is being replaced. */
  workerLost: [Error];
  recipe: [RecipeOutcome];
  /** The outputs were replaced (null: switched off). */
  outputs: [OutputSinks | null];
  /** PLC layout v2: the PLC zeroed the counting-line counters. */
  countersReset: [];
  /**
   * The preview picture of a frame whose `result` came (or will come) without one (see
   * `previewEveryFor`): the frame id as in results, and the picture, valid during the call.
   */
  preview: [number, FramePicture];
}

/**
 * How a source is read for a model. Frames live in shared memory, so the inference worker reads
 * them in place. Where ffmpeg decodes and the model says how it takes a picture (`frameFormat`),
 * ffmpeg makes the model-sized frame itself (scaled and padded as the model's preprocessing does)
 * and, with a preview, a separate preview-sized picture of the same frame: nothing resizes full
 * frames in Node. Otherwise the decoder shrinks frames to fit the model input, or the preview size
 * with one, so a 4K camera never reaches Node at full size. Positions still come out in camera
 * pixels. A file read at fps=max waits for the pipeline instead of dropping frames: "as fast as
 * possible" means every frame, as fast as inference goes.
 */
export function sourceOptionsFor(
  spec: SourceSpec,
  model: ModelInfo | null,
  previewMaxSidePx: number | null = null,
  frameFormat: ModelFrameFormat | null = null,
  parallelFrames = 1,
  previewEvery = 1,
): SourceOptions {
  const options: SourceOptions = { sharedMemory: true };
  const w = model?.inputWidth ?? 0;
  const h = model?.inputHeight ?? 0;
  if (previewMaxSidePx !== null)
    options.fitInside = { widthPx: Math.max(w, previewMaxSidePx), heightPx: Math.max(h, previewMaxSidePx) };
  else if (w > 0 && h > 0) options.fitInside = { widthPx: w, heightPx: h };
  const byFfmpeg = spec.kind !== 'images' && spec.kind !== 'synthetic';
  if (frameFormat && byFfmpeg) {
    options.modelFrame = frameFormat;
    if (previewMaxSidePx !== null) {
      options.previewFitInside = { widthPx: previewMaxSidePx, heightPx: previewMaxSidePx };
      if (previewEvery > 1) options.previewEvery = previewEvery;
    }
  }
  if (spec.kind === 'file' && spec.fps === 'max') {
    options.whenBuffersBusy = 'wait';
    // One buffer per frame in inference and one per frame waiting in the slot (as deep as the
    // lanes, see slotDepthFor): one more would only be decoded to replace a waiting one (a drop),
    // so the decoder would decode several frames per frame processed. Nothing else may hold a
    // buffer past the result (the preview encoder copies its picture).
    options.ringSize = 2 * parallelFrames;
  } else if (previewMaxSidePx !== null) {
    options.ringSize = parallelFrames + 3;
  } else if (parallelFrames > 1) {
    // As the default ring of three: one per frame in inference, one waiting, one filling.
    options.ringSize = parallelFrames + 2;
  }
  return options;
}

/**
 * Frames in inference at once when nobody says: two where there are two cores or more. Two
 * single-threaded sessions beat one session on both cores for throughput (measured: yolo11n-320
 * 82 against 55 fps on two cores); more lanes than two only add memory and latency on machines
 * where one session already uses several cores well, so each lane gets half the cores.
 */
export function defaultParallelFrames(cores: number = availableParallelism()): number {
  return cores >= 2 ? 2 : 1;
}

/** A stream that says nothing of its rate (network cameras, a file at its own pace) is taken as this. */
const ASSUMED_CAMERA_FPS = 25;
/**
 * A file read at fps=max goes at the pipeline's pace: 15–110 fps for the bundled models on a
 * 2-core PC. For a live view that keeps its rate, every 4th frame gives it 4–27 pictures a second.
 */
const PREVIEW_EVERY_AT_MAX_FPS = 4;
/**
 * The most frames between two previews. ffmpeg hands a thinned-out picture over only once it has
 * made the next one, n − 1 frames after its own frame, and the station keeps the results of the
 * last `MAX_PREVIEW_EVERY + 8` frames to pair each picture with its result (PreviewPairing). A
 * slow live view (1 a second) of a fast stream still gets its pictures; it makes a few more.
 */
export const MAX_PREVIEW_EVERY = 24;

/**
 * The decoder makes the preview of every n-th frame: as many as still give the live view
 * `picturesPerS` at the camera's rate. 1 (every frame, with the frame itself) while something
 * keeps every frame's picture: the live recording. A file read at fps=max goes at inference's
 * pace, so inference never has time to spare: where the live view yields to it (`yields`), down
 * to one picture a second (the station's LiveViewGovernor), the decoder makes the fewest pictures
 * it may, as each one it converts and pipes for nothing costs the lanes CPU.
 */
export function previewEveryFor(
  spec: SourceSpec,
  everyFrame: boolean,
  picturesPerS = DEFAULT_PREVIEW_MAX_FPS,
  yields = true,
): number {
  // No cap on the live view (0): it may show every frame.
  if (everyFrame || !(picturesPerS > 0)) return 1;
  const fps = 'fps' in spec ? spec.fps : undefined;
  const every =
    fps === 'max'
      ? yields
        ? MAX_PREVIEW_EVERY
        : Math.round((PREVIEW_EVERY_AT_MAX_FPS * DEFAULT_PREVIEW_MAX_FPS) / picturesPerS)
      : Math.floor((typeof fps === 'number' ? fps : ASSUMED_CAMERA_FPS) / picturesPerS);
  return Math.min(MAX_PREVIEW_EVERY, Math.max(1, every));
}

/** Frames that may wait for inference: one per lane for a file read at fps=max, else the newest. */
export function slotDepthFor(spec: SourceSpec, parallelFrames: number): number {
  return spec.kind === 'file' && spec.fps === 'max' ? parallelFrames : 1;
}

export class SourceSwitchError extends Error {
  override name = 'SourceSwitchError';
}

/**
 * Resolves at the source's first frame (the source is started here); rejects with the reason when
 * it fails, starts reconnecting before a frame, or stays silent past the deadline.
 */
export function whenFirstFrame(source: FrameSource, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => done(new Error(`no frame from ${source.description} within ${Math.round(timeoutMs / 1000)} s`)),
      timeoutMs,
    );
    const onFrame = (): void => done();
    const onState = (c: SourceStateChange): void => {
      if (c.state === 'error' || c.state === 'reconnecting' || c.state === 'stopped')
        done(new Error(`${source.description}: ${c.reason}`));
    };
    const done = (err?: Error): void => {
      clearTimeout(timer);
      source.off('frame', onFrame);
      source.off('state', onState);
      if (err) reject(err);
      else resolve();
    };
    source.on('frame', onFrame);
    source.on('state', onState);
    source.start().catch((e: unknown) => done(e as Error));
  });
}

export class VisionRuntime extends EventEmitter<RuntimeEvents> {
  readonly engine: InferenceEngine;
  private currentSource: FrameSource | null = null;
  private currentPipeline: Pipeline | null = null;
  private currentOutputs: OutputSinks | null = null;
  private readonly extraSinks: ResultSink[] = [];
  private health: Health = { cameraOk: false, modelOk: false };
  private params: DecodeParams;
  private candidateFloor: number | null;
  private classLimits: ClassLimits | null;
  private calibration: Homography3x3 | null;
  private recipes: Readonly<Record<number, string>>;
  private readonly recipeHandler: { onRequest(slot: number): void; idle(): Promise<void> } | null;
  private outputsChain: Promise<unknown> = Promise.resolve();
  /** Highest frame id handed out so far: the next source's ids start above it. */
  private lastFrameId = 0;
  /** URI, model-frame format and preview spacing each source was made with (see `refitSource`). */
  private readonly madeFor = new WeakMap<
    FrameSource,
    { uri: string; format: ModelFrameFormat | null; lanes: number; previewEvery: number }
  >();
  /** Every frame's preview is wanted (a live recording keeps them all). */
  private previewOfEveryFrame = false;
  private previewYields: boolean;
  private closed = false;

  constructor(private readonly opts: VisionRuntimeOptions) {
    super();
    this.params = opts.params;
    this.previewYields = opts.previewYields ?? true;
    this.candidateFloor = opts.candidateFloor ?? null;
    this.classLimits = opts.classLimits ?? null;
    this.calibration = opts.calibration ?? null;
    this.recipes = opts.recipes ?? {};
    // Requests are handled one at a time; while one loads only the newest waits (the PLC's latest
    // wish wins, nothing queues).
    this.recipeHandler = opts.recipeStore
      ? recipeRequestHandler(this, opts.recipeStore, { log: opts.log })
      : null;
    this.engine =
      opts.engine ??
      new InferenceEngine({
        workerPath: opts.workerPath ?? workerScriptPath(),
        inferTimeoutMs: opts.inferDeadlineMs,
        parallelFrames: opts.parallelFrames ?? defaultParallelFrames(),
      });
    // A shared engine was loaded before this runtime listened for 'swapped'.
    if (this.engine.model) this.health.modelOk = true;
    this.engine.on('status', (m) => this.emit('modelStatus', m));
    this.engine.on('workerLost', (e) => {
      this.setHealth({ modelOk: false });
      this.emit('workerLost', e);
    });
    this.engine.on('swapped', () => {
      this.setHealth({ modelOk: true });
      void this.refitSource();
    });
  }

  /**
   * In the app (with a preview) a model that takes another picture than the source makes (input
   * size, padding; or the first model, loaded after the source started) gets frames made for it,
   * and so does a change in which frames get a preview picture (`setPreviewOfEveryFrame`): the
   * source is restarted beside the running one and replaces it at its first frame. The command
   * line keeps its source (its pipeline handle must stay valid); the worker then resizes.
   * Resolves once the new source serves (or could not start: logged, the old one goes on).
   */
  private refitSource(why = 'frames for the new model'): Promise<void> {
    const source = this.currentSource;
    const made = source ? this.madeFor.get(source) : undefined;
    if (this.opts.previewMaxSidePx == null || !source || !made || this.closed) return Promise.resolve();
    const spec = parseSourceUri(made.uri);
    const want = this.madeOptionsFor(spec);
    if (
      JSON.stringify(want.modelFrame ?? null) === JSON.stringify(made.format) &&
      (want.previewEvery ?? 1) === made.previewEvery
    )
      return Promise.resolve();
    const next = this.createSourceFor(made.uri);
    return whenFirstFrame(next, 15_000)
      .then(async () => {
        // Someone chose another source meanwhile: theirs wins.
        if (this.currentSource !== source || this.closed) return next.stop();
        if ((this.madeOptionsFor(spec).previewEvery ?? 1) !== this.madeFor.get(next)?.previewEvery) {
          // Changed back while it started: the running source may be right again.
          await next.stop();
          return this.refitSource(why);
        }
        await this.stopSource();
        await this.adopt(next).pipeline.start({ sourceStarted: true });
      })
      .catch(async (e: unknown) => {
        await next.stop().catch(() => {});
        this.opts.log(`${source.description}: ${why}: ${(e as Error).message}`);
      });
  }

  /**
   * Every frame's preview picture, travelling with its frame (on: what a live recording keeps),
   * or only the previews the live view needs (off, the default). The running source is refitted
   * beside itself; resolves once frames come the new way (or the refit failed, logged).
   */
  setPreviewOfEveryFrame(on: boolean): Promise<void> {
    if (this.previewOfEveryFrame === on) return Promise.resolve();
    this.previewOfEveryFrame = on;
    return this.refitSource(on ? 'a preview with every frame' : 'previews for the live view only');
  }

  /**
   * Whether the live view yields to inference (fewer previews from a file read at fps=max) or
   * keeps its rate; the running source is refitted beside itself where that changes its previews.
   */
  setPreviewYields(on: boolean): Promise<void> {
    if (this.previewYields === on) return Promise.resolve();
    this.previewYields = on;
    return this.refitSource(on ? 'previews for a live view that yields' : 'previews at the live view rate');
  }

  get source(): FrameSource | null {
    return this.currentSource;
  }

  /** The source waits for inference (a file read at fps=max): inference never has time to spare. */
  get pacedByInference(): boolean {
    const made = this.currentSource ? this.madeFor.get(this.currentSource) : undefined;
    if (!made) return false;
    const spec = parseSourceUri(made.uri);
    return spec.kind === 'file' && spec.fps === 'max';
  }

  get pipeline(): Pipeline | null {
    return this.currentPipeline;
  }

  get outputs(): OutputSinks | null {
    return this.currentOutputs;
  }

  get decodeParams(): DecodeParams {
    return this.params;
  }

  /** Loads a model (`classic` or an .onnx path) through the hot swap: the old one serves meanwhile. */
  async loadModel(model: string): Promise<ModelInfo> {
    const spec = modelSpecFor(model, this.opts.provider, this.opts.intraOpThreads, this.opts.classic);
    const spinning = this.opts.intraOpSpinning;
    return this.engine.load(spec.kind === 'onnx' && spinning !== undefined ? { ...spec, spinning } : spec);
  }

  /** Takes effect on the next frame. */
  setParams(params: Partial<DecodeParams>): void {
    this.params = { ...this.params, ...params };
    this.currentPipeline?.setParams(this.params);
  }

  /** Lowest score of the doubtful candidates given with `result` (null: none); next frame on. */
  setCandidateFloor(floor: number | null): void {
    this.candidateFloor = floor;
    this.currentPipeline?.setCandidateFloor(floor);
  }

  /** Resolves when no recipe request from the PLC is being handled or waiting. */
  async recipesIdle(): Promise<void> {
    await this.recipeHandler?.idle();
  }

  /** Per-class limits; take effect on the next frame. */
  setClassLimits(limits: ClassLimits | null): void {
    this.classLimits = limits;
    this.currentPipeline?.setClassLimits(limits);
  }

  /** Pixel → mm calibration for mm² class limits (the outputs take theirs in setOutputs). */
  setCalibration(h: Homography3x3 | null): void {
    this.calibration = h;
    this.currentPipeline?.setCalibration(h);
  }

  setRecipes(recipes: Readonly<Record<number, string>>): void {
    this.recipes = recipes;
  }

  /** A sink beside the outputs (recorder, MQTT, ...), kept across source and output changes. */
  addSink(sink: ResultSink): void {
    this.extraSinks.push(sink);
  }

  /** Takes back a sink given to addSink (switched off live); the caller closes it. */
  removeSink(sink: ResultSink): void {
    const i = this.extraSinks.indexOf(sink);
    if (i >= 0) this.extraSinks.splice(i, 1);
  }

  private setHealth(h: Partial<Health>): void {
    this.health = { ...this.health, ...h };
    this.currentOutputs?.setHealth(this.health);
  }

  /**
   * Replaces the outputs (PLC, serial). The old ones are closed first, so a PLC simulator's port
   * and a serial port are free again; calls are serialised, so switching quickly back and forth
   * never runs two at once.
   */
  setOutputs(settings: OutputSettings | null): Promise<OutputSinks | null> {
    const next = this.outputsChain.then(async () => {
      const old = this.currentOutputs;
      this.currentOutputs = null;
      await old?.close();
      if (!settings || (!settings.plc && !settings.serial) || this.closed) {
        this.emit('outputs', null);
        return null;
      }
      const outputs = await createOutputSinks({ ...settings, log: this.opts.log, engine: this.engine });
      if (this.closed) {
        await outputs.close();
        return null;
      }
      this.currentOutputs = outputs;
      outputs.setHealth(this.health);
      outputs.on('recipeRequest', (slot) => {
        if (outputs !== this.currentOutputs) return;
        if (this.opts.onRecipeRequest) this.opts.onRecipeRequest(slot);
        else if (this.recipeHandler) this.recipeHandler.onRequest(slot);
        else void this.switchRecipe(slot);
      });
      outputs.on('countersReset', () => {
        if (outputs !== this.currentOutputs) return;
        this.opts.postprocess?.resetCounts?.();
        this.emit('countersReset');
      });
      this.emit('outputs', outputs);
      return outputs;
    });
    this.outputsChain = next.catch(() => {});
    return next;
  }

  /** The PLC asked for a recipe slot: load its model through the hot swap and report the slot. */
  async switchRecipe(slot: number): Promise<RecipeOutcome> {
    const model = this.recipes[slot];
    let outcome: RecipeOutcome;
    if (!model) {
      outcome = {
        slot,
        model: '',
        info: null,
        error: `the PLC asked for recipe slot ${slot}, but no model is configured for it`,
      };
    } else {
      try {
        const info = await this.loadModel(model);
        this.currentOutputs?.plc?.setRecipeActive(slot);
        outcome = { slot, model, info, error: null };
      } catch (e) {
        outcome = {
          slot,
          model,
          info: null,
          error: `recipe slot ${slot}: cannot load ${model}: ${(e as Error).message}`,
        };
      }
    }
    this.emit('recipe', outcome);
    return outcome;
  }

  /** The options a source for `spec` gets now (model, preview, lanes). */
  private madeOptionsFor(spec: SourceSpec): SourceOptions {
    return sourceOptionsFor(
      spec,
      this.engine.model,
      this.opts.previewMaxSidePx ?? null,
      this.engine.frameFormat,
      this.engine.plannedParallelFrames,
      previewEveryFor(spec, this.previewOfEveryFrame, this.opts.previewFps, this.previewYields),
    );
  }

  private createSourceFor(uri: string, extra: SourceOptions = {}): FrameSource {
    const spec = parseSourceUri(uri);
    const options = { ...this.madeOptionsFor(spec), ...extra };
    const source = createSource(spec, options);
    const wrapped = this.opts.wrapSource ? this.opts.wrapSource(source) : source;
    this.madeFor.set(wrapped, {
      uri,
      format: options.modelFrame ?? null,
      lanes: this.engine.plannedParallelFrames,
      previewEvery: options.previewEvery ?? 1,
    });
    return wrapped;
  }

  /**
   * Builds a source and its pipeline for `uri` (not started: call `pipeline.start()`), replacing
   * the current ones. Bad URIs throw before anything is stopped.
   */
  async replaceSource(
    uri: string,
    extra: { maxFrames?: number; sourceOptions?: SourceOptions } = {},
  ): Promise<{ source: FrameSource; pipeline: Pipeline }> {
    const source = this.createSourceFor(uri, extra.sourceOptions);
    await this.stopSource();
    return this.adopt(source, extra.maxFrames);
  }

  /**
   * Starts a source for `uri` beside the running one and replaces it (and starts its pipeline)
   * only once the new one has given a frame, like a model swap: a mistyped address or a camera
   * that does not answer leaves the running source as it was, and the error says why.
   */
  async switchSource(
    uri: string,
    firstFrameTimeoutMs = 15_000,
  ): Promise<{ source: FrameSource; pipeline: Pipeline }> {
    const source = this.createSourceFor(uri);
    try {
      await whenFirstFrame(source, firstFrameTimeoutMs);
    } catch (e) {
      await source.stop().catch(() => {});
      throw new SourceSwitchError(`${(e as Error).message}; the running source was kept`);
    }
    if (this.closed) {
      await source.stop();
      throw new SourceSwitchError('the station is closing');
    }
    await this.stopSource();
    const adopted = this.adopt(source);
    await adopted.pipeline.start({ sourceStarted: true });
    return adopted;
  }

  private adopt(source: FrameSource, maxFrames?: number): { source: FrameSource; pipeline: Pipeline } {
    const made = this.madeFor.get(source);
    const forward: ResultSink = {
      name: 'outputs',
      offer: (r: FrameResult) => {
        // The PLC and the serial port get only the classes marked sendToPlc.
        const limits = this.classLimits;
        const forPlc = limits ? { ...r, detections: detectionsForPlc(r.detections, limits) } : r;
        for (const s of this.currentOutputs?.sinks ?? []) s.offer(forPlc);
        for (const s of this.extraSinks) s.offer(r);
      },
      close: async () => {},
    };
    const frameIdBase = this.lastFrameId;
    const pipeline = new Pipeline({
      source,
      engine: this.engine,
      sinks: [forward],
      params: this.params,
      maxFrames,
      statsWindowMs: this.opts.statsWindowMs,
      postprocess: this.opts.postprocess,
      frameIdBase,
      classLimits: this.classLimits,
      calibration: this.calibration,
      candidateFloor: this.candidateFloor,
      // As the source's ring was sized (a later swap to a model with other lanes keeps both).
      slotDepth: made ? slotDepthFor(parseSourceUri(made.uri), made.lanes) : 1,
    });
    // A source adopted live (switchSource) said 'live' before anyone listened.
    if (source.state === 'live') this.setHealth({ cameraOk: true });
    source.on('state', (c: SourceStateChange) => {
      if (source !== this.currentSource) return;
      // A deliberate stop says nothing about the camera; results captured before it stay valid.
      if (c.state !== 'stopped') this.setHealth({ cameraOk: c.state === 'live' });
      this.emit('sourceState', c);
    });
    pipeline.on('result', (r, frame, candidates) => {
      this.lastFrameId = Math.max(this.lastFrameId, r.frameId);
      this.emit('result', r, frame, candidates);
    });
    pipeline.on('error', (e) => this.emit('pipelineError', e));
    // Frame ids as results carry them (the pipeline adds the same base).
    source.onPreview?.((p) => {
      if (source === this.currentSource) this.emit('preview', frameIdBase + p.frameId, p.picture);
    });
    this.currentSource = source;
    this.currentPipeline = pipeline;
    return { source, pipeline };
  }

  async stopSource(): Promise<void> {
    const p = this.currentPipeline;
    this.currentPipeline = null;
    this.currentSource = null;
    await p?.stop();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.stopSource();
    await this.outputsChain;
    await this.currentOutputs?.close();
    this.currentOutputs = null;
    await Promise.all(this.extraSinks.map((s) => s.close().catch(() => {})));
    if (!this.opts.engine) await this.engine.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The command line's view: one source, one model, outputs, run until done.
// ---------------------------------------------------------------------------------------------

export interface RuntimeOptions {
  /** Source URI (DESIGN.md "Source URIs"). */
  source: string;
  /** Path of an .onnx file, or `classic`. */
  model: string;
  provider?: ExecutionProvider;
  intraOpThreads?: number;
  /** Frames in inference at once (see VisionRuntimeOptions.parallelFrames). */
  parallelFrames?: number;
  /** `s7://HOST[:PORT]?rack=0&slot=1&db=N` or `sim`. */
  plc?: string;
  /** `PATH?baud=N&format=csv|json`. */
  serial?: string;
  maxFrames?: number;
  params: DecodeParams;
  statsWindowMs?: number;
  sourceOptions?: SourceOptions;
  /** Built worker script; defaults to the one beside the built main bundle. */
  workerPath?: string;
  /** One line of progress or trouble for the user. */
  log: (line: string) => void;
  /** Give up (and report) when the source fails before its first frame, instead of retrying. */
  failFast?: boolean;
  /** How long start() waits for the first frame when failFast is set. */
  firstFrameTimeoutMs?: number;
  /** PLC recipe slot → model (path or `classic`), for `recipeRequest` from the PLC. */
  recipes?: Readonly<Record<number, string>>;
  /** Extra PLC settings (handshake, maxObjects) over the URI's. */
  plcSettings?: OutputOptions['plcSettings'];
  /** Row-major 3x3 pixel → mm homography: positions go to the PLC and serial port in mm. */
  calibration?: Homography3x3;
  /** More result sinks (recorder, MQTT, ...). */
  sinks?: ResultSink[];
  /** Settings of the classic detector when the model is `classic`. */
  classic?: ClassicDetectorOptionsInput;
  /** Tracking, zones and counting lines between inference and the sinks. */
  postprocess?: PostprocessStage;
  /** Per-class limits after decoding; the PLC and serial port get only classes with sendToPlc. */
  classLimits?: ClassLimits | null;
  /** Whole recipes for the PLC's recipeRequest (run --recipes-dir), instead of `recipes`. */
  recipeStore?: Pick<RecipeStore, 'bySlot'>;
  /** `mqtt://HOST[:PORT]?prefix=...&station=...&camera=...&rate=N` (plant integration). */
  mqtt?: string;
  /** OPC UA server for SCADA / MES (plant integration). */
  opcua?: OpcUaEndpointOptions;
  /** `mqtt://HOST[:PORT]?group=G&node=N&device=D&rate=R`: Sparkplug B edge node (plant integration). */
  sparkplug?: string;
  /** Record pictures and results into this recording folder (`run --record DIR`). */
  record?: RecordSettings;
}

export interface Runtime {
  readonly source: FrameSource;
  readonly engine: InferenceEngine;
  readonly pipeline: Pipeline;
  readonly outputs: OutputSinks;
  readonly runtime: VisionRuntime;
  readonly recorder: Recorder | null;
  start(): Promise<void>;
  /** Why the run ended badly, or null. */
  failure(): string | null;
  close(): Promise<void>;
}

/** An empty output set, so the command line always has something to listen to. */
async function noOutputs(engine: InferenceEngine, log: (line: string) => void): Promise<OutputSinks> {
  return createOutputSinks({ log, engine });
}

export async function createRuntime(opts: RuntimeOptions): Promise<Runtime> {
  // Parse everything before starting anything, so bad input fails without side effects.
  parseSourceUri(opts.source);
  const rt = new VisionRuntime({
    workerPath: opts.workerPath,
    log: opts.log,
    provider: opts.provider,
    intraOpThreads: opts.intraOpThreads,
    parallelFrames: opts.parallelFrames,
    params: opts.params,
    recipes: opts.recipes,
    statsWindowMs: opts.statsWindowMs,
    previewMaxSidePx: null,
    classic: opts.classic,
    postprocess: opts.postprocess,
    classLimits: opts.classLimits,
    calibration: opts.calibration ?? null,
    recipeStore: opts.recipeStore,
  });
  rt.on('modelStatus', opts.log);
  for (const s of opts.sinks ?? []) rt.addSink(s);
  let source: FrameSource;
  let pipeline: Pipeline;
  let outputs: OutputSinks;
  let recorder: Recorder | null = null;
  try {
    await rt.loadModel(opts.model);
    ({ source, pipeline } = await rt.replaceSource(opts.source, {
      maxFrames: opts.maxFrames,
      // The recorder keeps the picture, not the padded model input.
      sourceOptions: opts.record ? { modelFrame: undefined, ...opts.sourceOptions } : opts.sourceOptions,
    }));
    outputs =
      (await rt.setOutputs({
        plc: opts.plc,
        plcSettings: opts.plcSettings,
        calibration: opts.calibration,
        serial: opts.serial,
        failFast: opts.failFast,
      })) ?? (await noOutputs(rt.engine, opts.log));
    const modelName = rt.engine.model?.name ?? opts.model;
    if (opts.record) {
      const { attachRecorder } = await import('./attach-recorder');
      recorder = await attachRecorder(opts.record, { runtime: rt, log: opts.log }).catch((e: unknown) => {
        throw new Error(`cannot record into ${opts.record!.dir}: ${(e as Error).message}`, { cause: e });
      });
    }
    if (opts.mqtt) {
      const { attachMqtt } = await import('./attach-mqtt');
      await attachMqtt(opts.mqtt, { runtime: rt, model: modelName, log: opts.log, failFast: opts.failFast });
    }
    if (opts.opcua) {
      const { attachOpcUa } = await import('./attach-opcua');
      await attachOpcUa(opts.opcua, {
        runtime: rt,
        model: modelName,
        recipeSlots: Object.keys(opts.recipes ?? {}).map(Number),
        log: opts.log,
      });
    }
    if (opts.sparkplug) {
      const { createSparkplugSink } = await import('../integration/mqtt/sparkplug-sink');
      rt.addSink(createSparkplugSink(opts.sparkplug, { log: opts.log, model: modelName }));
    }
  } catch (e) {
    await rt.close();
    await recorder?.close();
    throw e;
  }
  let failure: string | null = null;
  let seenLive = false;
  rt.on('sourceState', (c) => {
    // Before the first frame, start() reports trouble itself (one line, then exit in the CLI);
    // afterwards every change is news for the operator.
    if (seenLive && c.state !== 'stopped') opts.log(`source ${c.state}: ${c.reason}`);
    if (c.state === 'live') seenLive = true;
    if (c.state === 'error') failure = `source failed: ${c.reason}`;
  });
  rt.on('pipelineError', (e) => opts.log(`inference failed on a frame: ${e.message}`));
  rt.on('workerLost', (e) => opts.log(`inference worker replaced: ${e.message}`));
  rt.on('countersReset', () => opts.log('the PLC reset the counting-line counters'));
  rt.on('recipe', (o) =>
    opts.log(o.error ?? `recipe slot ${o.slot}: now running ${o.info?.name ?? o.model}`),
  );

  return {
    source,
    engine: rt.engine,
    pipeline,
    outputs,
    runtime: rt,
    recorder,
    async start() {
      if (!opts.failFast) return pipeline.start();
      const firstFrameTimeoutMs = opts.firstFrameTimeoutMs ?? 20_000;
      const firstFrame = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no frame from ${source.description} within ${firstFrameTimeoutMs} ms`)),
          firstFrameTimeoutMs,
        );
        const onState = (c: SourceStateChange): void => {
          if (c.state === 'live' || c.state === 'stopped') done();
          else if ((c.state === 'error' || c.state === 'reconnecting') && !seenLive)
            done(new Error(`source ${source.description}: ${c.reason}`));
        };
        const done = (err?: Error): void => {
          clearTimeout(timer);
          source.off('state', onState);
          if (err) reject(err);
          else resolve();
        };
        source.on('state', onState);
      });
      await pipeline.start();
      try {
        await firstFrame;
      } catch (e) {
        failure = (e as Error).message;
        await pipeline.stop();
      }
    },
    failure: () => failure,
    async close() {
      await rt.close();
      await recorder?.close();
      await outputs.close();
    },
  };
}
