/**
 * `eval --gt PATH --dets PATH [--format coco|voc] [--iou 0.5]`: scores a detection file against
 * ground truth. `eval --model M --data DATASET [--conf 0.001]`: runs the model over a labelled set
 * on this station and scores it, with fps and latency measured in the same run. One JSON line on
 * stdout; problems with the data (unknown classes, missing images) one line each on stderr.
 */
import { basename } from 'node:path';
import { z } from 'zod';
import { evaluateSetCoco, evaluateSetVoc, unknownDetectionClasses } from '../core/metrics/evaluate-set';
import type { DetectionRecord, LabelledSet } from '../core/metrics/labelled-set';
import { loadDetections, loadLabelledSet } from '../eval/datasets/load';
import { runModelOnSet } from '../eval/run-model';
import { workerScriptPath } from '../inference/worker-path';
import { intFlag, numberFlag, parseFlags, UsageError, validateFlags, writeLine } from './args';

const Flags = z.object({
  gt: z.string().min(1).optional(),
  dets: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  data: z.string().min(1).optional(),
  format: z.enum(['coco', 'voc'], { message: "must be 'coco' or 'voc'" }).default('coco'),
  iou: numberFlag(0.01, 1).optional(),
  conf: numberFlag(0, 1).default(0.001),
  'nms-iou': numberFlag(0, 1).default(0.7),
  'max-det': intFlag(1, 10_000).default(300),
  'timing-frames': intFlag(1, 10_000).default(20),
  provider: z
    .enum(['cpu', 'cuda', 'tensorrt'], { message: "must be one of 'cpu', 'cuda', 'tensorrt'" })
    .default('cpu'),
  threads: intFlag(0, 256).default(0),
});
type Flags = z.infer<typeof Flags>;

export const EVAL_FLAG_OPTIONS = {
  gt: { type: 'string' },
  dets: { type: 'string' },
  model: { type: 'string' },
  data: { type: 'string' },
  format: { type: 'string' },
  iou: { type: 'string' },
  conf: { type: 'string' },
  'nms-iou': { type: 'string' },
  'max-det': { type: 'string' },
  'timing-frames': { type: 'string' },
  provider: { type: 'string' },
  threads: { type: 'string' },
} as const;

export function warn(message: string): void {
  writeLine(process.stderr, `vision-station: eval: ${message}`);
}

/** Detections of classes the set does not have are reported, never dropped without a word. */
export function reportUnknownClasses(
  set: LabelledSet,
  dets: readonly DetectionRecord[],
  what: string,
  report: (message: string) => void = warn,
): void {
  const unknown = unknownDetectionClasses(set, dets);
  if (unknown.size > 0)
    report(
      `${what}: detections of classes the ground truth does not have, not scored: ${[...unknown]
        .map(([n, c]) => `${n} (${c})`)
        .join(', ')}`,
    );
}

function metricsJson(flags: Flags, set: LabelledSet, dets: readonly DetectionRecord[]) {
  return flags.format === 'coco'
    ? evaluateSetCoco(set, dets).json
    : evaluateSetVoc(set, dets, flags.iou ?? 0.5).json;
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, EVAL_FLAG_OPTIONS, false);
  const flags = validateFlags(Flags, values);
  const fileMode = flags.gt !== undefined || flags.dets !== undefined;
  const modelMode = flags.model !== undefined || flags.data !== undefined;
  if (fileMode === modelMode)
    throw new UsageError('give either --gt PATH --dets PATH, or --model PATH --data DATASET');
  if (fileMode && (flags.gt === undefined || flags.dets === undefined))
    throw new UsageError('--gt and --dets go together');
  if (modelMode && (flags.model === undefined || flags.data === undefined))
    throw new UsageError('--model and --data go together');
  if (flags.iou !== undefined && flags.format === 'coco')
    throw new UsageError('--iou applies to --format voc; COCO evaluation uses IoU 0.50:0.05:0.95');

  const set = await loadLabelledSet((flags.gt ?? flags.data)!);
  set.warnings.forEach(warn);
  if (fileMode) {
    const { detections, warnings } = loadDetections(flags.dets!, set);
    warnings.forEach(warn);
    reportUnknownClasses(set, detections, flags.dets!);
    writeLine(process.stdout, JSON.stringify(metricsJson(flags, set, detections)));
    return 0;
  }
  const run = await runModelOnSet(set, {
    workerPath: workerScriptPath(),
    modelPath: flags.model!,
    provider: flags.provider,
    threads: flags.threads,
    confThreshold: flags.conf,
    nmsIouThreshold: flags['nms-iou'],
    maxDet: flags['max-det'],
    minTimedFrames: flags['timing-frames'],
    onStatus: warn,
  });
  run.warnings.forEach(warn);
  reportUnknownClasses(set, run.detections, basename(flags.model!));
  writeLine(
    process.stdout,
    JSON.stringify({
      model: run.model.name,
      provider: run.model.provider,
      images: set.images.length,
      ...metricsJson(flags, set, run.detections),
      fps: run.fps,
      latencyMs: run.latencyMs,
      timedFrames: run.latenciesMs.length,
    }),
  );
  return 0;
}
