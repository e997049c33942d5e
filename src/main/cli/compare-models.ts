/**
 * `compare-models --models M1,M2,... --data DATASET [--target-fps 4] [--headroom 1.5] [--json]`:
 * runs each model over the labelled set on this station, one after the other, and prints a table
 * (mAP50, mAP50-95, fps, p99 latency) and which model to use: the most accurate one that holds the
 * target fps with headroom.
 */
import { basename } from 'node:path';
import { z } from 'zod';
import { evaluateSetCoco } from '../core/metrics/evaluate-set';
import { formatScoreTable, recommendModel, type ModelScore } from '../core/metrics/recommend';
import { loadLabelledSet } from '../eval/datasets/load';
import { runModelOnSet } from '../eval/run-model';
import { workerScriptPath } from '../inference/worker-path';
import { intFlag, numberFlag, parseFlags, validateFlags, writeLine } from './args';
import { reportUnknownClasses } from './eval';

const Flags = z.object({
  models: z
    .string({ message: 'is required (comma-separated .onnx paths)' })
    .transform((s) => s.split(',').map((m) => m.trim()))
    .refine((l) => l.length >= 1 && l.every((m) => m !== ''), 'must be comma-separated .onnx paths'),
  data: z.string({ message: 'is required (a labelled set)' }).min(1),
  'target-fps': numberFlag(0.1, 1000).default(4),
  headroom: numberFlag(1, 10).default(1.5),
  conf: numberFlag(0, 1).default(0.001),
  'nms-iou': numberFlag(0, 1).default(0.7),
  'timing-frames': intFlag(1, 10_000).default(20),
  provider: z
    .enum(['cpu', 'cuda', 'tensorrt'], { message: "must be one of 'cpu', 'cuda', 'tensorrt'" })
    .default('cpu'),
  threads: intFlag(0, 256).default(0),
  json: z.boolean().default(false),
});

const r6 = (v: number): number => Number(v.toFixed(6));

export async function main(argv: string[]): Promise<number> {
  const { values } = parseFlags(
    argv,
    {
      models: { type: 'string' },
      data: { type: 'string' },
      'target-fps': { type: 'string' },
      headroom: { type: 'string' },
      conf: { type: 'string' },
      'nms-iou': { type: 'string' },
      'timing-frames': { type: 'string' },
      provider: { type: 'string' },
      threads: { type: 'string' },
      json: { type: 'boolean' },
    },
    false,
  );
  const flags = validateFlags(Flags, values);
  const warn = (m: string): void => writeLine(process.stderr, `vision-station: compare-models: ${m}`);
  const set = await loadLabelledSet(flags.data);
  set.warnings.forEach(warn);
  const rows: (ModelScore & { latencyMs: { p50: number; p95: number; p99: number }; model: string })[] = [];
  for (const modelPath of flags.models) {
    const run = await runModelOnSet(set, {
      workerPath: workerScriptPath(),
      modelPath,
      provider: flags.provider,
      threads: flags.threads,
      confThreshold: flags.conf,
      nmsIouThreshold: flags['nms-iou'],
      maxDet: 300,
      minTimedFrames: flags['timing-frames'],
      onStatus: warn,
    });
    run.warnings.forEach(warn);
    reportUnknownClasses(set, run.detections, basename(modelPath), warn);
    const { stats } = evaluateSetCoco(set, run.detections).json;
    rows.push({
      name: run.model.name,
      model: modelPath,
      mAP50: r6(stats.AP50),
      mAP5095: r6(stats.AP),
      fps: run.fps,
      p99LatencyMs: run.latencyMs.p99,
      latencyMs: run.latencyMs,
    });
  }
  const rec = recommendModel(rows, flags['target-fps'], flags.headroom);
  if (flags.json) {
    writeLine(
      process.stdout,
      JSON.stringify({
        images: set.images.length,
        targetFps: flags['target-fps'],
        headroom: flags.headroom,
        requiredFps: Number(rec.requiredFps.toFixed(2)),
        models: rows.map((r) => ({
          name: r.name,
          model: r.model,
          mAP50: r.mAP50,
          'mAP50-95': r.mAP5095,
          fps: r.fps,
          latencyMs: r.latencyMs,
        })),
        recommended: rec.name,
        recommendation: rec.text,
      }),
    );
  } else {
    writeLine(process.stdout, formatScoreTable(rows));
    writeLine(process.stdout, '');
    writeLine(
      process.stdout,
      `${set.images.length} images; COCO mAP; fps and p99 latency measured on this machine (${flags.provider}), one frame at a time`,
    );
    writeLine(process.stdout, rec.text);
  }
  return 0;
}
