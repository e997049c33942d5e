/**
 * `soak --model PATH [--source URI] [--minutes 10]`: runs the pipeline at full rate and reports
 * resident memory after the first minute and at the end, to show it stays flat.
 */
import { z } from 'zod';
import { DEFAULT_DECODE_PARAMS } from '../core/decoders/types';
import { createRuntime } from '../app/runtime';
import { numberFlag, parseFlags, validateFlags, writeLine } from './args';
import { summaryJson } from './run';

const Flags = z.object({
  model: z.string({ message: "is required (path to an .onnx file, or 'classic')" }).min(1),
  source: z.string().min(1).default('synthetic:?size=1280x720'),
  minutes: numberFlag(0.05, 24 * 60).default(10),
});

const mb = (bytes: number): number => Number((bytes / 1048576).toFixed(1));

export async function main(argv: string[]): Promise<number> {
  const { values } = parseFlags(
    argv,
    { model: { type: 'string' }, source: { type: 'string' }, minutes: { type: 'string' } },
    false,
  );
  const flags = validateFlags(Flags, values);
  const rt = await createRuntime({
    source: flags.source,
    model: flags.model,
    params: DEFAULT_DECODE_PARAMS,
    statsWindowMs: 60_000,
    log: (line) => writeLine(process.stderr, `vision-station: ${line}`),
    failFast: true,
  });
  const totalMs = flags.minutes * 60_000;
  const firstMinuteMs = Math.min(60_000, totalMs / 2);
  try {
    const rssStart = process.memoryUsage().rss;
    await rt.start();
    const at1 = await new Promise<number>((r) =>
      setTimeout(() => r(process.memoryUsage().rss), firstMinuteMs),
    );
    const samples: number[] = [];
    const sampler = setInterval(() => samples.push(process.memoryUsage().rss), 10_000);
    await new Promise((r) => setTimeout(r, totalMs - firstMinuteMs));
    clearInterval(sampler);
    const end = process.memoryUsage().rss;
    const failure = rt.failure();
    if (failure) {
      writeLine(process.stderr, `vision-station: soak: ${failure}`);
      return 1;
    }
    const stats = rt.pipeline.stats();
    writeLine(
      process.stdout,
      JSON.stringify({
        minutes: flags.minutes,
        frames: stats.frames,
        rssMb: {
          start: mb(rssStart),
          at1Min: mb(at1),
          end: mb(end),
          max: mb(Math.max(end, ...samples)),
          min: mb(Math.min(end, ...samples)),
        },
        rssChangePct: Number((((end - at1) / at1) * 100).toFixed(1)),
        lastMinute: summaryJson(stats, stats.fps).summary,
      }),
    );
    return 0;
  } finally {
    await rt.close();
  }
}
