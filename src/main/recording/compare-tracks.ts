/**
 * A/B comparison of two result tracks of one recording, on the frames both have results for:
 * shared by the `compare` command and the review service.
 */
import {
  diffFrame,
  summarise,
  type CompareDetection,
  type CompareOptions,
  type FrameDiff,
} from '../core/review/compare';
import type { ResultRow, TrackRow } from './index-db';
import type { Recording } from './reader';

export interface TrackSummary {
  track: string;
  model: string;
  conf: number;
  frames: number;
  fps: number | null;
}

export interface TrackComparison extends ReturnType<typeof summarise> {
  a: TrackSummary;
  b: TrackSummary;
  lines: { a: Record<string, number>; b: Record<string, number> };
  /** Every compared frame, in time order (differing or not). */
  diffs: FrameDiff[];
}

const r2 = (v: number): number => Number(v.toFixed(2));

/** The objects a track reported (its candidates below the threshold are not results). */
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

const summaryOf = (t: TrackRow): TrackSummary => ({
  track: t.name,
  model: t.model,
  conf: t.conf,
  frames: t.frames,
  fps: t.elapsedMs > 0 ? r2((t.frames * 1000) / t.elapsedMs) : null,
});

export function compareTracks(rec: Recording, a: string, b: string, opts: CompareOptions): TrackComparison {
  const ta = rec.requireTrack(a);
  const tb = rec.requireTrack(b);
  const ra = rec.index.results(ta.name);
  const rb = rec.index.results(tb.name);
  const frames = rec.index.frames().filter((f) => ra.has(f.frameNo) && rb.has(f.frameNo));
  const diffs = frames.map((f) =>
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
  return {
    ...summarise(diffs, countByClass(inBoth(ra), ta), countByClass(inBoth(rb), tb)),
    lines: { a: countByLine(inBoth(ra)), b: countByLine(inBoth(rb)) },
    a: summaryOf(ta),
    b: summaryOf(tb),
    diffs,
  };
}
