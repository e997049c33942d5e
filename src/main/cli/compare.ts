/**
 * `compare --recording DIR --a NAME --b NAME [--match-iou 0.3] [--moved-iou 0.7] [--json]`
 * Per-frame differences between two result tracks of a recording and a summary per class.
 */
import { z } from 'zod';
import {
  diffFrame,
  isDifferent,
  summarise,
  type CompareDetection,
  type FrameDiff,
} from '../core/review/compare';
import { Recording } from '../recording/reader';
import type { ResultRow, TrackRow } from '../recording/index-db';
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

function confirmed(r: ResultRow, t: TrackRow): CompareDetection[] {
  return r.detections
    .filter((d) => d.score >= t.conf)
    .map((d) => ({ className: d.className, score: d.score, box: d.box }));
}

function countByClass(rows: Iterable<ResultRow>, t: TrackRow): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of rows) for (const d of confirmed(r, t)) m.set(d.className, (m.get(d.className) ?? 0) + 1);
  return m;
}

function countByLine(rows: Iterable<ResultRow>): Record<string, number> {
  const m: Record<string, number> = {};
  for (const r of rows) for (const c of r.crossings ?? []) m[c.line] = (m[c.line] ?? 0) + 1;
  return m;
}

const fpsOf = (t: TrackRow): number | null => (t.elapsedMs > 0 ? r2((t.frames * 1000) / t.elapsedMs) : null);

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
    const ta = rec.requireTrack(flags.a!);
    const tb = rec.requireTrack(flags.b!);
    const ra = rec.index.results(ta.name);
    const rb = rec.index.results(tb.name);
    const diffs: FrameDiff[] = [];
    const frames = rec.index.frames().filter((f) => ra.has(f.frameNo) && rb.has(f.frameNo));
    const opts = { matchIou: flags['match-iou'], movedIou: flags['moved-iou'] };
    for (const f of frames)
      diffs.push(
        diffFrame(
          f.frameNo,
          f.captureTimeMs,
          confirmed(ra.get(f.frameNo)!, ta),
          confirmed(rb.get(f.frameNo)!, tb),
          opts,
        ),
      );
    const both = new Set(frames.map((f) => f.frameNo));
    const inBoth = (m: Map<number, ResultRow>) => [...m.values()].filter((r) => both.has(r.frameNo));
    const summary = {
      ...summarise(diffs, countByClass(inBoth(ra), ta), countByClass(inBoth(rb), tb)),
      lines: { a: countByLine(inBoth(ra)), b: countByLine(inBoth(rb)) },
      a: { track: ta.name, model: ta.model, conf: ta.conf, frames: ta.frames, fps: fpsOf(ta) },
      b: { track: tb.name, model: tb.model, conf: tb.conf, frames: tb.frames, fps: fpsOf(tb) },
    };
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
