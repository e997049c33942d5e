/**
 * Several cameras on one station: one VisionRuntime per camera (its own source, thresholds, class
 * limits, tracking, PLC and serial outputs), sharing inference engines. Cameras naming the same
 * model file share one engine (one worker), whose turns are handed out fairly (fair-inference.ts);
 * each distinct model gets its own engine. The classic detector learns a background per camera,
 * so a classic camera always has an engine of its own.
 */
import type { ExecutionProvider } from '../../shared/detection';
import type { Homography3x3 } from '../core/calibration';
import type { ClassLimits } from '../core/class-limits';
import type { ClassicDetectorOptionsInput } from '../core/classic';
import type { DecodeParams } from '../core/decoders/types';
import type { CameraShareStats } from '../core/fair-share';
import type { FrameSource, SourceOptions } from '../capture/types';
import { parseSourceUri } from '../capture/source-uri';
import { InferenceEngine } from '../inference/engine';
import { workerScriptPath } from '../inference/worker-path';
import type { Pipeline } from '../pipeline/pipeline';
import { FairInference } from './fair-inference';
import type { OutputOptions, OutputSinks } from './outputs';
import { createOutputSinks } from './outputs';
import {
  defaultParallelFrames,
  modelSpecFor,
  VisionRuntime,
  whenFirstFrame,
  type PostprocessStage,
} from './runtime';

export interface CameraSettings {
  /** Unique; names the camera in logs, results and summaries. */
  name: string;
  /** Source URI (DESIGN.md "Source URIs"). */
  source: string;
  /** Path of an .onnx file, or `classic`. */
  model: string;
  params: DecodeParams;
  classLimits?: ClassLimits | null;
  /** Tracking, zones and counting lines of this camera. */
  postprocess?: PostprocessStage;
  classic?: ClassicDetectorOptionsInput;
  /** `s7://HOST[:PORT]?rack=0&slot=1&db=N`. */
  plc?: string;
  plcSettings?: OutputOptions['plcSettings'];
  /** `PATH?baud=N&format=csv|json`. */
  serial?: string;
  calibration?: Homography3x3;
  /** Stop this camera after this many processed frames. */
  maxFrames?: number;
  sourceOptions?: SourceOptions;
  /** Handles this camera's PLC recipeRequest (else the runtime's own slot → model map, empty here). */
  onRecipeRequest?: (slot: number) => void;
}

export interface MultiCameraOptions {
  cameras: readonly CameraSettings[];
  provider?: ExecutionProvider;
  intraOpThreads?: number;
  /** Built worker script; defaults to the one beside the built main bundle. */
  workerPath?: string;
  log: (line: string) => void;
  statsWindowMs?: number;
  /** Give up when a source fails before its first frame, instead of retrying. */
  failFast?: boolean;
  firstFrameTimeoutMs?: number;
  /**
   * Frames in one engine at once, across its cameras (one per camera at most): the engine's lanes
   * (see InferenceEngine `parallelFrames`), by default one per core, at most two, and no more than
   * the cameras sharing the model.
   */
  inFlightPerEngine?: number;
}

export interface CameraRun {
  readonly name: string;
  readonly runtime: VisionRuntime;
  readonly source: FrameSource;
  readonly pipeline: Pipeline;
  readonly outputs: OutputSinks;
  /** Frames offered, passed to inference and dropped while waiting for the camera's turn. */
  share(): CameraShareStats;
  /** Why this camera's run ended badly, or null. */
  failure(): string | null;
}

interface SharedEngine {
  engine: InferenceEngine;
  fair: FairInference;
}

export class MultiCameraRuntime {
  private closed = false;

  constructor(
    readonly cameras: readonly CameraRun[],
    private readonly shared: readonly SharedEngine[],
    private readonly opts: MultiCameraOptions,
  ) {}

  /** Distinct inference engines (one worker each) serving the cameras. */
  get engines(): InferenceEngine[] {
    return this.shared.map((s) => s.engine);
  }

  get engineCount(): number {
    return this.shared.length;
  }

  camera(name: string): CameraRun {
    const c = this.cameras.find((x) => x.name === name);
    if (!c) throw new RangeError(`no camera named '${name}'`);
    return c;
  }

  /**
   * Starts every camera. With failFast, each source is started first and must give a frame:
   * the first that cannot fails the whole start, naming the camera, before any pipeline runs.
   */
  async start(): Promise<void> {
    if (this.opts.failFast) {
      const timeoutMs = this.opts.firstFrameTimeoutMs ?? 20_000;
      const outcomes = await Promise.allSettled(this.cameras.map((c) => whenFirstFrame(c.source, timeoutMs)));
      const bad = outcomes.findIndex((o) => o.status === 'rejected');
      if (bad >= 0) {
        const reason = (outcomes[bad] as PromiseRejectedResult).reason as Error;
        throw new Error(`camera '${this.cameras[bad]!.name}': ${reason.message}`);
      }
      for (const c of this.cameras) await c.pipeline.start({ sourceStarted: true });
    } else {
      for (const c of this.cameras) await c.pipeline.start();
    }
    // A camera that reached its frame count stops its source, leaving its turns to the others.
    for (const c of this.cameras) void c.pipeline.done().then(() => c.pipeline.stop());
  }

  /** Resolves when every camera's pipeline has ended (its --frames reached, or its source ended). */
  async done(): Promise<void> {
    await Promise.all(this.cameras.map((c) => c.pipeline.done()));
  }

  /** Stops every camera (sources, pipelines, outputs), then the shared engines' workers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.cameras.map((c) => c.runtime.close()));
    await Promise.all(this.cameras.map((c) => c.outputs.close()));
    await Promise.all(this.shared.map((e) => e.engine.close()));
  }
}

/** Which cameras may share an engine: the same model file; never the classic detector. */
function engineKey(camera: CameraSettings): string {
  return camera.model === 'classic' ? `classic\u0000${camera.name}` : `onnx\u0000${camera.model}`;
}

export async function createMultiCameraRuntime(opts: MultiCameraOptions): Promise<MultiCameraRuntime> {
  const names = new Set<string>();
  for (const c of opts.cameras) {
    if (names.has(c.name)) throw new Error(`two cameras are named '${c.name}'`);
    names.add(c.name);
    // Parse every source before starting anything, so bad input fails without side effects.
    parseSourceUri(c.source);
  }
  if (opts.cameras.length === 0) throw new Error('no camera to run');
  const engines = new Map<string, SharedEngine>();
  const runs: CameraRun[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(runs.map((r) => r.runtime.close()));
    await Promise.all(runs.map((r) => r.outputs.close()));
    await Promise.all([...engines.values()].map((e) => e.engine.close()));
  };
  try {
    for (const cam of opts.cameras) {
      const key = engineKey(cam);
      let shared = engines.get(key);
      if (!shared) {
        const engine = new InferenceEngine({
          workerPath: opts.workerPath ?? workerScriptPath(),
          // One frame per camera at a time (each camera's turn starts with its newest frame), so
          // lanes beyond the cameras sharing the model would only take threads from the one lane.
          parallelFrames:
            opts.inFlightPerEngine ??
            Math.min(defaultParallelFrames(), opts.cameras.filter((c) => engineKey(c) === key).length),
        });
        // Listed at once, so that close() ends its worker if the load fails.
        engines.set(key, { engine, fair: new FairInference(1) });
        engine.on('status', (m) => opts.log(`${cam.model}: ${m}`));
        await engine.load(modelSpecFor(cam.model, opts.provider, opts.intraOpThreads, cam.classic));
        // As many cameras' frames at once as the model got lanes (one for the classic detector).
        shared = { engine, fair: new FairInference(engine.parallelFrames) };
        engines.set(key, shared);
      }
      const fair = shared.fair;
      const log = (line: string): void => opts.log(`camera '${cam.name}': ${line}`);
      const runtime = new VisionRuntime({
        engine: shared.engine,
        wrapSource: (s) => fair.gate(cam.name, s),
        log,
        params: cam.params,
        previewMaxSidePx: null,
        statsWindowMs: opts.statsWindowMs,
        classic: cam.classic,
        postprocess: cam.postprocess,
        classLimits: cam.classLimits ?? null,
        calibration: cam.calibration ?? null,
        onRecipeRequest: cam.onRecipeRequest,
      });
      const { source, pipeline } = await runtime.replaceSource(cam.source, {
        maxFrames: cam.maxFrames,
        sourceOptions: cam.sourceOptions,
      });
      let outputs: OutputSinks;
      try {
        outputs =
          (await runtime.setOutputs({
            plc: cam.plc,
            plcSettings: cam.plcSettings,
            serial: cam.serial,
            calibration: cam.calibration,
            failFast: opts.failFast,
          })) ?? (await createOutputSinks({ log, engine: shared.engine }));
      } catch (e) {
        await runtime.close();
        throw new Error(`camera '${cam.name}': ${(e as Error).message}`, { cause: e });
      }
      let failure: string | null = null;
      let seenLive = false;
      runtime.on('sourceState', (c) => {
        if (seenLive && c.state !== 'stopped') log(`source ${c.state}: ${c.reason}`);
        if (c.state === 'live') seenLive = true;
        if (c.state === 'error') failure = `camera '${cam.name}': source failed: ${c.reason}`;
      });
      runtime.on('pipelineError', (e) => log(`inference failed on a frame: ${e.message}`));
      runtime.on('workerLost', (e) => log(`inference worker replaced: ${e.message}`));
      runs.push({
        name: cam.name,
        runtime,
        source,
        pipeline,
        outputs,
        share: () => fair.stats(cam.name),
        failure: () => failure,
      });
    }
  } catch (e) {
    await close();
    throw e;
  }
  return new MultiCameraRuntime(runs, [...engines.values()], opts);
}
