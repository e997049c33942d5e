/**
 * `compare --recording DIR --a NAME --b NAME [--match-iou 0.3] [--moved-iou 0.7] [--json]`
 * Per-frame differences between two result tracks of a recording and a summary per class.
 */
import { z } from 'zod';
import { isDifferent, type CompareDetection, type FrameDiff } from '../core/review/compare';
import { compareTracks } from '../recording/compare-tracks';
import { Recording } from '../recording/reader';
import { numberFlag, parseFlags, validateFlags, writeLine } from './args';
import { trackName } from './rerun';

const Flags = z.object({
  recording: z.string({ message: 'is required (a recording folder or a video file)' }).min(1),
  a: trackName.optional().refine((v) => v !== undefined, 'is required (result track A)'),
  b: trackName.optional().refine((v) => v !== undefined, 'is required (result track B)'),
  'match-iou': numberFlag(0.01, 1).default(0.3),
  'moved-iou': numberFlag(0.01, 1).default(0.7),
  json: z.boolean().default(false),
});

const r2 = (v: number): number => Number(v.toFixed(2));

const describe = (d: CompareDetection): string =>
  `${d.className} ${d.score.toFixed(2)} [${d.box.map((v) => Math.round(v)).join(',')}]`;

function diffLine(d: FrameDiff): string {
  const parts = [
    ...d.onlyA.map((x) => `only in A: ${describe(x)}`),
    ...d.onlyB.map((x) => `only in B: ${describe(x)}`),
    ...d.classChanged.map(
      (x) => `class changed: ${x.a.className} → ${x.b.className} (IoU ${x.iou.toFixed(2)})`,
    ),
    ...d.moved.map((x) => `moved: ${x.a.className} IoU ${x.iou.toFixed(2)}`),
  ];
  return `frame ${d.frameNo} @ ${d.captureTimeMs}: ${parts.join('; ')}`;
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseFlags(
    argv,
    {
      recording: { type: 'string' },
      a: { type: 'string' },
      b: { type: 'string' },
      'match-iou': { type: 'string' },
      'moved-iou': { type: 'string' },
      json: { type: 'boolean' },
    },
    false,
  );
  const flags = validateFlags(Flags, values);
  const rec = await Recording.open(flags.recording);
  try {
    const { diffs, ...summary } = compareTracks(rec, flags.a!, flags.b!, {
      matchIou: flags['match-iou'],
      movedIou: flags['moved-iou'],
    });
    const ta = { name: summary.a.track, model: summary.a.model };
    const tb = { name: summary.b.track, model: summary.b.model };
    const different = diffs.filter(isDifferent);
    if (flags.json) {
      const round = (d: CompareDetection) => ({
        ...d,
        score: Number(d.score.toFixed(4)),
        box: d.box.map(r2),
      });
      writeLine(
        process.stdout,
        JSON.stringify({
          frames: different.map((d) => ({
            frameNo: d.frameNo,
            captureTimeMs: d.captureTimeMs,
            onlyA: d.onlyA.map(round),
            onlyB: d.onlyB.map(round),
            classChanged: d.classChanged.map((x) => ({ a: round(x.a), b: round(x.b), iou: r2(x.iou) })),
            moved: d.moved.map((x) => ({ a: round(x.a), b: round(x.b), iou: r2(x.iou) })),
          })),
          summary,
        }),
      );
    } else {
      for (const d of different) writeLine(process.stdout, diffLine(d));
      writeLine(
        process.stdout,
        `A = ${ta.name} (${ta.model}, ${summary.a.fps ?? '?'} fps), B = ${tb.name} (${tb.model}, ${summary.b.fps ?? '?'} fps): ${summary.framesDifferent} of ${summary.framesCompared} frames differ`,
      );
      for (const [cls, s] of Object.entries(summary.perClass))
        writeLine(
          process.stdout,
          `  ${cls}: A ${s.countA}, B ${s.countB}; only A ${s.onlyA}, only B ${s.onlyB}, class changed ${s.classChangedFromA}, moved ${s.moved}`,
        );
    }
    return 0;
  } finally {
    rec.close();
  }
}
