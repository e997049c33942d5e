/**
 * The one place where adapters are wired into a running station: source, inference engine,
 * pipeline and sinks. The CLI, the web server and the Electron shell all start it from here.
 */
import type { ExecutionProvider, ModelInfo } from '../shared/detection';
import { createSource } from './capture/create-source';
import type { Homography3x3 } from './core/calibration';
import { parseSourceUri, type SourceSpec } from './capture/source-uri';
import type { FrameSource, SourceOptions, SourceStateChange } from './capture/types';
import type { DecodeParams } from './core/decoders/types';
import { InferenceEngine } from './inference/engine';
import { workerScriptPath } from './inference/worker-path';
import type { ModelSpec } from './inference/model';
import { providerOrder } from './inference/providers';
import { Pipeline } from './pipeline/pipeline';
import type { ResultSink } from './pipeline/sink';
import { createOutputSinks, type OutputOptions, type OutputSinks } from './outputs';
import type { ClassLimits } from './core/class-limits';
import { onlyClassesSentToPlc } from './plc-class-filter';

export interface RuntimeOptions {
  /** Source URI (DESIGN.md "Source URIs"). */
  source: string;
  /** Path of an .onnx file, or `classic`. */
  model: string;
  provider?: ExecutionProvider;
  intraOpThreads?: number;
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
  /** Per-class limits after decoding; the PLC and serial port get only classes with sendToPlc. */
  classLimits?: ClassLimits | null;
  /** Handles the PLC's recipeRequest instead of `recipes` (e.g. from the recipe store). */
  onRecipeRequest?: (slot: number) => void;
}

export interface Runtime {
  readonly source: FrameSource;
  readonly engine: InferenceEngine;
  readonly pipeline: Pipeline;
  readonly outputs: OutputSinks;
  start(): Promise<void>;
  /** Why the run ended badly, or null. */
  failure(): string | null;
  close(): Promise<void>;
}

export function modelSpecFor(
  model: string,
  provider: ExecutionProvider = 'cpu',
  intraOpThreads = 0,
): ModelSpec {
  return model === 'classic'
    ? { kind: 'classic' }
    : { kind: 'onnx', path: model, providers: providerOrder(provider), intraOpThreads };
}

/**
 * How the runtime reads a source for a model. The decoder shrinks frames to fit the model's input
 * (ffmpeg scales on its own core; every later copy is small and preprocessing is a plain copy);
 * positions still come out in camera pixels. A file read at fps=max waits for the pipeline instead
 * of dropping frames, so "as fast as possible" means every frame, as fast as inference goes.
 */
export function sourceOptionsFor(spec: SourceSpec, model: ModelInfo): SourceOptions {
  const options: SourceOptions = {};
  if (model.inputWidth > 0 && model.inputHeight > 0)
    options.fitInside = { widthPx: model.inputWidth, heightPx: model.inputHeight };
  if (spec.kind === 'file' && spec.fps === 'max') {
    options.whenBuffersBusy = 'wait';
    // One buffer in inference, one waiting in the slot: a third would only be decoded to replace
    // the waiting one (a drop). With two, the decoder stops until inference takes the next frame.
    options.ringSize = 2;
  }
  return options;
}

export async function createRuntime(opts: RuntimeOptions): Promise<Runtime> {
  // Parse everything before starting anything, so bad input fails without side effects.
  const sourceSpec = parseSourceUri(opts.source);
  const engine = new InferenceEngine({
    workerPath: opts.workerPath ?? workerScriptPath(),
  });
  engine.on('status', opts.log);
  let outputs: OutputSinks | null = null;
  let source: FrameSource | null = null;
  try {
    const model = await engine.load(modelSpecFor(opts.model, opts.provider, opts.intraOpThreads));
    source = createSource(sourceSpec, { ...sourceOptionsFor(sourceSpec, model), ...opts.sourceOptions });
    outputs = await createOutputSinks({
      plc: opts.plc,
      plcSettings: opts.plcSettings,
      calibration: opts.calibration,
      serial: opts.serial,
      log: opts.log,
      engine,
      failFast: opts.failFast,
    });
    outputs.setHealth({ modelOk: true });
  } catch (e) {
    await outputs?.close();
    await engine.close();
    await source?.stop();
    throw e;
  }
  const sinks: ResultSink[] = outputs.sinks.map((s) => onlyClassesSentToPlc(s, () => pipeline.classLimits));
  const pipeline: Pipeline = new Pipeline({
    source,
    engine,
    sinks,
    params: opts.params,
    maxFrames: opts.maxFrames,
    statsWindowMs: opts.statsWindowMs,
    classLimits: opts.classLimits ?? null,
    calibration: opts.calibration ?? null,
  });
  let failure: string | null = null;
  let seenLive = false;
  source.on('state', (c: SourceStateChange) => {
    // Before the first frame, start() reports trouble itself (one line, then exit in the CLI);
    // afterwards every change is news for the operator.
    if (seenLive && c.state !== 'stopped') opts.log(`source ${c.state}: ${c.reason}`);
    if (c.state === 'live') seenLive = true;
    if (c.state === 'error') failure = `source failed: ${c.reason}`;
    // A deliberate stop says nothing about the camera; results captured before it stay valid.
    if (c.state !== 'stopped') outputs?.setHealth({ cameraOk: c.state === 'live' });
  });
  pipeline.on('error', (e) => opts.log(`inference failed on a frame: ${e.message}`));
  outputs.on('recipeRequest', (slot) => {
    if (opts.onRecipeRequest) return opts.onRecipeRequest(slot);
    const model = opts.recipes?.[slot];
    if (!model) return opts.log(`the PLC asked for recipe slot ${slot}, but no model is configured for it`);
    // Through the hot swap: the old model serves until the new one is ready; a failure keeps it.
    engine.load(modelSpecFor(model, opts.provider, opts.intraOpThreads)).then(
      (info) => {
        out.plc?.setRecipeActive(slot);
        opts.log(`recipe slot ${slot}: now running ${info.name}`);
      },
      (e: unknown) => opts.log(`recipe slot ${slot}: cannot load ${model}: ${(e as Error).message}`),
    );
  });
  const out = outputs;

  return {
    source,
    engine,
    pipeline,
    outputs: out,
    async start() {
      if (!opts.failFast) return pipeline.start();
      const firstFrame = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `no frame from ${source.description} within ${opts.firstFrameTimeoutMs ?? 20_000} ms`,
              ),
            ),
          opts.firstFrameTimeoutMs ?? 20_000,
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
      await pipeline.stop();
      await out.close();
      await engine.close();
    },
  };
}
