/**
 * The station's side of offline review: which recordings a client may open (the recordings
 * folder and plain video files in the videos folder of the data folder, by id, never by a path the
 * client gives), one re-run at a time in its own worker with progress and cancel, comparisons, and
 * exports into the exports folder. The review service (and its SQLite addon) loads on first use.
 */
import { EventEmitter } from 'node:events';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type {
  CompareRequest,
  ExportRecordingRequest,
  ExportRecordingResult,
  RerunRequestInput,
  ReviewComparison,
  ReviewEventInfo,
  ReviewFrame,
  ReviewFrameRequest,
  ReviewJobState,
  ReviewRecordingInfo,
  ReviewTarget,
  ReviewTimeline,
  ReviewTimelineRequest,
} from '../../shared/review';
import { MAX_COMPARE_FRAMES } from '../../shared/review';
import { DEFAULT_COMPARE_OPTIONS, isDifferent } from '../core/review/compare';
import { indexPath } from '../recording/layout';
import type { ReviewService, RunningJob } from '../recording/review-service';

export const RECORDINGS_DIR = 'recordings';
export const VIDEOS_DIR = 'videos';
export const EXPORTS_DIR = 'exports';

/** Plain video files the Review tab lists from the videos folder. */
const VIDEO_EXTENSIONS = new Set(['.mp4', '.mkv', '.mov', '.avi', '.webm', '.m4v', '.ts']);
/** Entries looked at per folder: a folder with thousands of files still lists quickly. */
const MAX_ENTRIES = 500;
/** Progress pushes at most this often (a fast re-run makes hundreds of frames a second). */
const PROGRESS_EVERY_MS = 200;
/** Pictures decoded at once (one ffmpeg each), and requests allowed to wait for one. */
const MAX_FRAME_DECODES = 2;
const MAX_FRAME_WAITING = 8;

export interface ReviewControlOptions {
  dataDir: string;
  workerPath: string;
  log: (line: string) => void;
  ffmpegPath?: string;
  /** Resolves a library model id to what a re-run loads (a model file path or `classic`). */
  resolveModel: (id: string) => Promise<string>;
}

const IDLE: ReviewJobState = {
  state: 'idle',
  recording: null,
  track: null,
  done: 0,
  total: 0,
  fps: null,
  error: null,
};

const isRecordingDir = (path: string): boolean => {
  try {
    return statSync(path).isDirectory() && statSync(indexPath(path)).isFile();
  } catch {
    return false;
  }
};

const isVideoFile = (path: string): boolean => {
  try {
    return VIDEO_EXTENSIONS.has(extname(path).toLowerCase()) && statSync(path).isFile();
  } catch {
    return false;
  }
};

function entries(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((n) => !n.startsWith('.'))
      .sort()
      .slice(0, MAX_ENTRIES);
  } catch {
    return []; // a folder not made yet lists nothing
  }
}

/** `2026-11-27T21-04-15`: a file name part that sorts by time. */
const stamp = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace(/:/g, '-');

export class ReviewControl extends EventEmitter<{ job: [ReviewJobState] }> {
  readonly recordingsDir: string;
  readonly videosDir: string;
  readonly exportsDir: string;
  private service: Promise<ReviewService> | null = null;
  private jobState: ReviewJobState = IDLE;
  private running: RunningJob<unknown> | null = null;
  private closed = false;
  private decoding = 0;
  private readonly waiting: (() => void)[] = [];
  private exporting = false;

  constructor(private readonly o: ReviewControlOptions) {
    super();
    this.recordingsDir = join(o.dataDir, RECORDINGS_DIR);
    this.videosDir = join(o.dataDir, VIDEOS_DIR);
    this.exportsDir = join(o.dataDir, EXPORTS_DIR);
  }

  get job(): ReviewJobState {
    return this.jobState;
  }

  /** Recordings (newest first), then the plain video files. */
  async list(): Promise<ReviewRecordingInfo[]> {
    const svc = await this.svc();
    const recordings: ReviewRecordingInfo[] = [];
    for (const name of entries(this.recordingsDir)) {
      const path = join(this.recordingsDir, name);
      if (!isRecordingDir(path)) continue;
      recordings.push({ ...(await svc.info(path)), path: `${RECORDINGS_DIR}/${name}` });
    }
    recordings.sort((a, b) => (b.startMs ?? 0) - (a.startMs ?? 0));
    const videos: ReviewRecordingInfo[] = [];
    for (const name of entries(this.videosDir)) {
      const path = join(this.videosDir, name);
      if (!isVideoFile(path)) continue;
      const id = `${VIDEOS_DIR}/${name}`;
      // A video nobody has re-run has no index yet: listing it must not probe every file.
      videos.push(
        existsSync(indexPath(`${path}.review`))
          ? { ...(await svc.info(path)), path: id }
          : { path: id, name, startMs: null, endMs: null, frames: 0, tracks: [] },
      );
    }
    return [...recordings, ...videos];
  }

  async info(id: string): Promise<ReviewRecordingInfo> {
    return { ...(await (await this.svc()).info(this.resolve(id))), path: id };
  }

  async timeline(req: ReviewTimelineRequest): Promise<ReviewTimeline> {
    return (await this.svc()).timeline(
      this.resolve(req.recording),
      req.track,
      req.fromMs,
      req.toMs,
      req.buckets,
    );
  }

  async events(req: ReviewTarget): Promise<ReviewEventInfo[]> {
    return (await this.svc()).events(this.resolve(req.recording), req.track);
  }

  /** Bounded: a client stepping fast (or a script) cannot start an ffmpeg per request. */
  async frame(req: ReviewFrameRequest): Promise<ReviewFrame | null> {
    const path = this.resolve(req.recording);
    const svc = await this.svc();
    // A finished decode hands its slot to the next waiting request, so at most MAX decode at once.
    if (this.decoding >= MAX_FRAME_DECODES) {
      if (this.waiting.length >= MAX_FRAME_WAITING)
        throw new Error('too many frame requests at once; try again');
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else this.decoding++;
    try {
      return await svc.frame(path, req.track, req.timeMs, req.step);
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.decoding--;
    }
  }

  async compare(req: CompareRequest): Promise<ReviewComparison> {
    const { diffs, ...summary } = await (
      await this.svc()
    ).compare(this.resolve(req.recording), req.a, req.b, {
      matchIou: req.matchIou ?? DEFAULT_COMPARE_OPTIONS.matchIou,
      movedIou: req.movedIou ?? DEFAULT_COMPARE_OPTIONS.movedIou,
    });
    return { ...summary, frames: diffs.filter(isDifferent).slice(0, MAX_COMPARE_FRAMES) };
  }

  /** Into a new file or folder under exports/ (never overwriting an earlier export). */
  async export(req: ExportRecordingRequest): Promise<ExportRecordingResult> {
    const path = this.resolve(req.recording);
    if (this.exporting) throw new Error('an export is being written; try again when it is done');
    this.exporting = true;
    try {
      return await this.exportTo(path, req);
    } finally {
      this.exporting = false;
    }
  }

  private async exportTo(path: string, req: ExportRecordingRequest): Promise<ExportRecordingResult> {
    const base = `${req.recording.slice(req.recording.indexOf('/') + 1)}-${req.track}-${stamp(Date.now())}`;
    const ext = req.format === 'csv' ? '.csv' : req.format === 'jsonl' ? '.jsonl' : '';
    let out = join(this.exportsDir, `${base}${ext}`);
    for (let n = 2; existsSync(out); n++) out = join(this.exportsDir, `${base}-${n}${ext}`);
    const { recording: _r, track, ...selection } = req;
    const s = await (await this.svc()).export(path, track, selection, out);
    return {
      path: out,
      format: req.format,
      track: s.track,
      frames: s.frames,
      detections: s.detections,
      withoutPicture: s.withoutPicture,
    };
  }

  /** Starts a re-run in the background (refused while one runs); progress as `job` events. */
  async startRerun(req: RerunRequestInput): Promise<ReviewJobState> {
    if (this.running) throw new Error(`a re-run of ${this.jobState.recording} is running; cancel it first`);
    const path = this.resolve(req.recording);
    const model = await this.o.resolveModel(req.modelId);
    const svc = await this.svc();
    if (this.running) throw new Error(`a re-run of ${this.jobState.recording} is running; cancel it first`);
    this.setJob({ ...IDLE, state: 'running', recording: req.recording, track: req.out });
    let lastPushMs = 0;
    const job = svc.rerun(
      path,
      {
        model,
        confThreshold: req.confThreshold,
        iouThreshold: req.iouThreshold,
        out: req.out,
        ...(req.doubtfulMin !== undefined ? { doubtfulMin: req.doubtfulMin } : {}),
      },
      (p) => {
        this.jobState = { ...this.jobState, done: p.done, total: p.total };
        const now = Date.now();
        if (now - lastPushMs >= PROGRESS_EVERY_MS) {
          lastPushMs = now;
          this.emit('job', this.jobState);
        }
      },
    );
    this.running = job;
    const cancelled = (): boolean => this.jobState.state === 'cancelled';
    job.done.then(
      (s) => {
        this.running = null;
        if (!cancelled()) this.setJob({ ...this.jobState, state: 'done', done: s.frames, fps: s.fps });
      },
      (e: unknown) => {
        this.running = null;
        if (!cancelled()) this.setJob({ ...this.jobState, state: 'failed', error: (e as Error).message });
        this.o.log(`re-run of ${req.recording} into ${req.out}: ${(e as Error).message}`);
      },
    );
    return this.jobState;
  }

  /** Stops the running re-run (its partial track stays, marked incomplete); resolves once stopped. */
  async cancelRerun(): Promise<ReviewJobState> {
    const job = this.running;
    if (!job) return this.jobState;
    this.setJob({ ...this.jobState, state: 'cancelled' });
    job.cancel();
    await job.done.catch(() => {});
    return this.jobState;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.cancelRerun();
    const svc = this.service;
    this.service = null;
    if (svc) (await svc.catch(() => null))?.close();
  }

  /**
   * The path of a recording the client names by id. Only names found in the two folders right
   * now are accepted: no `..`, no separators, no absolute paths, nothing outside them.
   */
  private resolve(id: string): string {
    const slash = id.indexOf('/');
    const kind = id.slice(0, slash);
    const name = id.slice(slash + 1);
    const dir = kind === RECORDINGS_DIR ? this.recordingsDir : kind === VIDEOS_DIR ? this.videosDir : null;
    if (slash < 0 || dir === null || !entries(dir).includes(name))
      throw new Error(`no recording '${id}' (choose one from the list of recordings)`);
    const path = join(dir, name);
    if (!(kind === RECORDINGS_DIR ? isRecordingDir(path) : isVideoFile(path)))
      throw new Error(`no recording '${id}' (choose one from the list of recordings)`);
    return path;
  }

  private svc(): Promise<ReviewService> {
    if (this.closed) return Promise.reject(new Error('the station is closing'));
    this.service ??= import('../recording/review-service').then(
      ({ ReviewService }) =>
        new ReviewService({
          roots: [this.recordingsDir],
          workerPath: this.o.workerPath,
          ffmpegPath: this.o.ffmpegPath,
          intraOpThreads: 1,
        }),
    );
    // A failed load (an addon not built for this runtime) is tried again next time.
    this.service.catch(() => (this.service = null));
    return this.service;
  }

  private setJob(s: ReviewJobState): void {
    this.jobState = s;
    this.emit('job', s);
  }
}
