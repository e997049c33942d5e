/**
 * Review of recordings for the UI (the station's review methods, through ReviewControl): list recordings under some folders, a timeline
 * of counts and events, a frame by time with its picture and stored results, re-runs with progress
 * and cancel, and exports. Recordings stay open between calls (a few at most).
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Detection } from '../../shared/detection';
import type {
  ReviewEventInfo,
  ReviewExportRequest,
  ReviewFrame,
  ReviewProgress,
  ReviewRecordingInfo,
  ReviewTimeline,
  TimelineBucket,
} from '../../shared/review';
import { InferenceEngine } from '../inference/engine';
import { modelSpecFor } from '../inference/model';
import type { CompareOptions } from '../core/review/compare';
import { compareTracks, type TrackComparison } from './compare-tracks';
import { exportRecording, type ExportSummary } from './export';
import type { EventRow, FrameRow, TrackRow } from './index-db';
import { indexPath } from './layout';
import { Recording, RecordingError } from './reader';
import { rerun, type RerunSummary } from './rerun';

const MAX_OPEN = 4;
const MAX_BUCKETS = 2000;

export interface ReviewServiceOptions {
  /** Folders holding recordings (each a sub-folder with an index), and recordings themselves. */
  roots: string[];
  workerPath: string;
  ffmpegPath?: string;
  /**
   * Threads of a re-run's inference (0: onnxruntime's default, every core). The station gives 1,
   * so a re-run beside the live line takes one core at most.
   */
  intraOpThreads?: number;
}

export interface RerunRequest {
  model: string;
  confThreshold: number;
  iouThreshold: number;
  out: string;
  doubtfulMin?: number;
}

export interface RunningJob<T> {
  readonly done: Promise<T>;
  cancel(): void;
}

const fpsOf = (t: TrackRow): number | null => (t.elapsedMs > 0 ? (t.frames * 1000) / t.elapsedMs : null);

const eventInfo = (e: EventRow): ReviewEventInfo => ({
  id: e.id,
  track: e.track,
  kind: e.kind,
  label: e.label,
  startMs: e.startMs,
  endMs: e.endMs,
  firstMs: e.firstMs,
  lastMs: e.lastMs,
  frames: e.frames,
  peakScore: e.peakScore,
});

export class ReviewService {
  private readonly open = new Map<string, Recording>();

  constructor(private readonly opts: ReviewServiceOptions) {}

  /** Recordings found directly in the roots (or the roots themselves), newest first. */
  async listRecordings(): Promise<ReviewRecordingInfo[]> {
    const found = new Set<string>();
    for (const root of this.opts.roots) {
      if (isRecording(root)) found.add(root);
      let names: string[];
      try {
        names = readdirSync(root);
      } catch {
        continue; // a root that is gone lists nothing
      }
      for (const n of names) if (isRecording(join(root, n))) found.add(join(root, n));
    }
    const out: ReviewRecordingInfo[] = [];
    for (const path of found) out.push(await this.info(path));
    return out.sort((a, b) => (b.startMs ?? 0) - (a.startMs ?? 0));
  }

  async info(path: string): Promise<ReviewRecordingInfo> {
    const rec = await this.recording(path);
    const frames = rec.index.frames();
    return {
      path,
      name: basename(path),
      startMs: frames[0]?.captureTimeMs ?? null,
      endMs: frames.at(-1)?.captureTimeMs ?? null,
      frames: frames.length,
      tracks: rec.tracks().map((t) => ({
        name: t.name,
        kind: t.kind,
        model: t.model,
        confThreshold: t.conf,
        frames: t.frames,
        fps: fpsOf(t),
      })),
    };
  }

  /** Counts of frames and detections (at or above the threshold) in `buckets` slices, and events. */
  async timeline(
    path: string,
    track: string,
    fromMs: number,
    toMs: number,
    buckets: number,
  ): Promise<ReviewTimeline> {
    const rec = await this.recording(path);
    const t = rec.requireTrack(track);
    const n = Math.max(1, Math.min(MAX_BUCKETS, Math.floor(buckets)));
    const spanMs = Math.max(1, toMs - fromMs);
    const out: TimelineBucket[] = Array.from({ length: n }, (_, i) => ({
      startMs: fromMs + (spanMs * i) / n,
      endMs: fromMs + (spanMs * (i + 1)) / n,
      frames: 0,
      detections: 0,
      byClass: {},
    }));
    const results = rec.index.results(t.name, fromMs, toMs);
    for (const f of rec.index.frames(fromMs, toMs)) {
      const b = out[Math.min(n - 1, Math.floor(((f.captureTimeMs - fromMs) / spanMs) * n))]!;
      b.frames++;
      for (const d of results.get(f.frameNo)?.detections ?? []) {
        if (d.score < t.conf) continue;
        b.detections++;
        b.byClass[d.className] = (b.byClass[d.className] ?? 0) + 1;
      }
    }
    const events = rec
      .events(t.name)
      .filter((e) => e.endMs >= fromMs && e.startMs <= toMs)
      .map(eventInfo);
    return { fromMs, toMs, buckets: out, events };
  }

  async events(path: string, track: string): Promise<ReviewEventInfo[]> {
    return (await this.recording(path)).events(track).map(eventInfo);
  }

  /**
   * The frame shown at `timeMs` (`step` 0), or the one `step` frames after/before it: stepping
   * one frame back and forward, whatever the frame rate.
   */
  async frame(path: string, track: string, timeMs: number, step = 0): Promise<ReviewFrame | null> {
    const rec = await this.recording(path);
    const t = rec.requireTrack(track);
    let row: FrameRow | null = rec.index.frameAt(timeMs);
    if (row && step !== 0) {
      const around =
        step > 0
          ? rec.index.frames(row.captureTimeMs)
          : rec.index.frames(-Infinity, row.captureTimeMs).reverse();
      const i = around.findIndex((f) => f.frameNo === row!.frameNo);
      row = around[Math.min(around.length - 1, i + Math.abs(step))] ?? row;
    }
    if (!row) return null;
    const r = rec.index.result(t.name, row.frameNo);
    const all: Detection[] = (r?.detections ?? []).map((d) => ({
      classId: d.classId,
      className: d.className,
      score: d.score,
      box: d.box,
      ...(d.trackId !== undefined ? { trackId: d.trackId } : {}),
      ...(d.polygon
        ? {
            mask: { areaPx: d.areaPx ?? 0, polygon: d.polygon, angleDeg: 0, centroid: centroidOf(d.polygon) },
          }
        : {}),
    }));
    let pictureDataUrl: string | null = null;
    if (rec.hasPicture(row))
      pictureDataUrl = `data:image/jpeg;base64,${(await rec.picture(row, 'jpeg')).toString('base64')}`;
    return {
      frameNo: row.frameNo,
      frameId: row.frameId,
      captureTimeMs: row.captureTimeMs,
      widthPx: row.widthPx,
      heightPx: row.heightPx,
      track: t.name,
      model: r?.model ?? null,
      confThreshold: r?.conf ?? null,
      detections: all.filter((d) => d.score >= t.conf),
      candidates: all.filter((d) => d.score < t.conf),
      pictureDataUrl,
      plc: r?.plc ?? null,
    };
  }

  /** Re-run with another model or thresholds into a new track; cancel() stops it (the partial track stays, marked incomplete). */
  rerun(path: string, req: RerunRequest, onProgress: (p: ReviewProgress) => void): RunningJob<RerunSummary> {
    const abort = new AbortController();
    const done = (async () => {
      const rec = await this.recording(path);
      const engine = new InferenceEngine({ workerPath: this.opts.workerPath });
      try {
        await engine.load(modelSpecFor(req.model, 'cpu', this.opts.intraOpThreads ?? 0));
        return await rerun(rec, {
          engine,
          track: req.out,
          params: {
            confThreshold: req.confThreshold,
            iouThreshold: req.iouThreshold,
            maxDet: 300,
            classFilter: null,
          },
          candidateConf: req.doubtfulMin,
          signal: abort.signal,
          onProgress: (d, total) => onProgress({ done: d, total }),
        });
      } finally {
        await engine.close();
      }
    })();
    return { done, cancel: () => abort.abort() };
  }

  async compare(path: string, a: string, b: string, opts: CompareOptions): Promise<TrackComparison> {
    return compareTracks(await this.recording(path), a, b, opts);
  }

  async export(path: string, track: string, req: ReviewExportRequest, out: string): Promise<ExportSummary> {
    const rec = await this.recording(path);
    return exportRecording(rec, { ...req, track, out });
  }

  close(): void {
    for (const r of this.open.values()) r.close();
    this.open.clear();
  }

  private async recording(path: string): Promise<Recording> {
    const hit = this.open.get(path);
    if (hit) {
      // Most recently used last: the first entry is the one to close when too many are open.
      this.open.delete(path);
      this.open.set(path, hit);
      return hit;
    }
    const rec = await Recording.open(path, { ffmpegPath: this.opts.ffmpegPath });
    this.open.set(path, rec);
    if (this.open.size > MAX_OPEN) {
      const [oldest, r] = this.open.entries().next().value as [string, Recording];
      r.close();
      this.open.delete(oldest);
    }
    return rec;
  }
}

function isRecording(path: string): boolean {
  try {
    return statSync(path).isDirectory() && statSync(indexPath(path)).isFile();
  } catch {
    return false;
  }
}

function centroidOf(polygon: [number, number][]): [number, number] {
  const n = Math.max(1, polygon.length);
  return [polygon.reduce((s, p) => s + p[0], 0) / n, polygon.reduce((s, p) => s + p[1], 0) / n];
}

export { RecordingError };
