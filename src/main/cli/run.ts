/**
 * `run --source URI --model PATH|classic [--plc URI|sim] [--serial PATH?baud=N] [--frames N] [--json] [--record DIR]`
 * The whole pipeline without Electron. With --json: one line per processed frame, then a summary.
 */
import { z } from 'zod';
import type { PipelineStats } from '../pipeline/pipeline';
import { createRuntime, type Runtime } from '../runtime';
import {
  inferenceFlagFields,
  inferenceFlagOptions,
  intFlag,
  numberFlag,
  parseFlags,
  validateFlags,
  writeLine,
} from './args';
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
  record: z.string().min(1, 'must be a folder').optional(),
  'record-fps': intFlag(1, 120).default(10),
  'segment-s': intFlag(1, 3600).default(60),
  'max-gb': numberFlag(0.001, 1_000_000).optional(),
  'max-days': numberFlag(0.001, 36_500).optional(),
  'event-class': z.array(z.string().min(1)).default([]),
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
      record: { type: 'string' },
      'record-fps': { type: 'string' },
      'segment-s': { type: 'string' },
      'max-gb': { type: 'string' },
      'max-days': { type: 'string' },
      'event-class': { type: 'string', multiple: true },
    },
    false,
  );
  void positionals;
  const flags = validateFlags(Flags, values);

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
      recipes: Object.fromEntries(
        flags.recipe.map((r) => [Number(r.slice(0, r.indexOf('='))), r.slice(r.indexOf('=') + 1)]),
      ),
      maxFrames: flags.frames,
      params: { confThreshold: flags.conf, iouThreshold: flags.iou, maxDet: 300, classFilter: null },
      statsWindowMs: Number.MAX_SAFE_INTEGER,
      log: (line) => writeLine(process.stderr, `vision-station: ${line}`),
      failFast: true,
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
          }
        : undefined,
    });
    const rt = runtime;
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
    const rec = rt.recorder?.stats();
    if (rec)
      writeLine(
        process.stderr,
        `vision-station: recorded ${rec.framesIndexed} frames (${rec.framesRecorded} pictures, ${rec.picturesDropped} dropped) into ${flags.record}${rec.stoppedBecause ? `; recording stopped: ${rec.stoppedBecause}` : ''}`,
      );
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
