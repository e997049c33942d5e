/**
 * `run --source URI --model PATH|classic [--plc URI|sim] [--serial PATH?baud=N] [--frames N] [--json]
 *      [--track] [--zone include|exclude:x1,y1,...]... [--line NAME=x1,y1,x2,y2]... [--classic K=V,...]
 *      [--mqtt URI] [--sparkplug URI] [--opcua PORT [--opcua-security none|production] [--opcua-pki DIR]]
 *      [--record DIR ...]
 *      [--recipe SLOT=MODEL]... | [--recipes-dir DIR] [--classes NAME,...] [--class-conf NAME=T]...`
 * The whole pipeline without Electron. With --json: one line per processed frame, then a summary.
 */
import { z } from 'zod';
import type { PipelineStats } from '../pipeline/pipeline';
import { createRuntime, type Runtime } from '../app/runtime';
import {
  inferenceFlagFields,
  inferenceFlagOptions,
  parallelFramesFlag,
  intFlag,
  numberFlag,
  parseFlags,
  textFlag,
  UsageError,
  validateFlags,
  writeLine,
} from './args';
import { classLimitProblems, classLimitsFromFlags } from '../core/class-limits';
import { RecipeStore } from '../storage/recipes';
import { frameDetectionJson } from '../core/detection-json';
import { homographySchema } from '../core/calibration';
import { simFrameToJson } from '../plc/plc-sim';
import { mqttUriFlag } from '../integration/mqtt/mqtt-config';
import { sparkplugUriFlag } from '../integration/mqtt/sparkplug-config';
import { opcuaFlagFields, opcuaFlagOptions, opcuaFromFlags } from './opcua-flags';
import { checkModelFile } from '../inference/model-file';
import { RunReport, type RunCounts } from './run-report';
import { describeS7Error } from '../core/plc/s7-error-text';
import { parseClassicOptionsArg } from '../core/classic';
import { TrackingStage, parseLineArg, parseZoneArg } from '../core/counting';
import type { LineCount } from '../../shared/frame';
import { CountersStore } from '../storage/counters-store';

/** A string flag parsed by a function that throws a RangeError a person can act on. */
const parsedBy = <T>(parse: (text: string) => T) =>
  z.string().transform((text, ctx): T => {
    try {
      return parse(text);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
      return z.NEVER;
    }
  });

const Flags = z.object({
  source: z.string({ message: 'is required (e.g. synthetic:, file:clip.mp4, rtsp://...)' }).min(1),
  model: z.string({ message: "is required (path to an .onnx file, or 'classic')" }).min(1),
  plc: textFlag().optional(),
  serial: textFlag().optional(),
  mqtt: mqttUriFlag.optional(),
  sparkplug: sparkplugUriFlag.optional(),
  ...opcuaFlagFields,
  frames: intFlag(1, 10_000_000).optional(),
  json: z.boolean().default(false),
  ...inferenceFlagFields,
  'parallel-frames': parallelFramesFlag,
  recipe: z
    .array(z.string().regex(/^[1-9]\d{0,4}=.+$/, 'must be SLOT=MODEL, e.g. 1=models/bolts.onnx or 2=classic'))
    .default([]),
  calibration: z
    .string()
    .transform((t): readonly number[] => t.split(',').map((x) => Number(x.trim())))
    .pipe(homographySchema)
    .optional(),
  track: z.boolean().default(false),
  zone: z.array(parsedBy(parseZoneArg)).default([]),
  line: z.array(parsedBy(parseLineArg)).default([]),
  'reference-point': z.enum(['centre', 'bottom-centre']).default('centre'),
  classic: parsedBy(parseClassicOptionsArg).optional(),
  'counters-file': z.string().min(1).optional(),
  record: z.string().min(1, 'must be a folder').optional(),
  'record-fps': intFlag(1, 120).default(10),
  'segment-s': intFlag(1, 3600).default(60),
  'max-gb': numberFlag(0.001, 1_000_000).optional(),
  'max-days': numberFlag(0.001, 36_500).optional(),
  'event-class': z.array(z.string().min(1)).default([]),
  'doubtful-min': numberFlag(0, 1).optional(),
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

/** `counts` as the summary shows them: `{"NAME":{"in":N,"out":M}}`, in the lines' order. */
export function countsJson(counts: readonly LineCount[]): Record<string, { in: number; out: number }> {
  return Object.fromEntries(counts.map((c) => [c.line, { in: c.in, out: c.out }]));
}

/**
 * `report`: run's link and source counts; `lineCounts`: run's counting lines (always present there,
 * `{}` without lines). bench and soak leave both out.
 */
export function summaryJson(
  s: PipelineStats,
  overallFps: number,
  report?: RunCounts,
  lineCounts?: readonly LineCount[],
) {
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
      ...(report ?? {}),
      latencyMs: pct(s.latencyMs),
      stages: Object.fromEntries(Object.entries(s.stages).map(([k, v]) => [k, pct(v)])),
      ...(lineCounts ? { counts: countsJson(lineCounts) } : {}),
    },
  };
}

export async function main(argv: string[]): Promise<number> {
  // Several cameras from a file: its own command, so this one's contract stays as it is.
  if (argv.some((a) => a === '--cameras' || a.startsWith('--cameras=')))
    return (await import('./run-cameras')).main(argv);
  const { values, positionals } = parseFlags(
    argv,
    {
      source: { type: 'string' },
      model: { type: 'string' },
      plc: { type: 'string' },
      serial: { type: 'string' },
      mqtt: { type: 'string' },
      sparkplug: { type: 'string' },
      ...opcuaFlagOptions,
      frames: { type: 'string' },
      json: { type: 'boolean' },
      ...inferenceFlagOptions,
      'parallel-frames': { type: 'string' },
      recipe: { type: 'string', multiple: true },
      calibration: { type: 'string' },
      track: { type: 'boolean' },
      zone: { type: 'string', multiple: true },
      line: { type: 'string', multiple: true },
      'reference-point': { type: 'string' },
      classic: { type: 'string' },
      'counters-file': { type: 'string' },
      record: { type: 'string' },
      'record-fps': { type: 'string' },
      'segment-s': { type: 'string' },
      'max-gb': { type: 'string' },
      'max-days': { type: 'string' },
      'event-class': { type: 'string', multiple: true },
      'doubtful-min': { type: 'string' },
      'class-conf': { type: 'string', multiple: true },
      'recipes-dir': { type: 'string' },
      classes: { type: 'string' },
    },
    false,
  );
  void positionals;
  const flags = validateFlags(Flags, values);
  const recipes = Object.fromEntries(
    flags.recipe.map((r) => [Number(r.slice(0, r.indexOf('='))), r.slice(r.indexOf('=') + 1)]),
  );
  if (flags.line.length > 0 && !flags.track)
    throw new UsageError('--line: counting lines need --track (a crossing is a track changing side)');
  if (flags.classic && flags.model !== 'classic' && !flags.recipe.some((r) => r.endsWith('=classic')))
    throw new UsageError("--classic: sets the classic detector, but --model is not 'classic'");
  let stage: TrackingStage;
  try {
    stage = new TrackingStage({
      tracking: flags.track,
      zones: flags.zone,
      lines: flags.line,
      referencePoint: flags['reference-point'],
    });
  } catch (e) {
    throw new UsageError(`--line: ${(e as Error).message}`);
  }
  if (flags['counters-file'] && flags.line.length === 0)
    throw new UsageError('--counters-file: keeps counting-line counters; give at least one --line');
  // Every model this run may load is checked now, not when the PLC first asks for its slot.
  for (const [what, path] of [
    ['--model', flags.model],
    ...Object.entries(recipes).map(([slot, m]) => [`--recipe ${slot}`, m]),
  ] as const) {
    if (path !== 'classic')
      await checkModelFile(path).catch((e: unknown) => {
        throw new UsageError(`${what}: ${(e as Error).message}`);
      });
  }
  // Counters carry on from the last run (lines matched by name) and are saved after each crossing.
  const store = flags['counters-file'] ? new CountersStore(flags['counters-file']) : null;
  if (store) stage.restoreCounts(await store.load());
  if (flags['recipes-dir'] && flags.recipe.length > 0)
    throw new UsageError('--recipe and --recipes-dir both say what a PLC slot means; give one');
  const recipeStore = flags['recipes-dir'] ? new RecipeStore(flags['recipes-dir']) : null;
  const classLimits =
    flags.classes || flags['class-conf'].length > 0
      ? classLimitsFromFlags(flags.classes ?? null, flags['class-conf'])
      : null;

  const log = (line: string): void => writeLine(process.stderr, `vision-station: ${line}`);
  const report = new RunReport(log);
  let runtime: Runtime | null = null;
  const stopOnSignal = (): void => void runtime?.pipeline.stop();
  // `on`, not `once`: signal-exit (loaded with node-opcua) re-raises a signal when it sees no
  // other listener, and a `once` listener is already gone by then, which killed the process.
  process.on('SIGINT', stopOnSignal);
  process.on('SIGTERM', stopOnSignal);
  try {
    runtime = await createRuntime({
      source: flags.source,
      model: flags.model,
      provider: flags.provider,
      intraOpThreads: flags.threads,
      parallelFrames: flags['parallel-frames'],
      plc: flags.plc,
      serial: flags.serial,
      mqtt: flags.mqtt,
      sparkplug: flags.sparkplug,
      opcua: opcuaFromFlags(flags),
      calibration: flags.calibration,
      classLimits,
      ...(recipeStore ? { recipeStore } : {}),
      recipes,
      maxFrames: flags.frames,
      classic: flags.classic,
      postprocess: stage,
      params: { confThreshold: flags.conf, iouThreshold: flags.iou, maxDet: 300, classFilter: null },
      statsWindowMs: Number.MAX_SAFE_INTEGER,
      log,
      failFast: true,
      sourceOptions: { onWarning: report.onSourceWarning },
      record: flags.record
        ? {
            dir: flags.record,
            fps: flags['record-fps'],
            segmentSeconds: flags['segment-s'],
            retention: {
              ...(flags['max-gb'] !== undefined ? { maxBytes: Math.round(flags['max-gb'] * 1024 ** 3) } : {}),
              ...(flags['max-days'] !== undefined
                ? { maxAgeMs: Math.round(flags['max-days'] * 86_400_000) }
                : {}),
            },
            rules: { classes: flags['event-class'] },
            ...(flags['doubtful-min'] !== undefined ? { doubtfulMin: flags['doubtful-min'] } : {}),
          }
        : undefined,
    });
    const rt = runtime;
    // Class names are known only once the model is loaded.
    const problem = classLimits
      ? classLimitProblems(classLimits, rt.engine.model?.classNames ?? [], false)[0]
      : undefined;
    if (problem) throw new UsageError(`--classes/--class-conf: ${problem}`);
    report.watch(rt.source, rt.outputs);
    // The built-in simulator shows what it received, as plc-sim does (stderr: stdout is the results).
    if (store) rt.outputs.on('countersReset', () => store.save(stage.counts()));
    rt.outputs.on('simFrame', (f) => writeLine(process.stderr, `plc-sim: ${simFrameToJson(f)}`));
    let firstMs = 0;
    let lastMs = 0;
    let count = 0;
    rt.pipeline.on('result', (r) => {
      lastMs = performance.now();
      if (count++ === 0) firstMs = lastMs;
      if (store && r.crossings && r.crossings.length > 0 && r.counts) store.save(r.counts);
      if (flags.json) {
        writeLine(
          process.stdout,
          JSON.stringify({
            frameId: r.frameId,
            captureTimeMs: r.captureTimeMs,
            ...(r.learning ? { learning: true } : {}),
            detections: r.detections.map(frameDetectionJson),
            crossings: r.crossings ?? [],
          }),
        );
      }
    });
    await rt.start();
    await rt.pipeline.done();
    await store?.flush();
    const stats = rt.pipeline.stats();
    const overallFps = count > 1 && lastMs > firstMs ? ((count - 1) * 1000) / (lastMs - firstMs) : 0;
    const rec = rt.recorder?.stats();
    if (rec)
      writeLine(
        process.stderr,
        `vision-station: recorded ${rec.framesIndexed} frames (${rec.framesRecorded} pictures, ${rec.picturesDropped} dropped) into ${flags.record}${rec.stoppedBecause ? `; recording stopped: ${rec.stoppedBecause}` : ''}`,
      );
    const failure = rt.failure() ?? (flags.plc !== undefined ? report.plcFailure() : null);
    // The summary is printed even after a failure once frames were processed: its counts say what went wrong.
    if (!failure || count > 0)
      writeLine(
        process.stdout,
        JSON.stringify(summaryJson(stats, overallFps, report.counts, stage.counts())),
      );
    if (failure) {
      writeLine(process.stderr, `vision-station: run: ${failure}`);
      return 1;
    }
    return 0;
  } catch (e) {
    throw plcConnectError(e, flags.plc);
  } finally {
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
    await runtime?.close();
  }
}

/** A PLC that cannot be reached at start is described by what happened, not by snap7's text. */
export function plcConnectError(e: unknown, plc: string | undefined): unknown {
  const m = /^connect to (\S+:\d+) [^:]*:\s*(.*)$/s.exec((e as Error).message ?? '');
  if (!plc || plc === 'sim' || !m) return e;
  const code = (e as { code?: unknown }).code;
  return new Error(
    describeS7Error({
      message: m[2]!,
      code: typeof code === 'number' && code !== 0 ? code : undefined,
      endpoint: m[1]!,
      phase: 'connect',
    }),
    { cause: e },
  );
}
