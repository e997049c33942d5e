/**
 * `run --cameras FILE.json [--frames N] [--json] [--provider P] [--threads N]`: several cameras on
 * one station (see core/cameras-file for the file). With --json, one line per processed frame with
 * a "camera" field, then one summary line per camera (`{"camera","summary":{...as run...}}`) and a
 * last line `{"summary":{"cameras":[...],"frames","fps","dropped"}}` for the whole station.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { checkCameras, trackingStageFor } from '../app/camera-checks';
import { createMultiCameraRuntime, type CameraSettings, type MultiCameraRuntime } from '../app/multi-camera';
import { CamerasFileError, parseCamerasFile, type CameraConfig } from '../core/cameras-file';
import { classLimitProblems, classLimitsFromFlags } from '../core/class-limits';
import { frameDetectionJson } from '../core/detection-json';
import { simFrameToJson } from '../plc/plc-sim';
import {
  inferenceFlagFields,
  inferenceFlagOptions,
  intFlag,
  parseFlags,
  UsageError,
  validateFlags,
  writeLine,
} from './args';
import { RunReport } from './run-report';
import { plcConnectError, summaryJson } from './run';

const Flags = z.object({
  cameras: z.string().min(1, 'must be a cameras file (JSON)'),
  frames: intFlag(1, 10_000_000).optional(),
  json: z.boolean().default(false),
  provider: inferenceFlagFields.provider,
  threads: inferenceFlagFields.threads,
});

const OPTIONS = {
  cameras: { type: 'string' },
  frames: { type: 'string' },
  json: { type: 'boolean' },
  provider: inferenceFlagOptions.provider,
  threads: inferenceFlagOptions.threads,
} as const;

const r2 = (v: number): number | null => (Number.isFinite(v) ? Number(v.toFixed(2)) : null);

/** Reads and validates the file; every problem is a UsageError naming the file and the field. */
export async function loadCamerasFile(path: string): Promise<CameraConfig[]> {
  const fail = (m: string): never => {
    throw new UsageError(`--cameras ${path}: ${m}`);
  };
  const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) =>
    fail(e.code === 'ENOENT' ? 'no such file' : `cannot read it (${e.code ?? e.message})`),
  );
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return fail(`not valid JSON: ${(e as Error).message}`);
  }
  let cameras: CameraConfig[];
  try {
    cameras = parseCamerasFile(json, {
      confThreshold: 0.25,
      iouThreshold: 0.45,
      resolveModel: (p) => resolve(dirname(path), p),
    });
  } catch (e) {
    if (e instanceof CamerasFileError) fail(e.message);
    throw e;
  }
  // Recipes live in the station's data folder; a cameras file alone has none to look up.
  const withRecipe = cameras.findIndex((c) => c.recipe !== null);
  if (withRecipe >= 0)
    fail(
      `cameras[${withRecipe}] ("${cameras[withRecipe]!.name}").recipe: recipes are the station's (serve or the app, settings "cameras"); with run --cameras give the camera's model and thresholds instead`,
    );
  try {
    await checkCameras(cameras);
  } catch (e) {
    if (e instanceof CamerasFileError) fail(e.message);
    throw e;
  }
  return cameras;
}

const stageFor = trackingStageFor;

export async function main(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseFlags(argv, OPTIONS, false));
  } catch (e) {
    const flag = /Unknown option '(--?[\w-]+)'/.exec((e as Error).message)?.[1];
    if (!flag) throw e;
    throw new UsageError(
      `${flag}: not with --cameras (the cameras file gives each camera its source, model, thresholds, zones, lines and outputs); with --cameras only --frames, --json, --provider and --threads apply`,
    );
  }
  const flags = validateFlags(Flags, values);
  const cameras = await loadCamerasFile(flags.cameras);
  const stages = new Map(cameras.map((c) => [c.name, stageFor(c)]));
  const log = (line: string): void => writeLine(process.stderr, `vision-station: ${line}`);
  const reports = new Map(
    cameras.map((c) => [c.name, new RunReport((l) => log(`camera '${c.name}': ${l}`))]),
  );
  const settings: CameraSettings[] = cameras.map((c) => ({
    name: c.name,
    source: c.source,
    model: c.model,
    params: { confThreshold: c.confThreshold, iouThreshold: c.iouThreshold, maxDet: 300, classFilter: null },
    classLimits: c.classes || c.classConf.length > 0 ? classLimitsFromFlags(c.classes, c.classConf) : null,
    postprocess: stages.get(c.name)!,
    classic: c.classic,
    plc: c.plc,
    serial: c.serial,
    maxFrames: flags.frames,
    sourceOptions: { onWarning: reports.get(c.name)!.onSourceWarning },
  }));

  let station: MultiCameraRuntime | null = null;
  const stopOnSignal = (): void => {
    for (const c of station?.cameras ?? []) void c.pipeline.stop();
  };
  process.on('SIGINT', stopOnSignal);
  process.on('SIGTERM', stopOnSignal);
  try {
    station = await createMultiCameraRuntime({
      cameras: settings,
      provider: flags.provider,
      intraOpThreads: flags.threads,
      statsWindowMs: Number.MAX_SAFE_INTEGER,
      log,
      failFast: true,
    }).catch((e: unknown) => {
      // A PLC that cannot be reached at start is described as `run` describes it, naming the camera.
      const camera = cameras.find((c) => (e as Error).message.startsWith(`camera '${c.name}': `));
      const described = camera ? plcConnectError((e as Error).cause, camera.plc) : e;
      throw described === (e as Error).cause
        ? e
        : new Error(`camera '${camera!.name}': ${(described as Error).message}`, { cause: e });
    });
    const mc = station;
    const counts = new Map<string, { n: number; firstMs: number; lastMs: number }>();
    let allFirstMs = 0;
    let allLastMs = 0;
    let all = 0;
    for (const [i, cam] of mc.cameras.entries()) {
      // Class names are known only once the model is loaded.
      const limits = settings[i]!.classLimits;
      const problem = limits
        ? classLimitProblems(limits, cam.runtime.engine.model?.classNames ?? [], false)[0]
        : undefined;
      if (problem)
        throw new UsageError(`--cameras ${flags.cameras}: cameras[${i}] ("${cam.name}"): ${problem}`);
      reports.get(cam.name)!.watch(cam.source, cam.outputs);
      cam.outputs.on('simFrame', (f) => writeLine(process.stderr, `plc-sim: ${simFrameToJson(f)}`));
      const c = { n: 0, firstMs: 0, lastMs: 0 };
      counts.set(cam.name, c);
      cam.pipeline.on('result', (r) => {
        const t = performance.now();
        if (c.n++ === 0) c.firstMs = t;
        c.lastMs = t;
        if (all++ === 0) allFirstMs = t;
        allLastMs = t;
        if (!flags.json) return;
        writeLine(
          process.stdout,
          JSON.stringify({
            camera: cam.name,
            frameId: r.frameId,
            captureTimeMs: r.captureTimeMs,
            ...(r.learning ? { learning: true } : {}),
            detections: r.detections.map(frameDetectionJson),
            crossings: r.crossings ?? [],
          }),
        );
      });
    }
    await mc.start();
    await mc.done();
    const fps = (n: number, firstMs: number, lastMs: number): number =>
      n > 1 && lastMs > firstMs ? ((n - 1) * 1000) / (lastMs - firstMs) : 0;
    let dropped = 0;
    let failure: string | null = null;
    for (const cam of mc.cameras) {
      const c = counts.get(cam.name)!;
      const s = cam.pipeline.stats();
      // Frames replaced while waiting for the camera's turn on the shared worker are drops too.
      const stats = { ...s, dropped: s.dropped + cam.share().dropped };
      dropped += stats.dropped;
      const report = reports.get(cam.name)!;
      failure ??= cam.failure() ?? (cam.outputs.plc ? prefixed(cam.name, report.plcFailure()) : null);
      if (!cam.failure() || c.n > 0)
        writeLine(
          process.stdout,
          JSON.stringify({
            camera: cam.name,
            ...summaryJson(
              stats,
              fps(c.n, c.firstMs, c.lastMs),
              report.counts,
              stages.get(cam.name)!.counts(),
            ),
          }),
        );
    }
    writeLine(
      process.stdout,
      JSON.stringify({
        summary: {
          cameras: mc.cameras.map((c) => c.name),
          frames: all,
          fps: r2(fps(all, allFirstMs, allLastMs)),
          dropped,
        },
      }),
    );
    if (failure) {
      writeLine(process.stderr, `vision-station: run: ${failure}`);
      return 1;
    }
    return 0;
  } finally {
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
    await station?.close();
  }
}

function prefixed(camera: string, failure: string | null): string | null {
  return failure ? `camera '${camera}': ${failure}` : null;
}
