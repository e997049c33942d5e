/**
 * `rerun --recording DIR|VIDEO --model M [--conf 0.25] [--iou 0.45] [--doubtful-min X] --out NAME [--replace]`
 * Process a recording again as fast as the machine goes; the results become result track NAME.
 * Progress on stderr, a JSON summary on stdout.
 */
import { z } from 'zod';
import { InferenceEngine } from '../inference/engine';
import { workerScriptPath } from '../inference/worker-path';
import { Recording } from '../recording/reader';
import { rerun } from '../recording/rerun';
import { modelSpecFor } from '../inference/model';
import {
  inferenceFlagFields,
  inferenceFlagOptions,
  numberFlag,
  parseFlags,
  validateFlags,
  writeLine,
} from './args';

export const trackName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be a name of letters, digits, . _ - (at most 64)');

const Flags = z.object({
  recording: z.string({ message: 'is required (a recording folder or a video file)' }).min(1),
  model: z.string({ message: "is required (path to an .onnx file, or 'classic')" }).min(1),
  out: trackName.optional().refine((v) => v !== undefined, 'is required (name of the new result track)'),
  'doubtful-min': numberFlag(0, 1).optional(),
  replace: z.boolean().default(false),
  ...inferenceFlagFields,
});

export async function main(argv: string[]): Promise<number> {
  const { values } = parseFlags(
    argv,
    {
      recording: { type: 'string' },
      model: { type: 'string' },
      out: { type: 'string' },
      'doubtful-min': { type: 'string' },
      replace: { type: 'boolean' },
      ...inferenceFlagOptions,
    },
    false,
  );
  const flags = validateFlags(Flags, values);
  const rec = await Recording.open(flags.recording);
  const engine = new InferenceEngine({ workerPath: workerScriptPath() });
  engine.on('status', (m) => writeLine(process.stderr, `vision-station: ${m}`));
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await engine.load(modelSpecFor(flags.model, flags.provider, flags.threads));
    let lastReportMs = 0;
    const summary = await rerun(rec, {
      engine,
      track: flags.out!,
      params: { confThreshold: flags.conf, iouThreshold: flags.iou, maxDet: 300, classFilter: null },
      candidateConf: flags['doubtful-min'],
      replace: flags.replace,
      signal: abort.signal,
      onProgress: (done, total) => {
        const now = Date.now();
        if (now - lastReportMs < 500 && done !== total) return;
        lastReportMs = now;
        writeLine(
          process.stderr,
          `rerun: ${done}/${total} frames (${Math.floor((done * 100) / Math.max(1, total))} %)`,
        );
      },
    });
    writeLine(
      process.stdout,
      JSON.stringify({
        track: summary.track,
        frames: summary.frames,
        elapsedMs: Math.round(summary.elapsedMs),
        fps: Number(summary.fps.toFixed(2)),
      }),
    );
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await engine.close();
    rec.close();
  }
}
