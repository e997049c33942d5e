/**
 * `run --source URI --model PATH|classic [--plc URI|sim] [--serial PATH?baud=N] [--frames N] [--json]`
 * `[--recipe SLOT=MODEL]... | [--recipes-dir DIR]` (what the PLC's recipeRequest switches to)
 * The whole pipeline without Electron. With --json: one line per processed frame, then a summary.
 */
import { z } from 'zod';
import type { PipelineStats } from '../pipeline/pipeline';
import { createRuntime, type Runtime } from '../runtime';
import {
  inferenceFlagFields,
  inferenceFlagOptions,
  intFlag,
  parseFlags,
  UsageError,
  validateFlags,
  writeLine,
} from './args';
import { classLimitProblems, classLimitsFromFlags } from '../core/class-limits';
import { recipeRequestHandler } from '../recipe-switch';
import { RecipeStore } from '../storage/recipes';
import { detectionJson } from './detect';
import { homographySchema } from '../core/calibration';
import { simFrameToJson } from '../plc/plc-sim';

const Flags = z.object({
  source: z.string({ message: 'is required (e.g. synthetic:, file:clip.mp4, rtsp://...)' }).min(1),
  model: z.string({ message: "is required (path to an .onnx file, or 'classic')" }).min(1),
  plc: z.string().optional(),
  serial: z.string().optional(),
  frames: intFlag(1, 10_000_000).optional(),
  json: z.boolean().default(false),
  ...inferenceFlagFields,
  recipe: z
    .array(z.string().regex(/^[1-9]\d{0,4}=.+$/, 'must be SLOT=MODEL, e.g. 1=models/bolts.onnx or 2=classic'))
    .default([]),
  calibration: z
    .string()
    .transform((t): readonly number[] => t.split(',').map((x) => Number(x.trim())))
    .pipe(homographySchema)
    .optional(),
  'recipes-dir': z.string().min(1).optional(),
  'class-conf': z
    .array(
      z
        .string()
        .regex(/^[^=]+=(0(\.\d+)?|1(\.0+)?)$/, 'must be NAME=T with T between 0 and 1, e.g. bottle=0.4')
        .transform((t) => [t.slice(0, t.lastIndexOf('=')), Number(t.slice(t.lastIndexOf('=') + 1))] as const),
    )
    .default([]),
  classes: z
    .string()
    .transform((t) => t.split(',').map((n) => n.trim()))
    .refine((names) => names.every((n) => n.length > 0), 'must be class names separated by commas')
    .optional(),
});

const r2 = (v: number): number | null => (Number.isFinite(v) ? Number(v.toFixed(2)) : null);

export function summaryJson(s: PipelineStats, overallFps: number) {
  const pct = (p: { p50: number; p95: number; p99: number }) => ({
    p50: r2(p.p50),
    p95: r2(p.p95),
    p99: r2(p.p99),
  });
  return {
    summary: {
      frames: s.frames,
      fps: r2(overallFps),
      dropped: s.dropped,
      errors: s.errors,
      latencyMs: pct(s.latencyMs),
      stages: Object.fromEntries(Object.entries(s.stages).map(([k, v]) => [k, pct(v)])),
    },
  };
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      source: { type: 'string' },
      model: { type: 'string' },
      plc: { type: 'string' },
      serial: { type: 'string' },
      frames: { type: 'string' },
      json: { type: 'boolean' },
      ...inferenceFlagOptions,
      recipe: { type: 'string', multiple: true },
      calibration: { type: 'string' },
      'class-conf': { type: 'string', multiple: true },
      'recipes-dir': { type: 'string' },
      classes: { type: 'string' },
    },
    false,
  );
  void positionals;
  const flags = validateFlags(Flags, values);
  if (flags['recipes-dir'] && flags.recipe.length > 0)
    throw new UsageError('--recipe and --recipes-dir both say what a PLC slot means; give one');
  const recipeStore = flags['recipes-dir'] ? new RecipeStore(flags['recipes-dir']) : null;
  let onRecipeRequest: ((slot: number) => void) | undefined;
  const classLimits =
    flags.classes || flags['class-conf'].length > 0
      ? classLimitsFromFlags(flags.classes ?? null, flags['class-conf'])
      : null;

  let runtime: Runtime | null = null;
  const stopOnSignal = (): void => void runtime?.pipeline.stop();
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    runtime = await createRuntime({
      source: flags.source,
      model: flags.model,
      provider: flags.provider,
      intraOpThreads: flags.threads,
      plc: flags.plc,
      serial: flags.serial,
      calibration: flags.calibration,
      classLimits,
      // Bound once the runtime exists (the handler switches that runtime).
      onRecipeRequest: recipeStore ? (slot) => onRecipeRequest?.(slot) : undefined,
      recipes: Object.fromEntries(
        flags.recipe.map((r) => [Number(r.slice(0, r.indexOf('='))), r.slice(r.indexOf('=') + 1)]),
      ),
      maxFrames: flags.frames,
      params: { confThreshold: flags.conf, iouThreshold: flags.iou, maxDet: 300, classFilter: null },
      statsWindowMs: Number.MAX_SAFE_INTEGER,
      log: (line) => writeLine(process.stderr, `vision-station: ${line}`),
      failFast: true,
    });
    const rt = runtime;
    // Class names are known only once the model is loaded.
    const problem = classLimits
      ? classLimitProblems(classLimits, rt.engine.model?.classNames ?? [], false)[0]
      : undefined;
    if (problem) throw new UsageError(`--classes/--class-conf: ${problem}`);
    if (recipeStore)
      onRecipeRequest = recipeRequestHandler(rt, recipeStore, {
        provider: flags.provider,
        intraOpThreads: flags.threads,
        log: (line) => writeLine(process.stderr, `vision-station: ${line}`),
      }).onRequest;
    // The built-in simulator shows what it received, as plc-sim does (stderr: stdout is the results).
    rt.outputs.on('simFrame', (f) => writeLine(process.stderr, `plc-sim: ${simFrameToJson(f)}`));
    let firstMs = 0;
    let lastMs = 0;
    let count = 0;
    rt.pipeline.on('result', (r) => {
      lastMs = performance.now();
      if (count++ === 0) firstMs = lastMs;
      if (flags.json) {
        writeLine(
          process.stdout,
          JSON.stringify({
            frameId: r.frameId,
            captureTimeMs: r.captureTimeMs,
            detections: r.detections.map(detectionJson),
          }),
        );
      }
    });
    await rt.start();
    await rt.pipeline.done();
    const stats = rt.pipeline.stats();
    const overallFps = count > 1 && lastMs > firstMs ? ((count - 1) * 1000) / (lastMs - firstMs) : 0;
    const failure = rt.failure();
    if (!failure) writeLine(process.stdout, JSON.stringify(summaryJson(stats, overallFps)));
    else {
      writeLine(process.stderr, `vision-station: run: ${failure}`);
      return 1;
    }
    return 0;
  } finally {
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
    await runtime?.close();
  }
}
