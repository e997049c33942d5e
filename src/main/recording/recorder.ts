/**
 * The recorder: an output beside PLC and serial. Every frame the pipeline produced goes into a
 * video segment (when the encoder keeps up) and its results into the recording's index, so a
 * reviewer finds what the line saw and decided at any millisecond. Events are cut by rules,
 * old segments removed by size and age.
 *
 * `offer` never blocks and never throws: a slow encoder drops pictures (counted, results still
 * indexed), and a write error (full disk) stops the recording with one alarm while the line goes on.
 */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { Detection } from '../../shared/detection';
import type { FrameResult } from '../../shared/frame';
import type { Frame, FramePicture } from '../capture/types';
import { resolveFfmpeg } from '../capture/ffmpeg-path';
import { DEFAULT_EVENT_RULES, EventTracker, type EventRules, type ReviewEvent } from '../core/review/events';
import { planRetention, type RetentionPolicy } from '../core/review/retention';
import type { StoredDetection } from '../core/formats/types';
import { RecordingIndex, type FrameRow, type ResultRow } from './index-db';
import { indexPath, segmentsPath } from './layout';
import { nodeRecorderFs, type RecorderFs } from './recorder-fs';
import { SegmentEncoder, segmentFileName } from './segment-encoder';

export interface RecorderOptions {
  dir: string;
  /** Name of the result track the live results go to. */
  track?: string;
  /** Nominal frame rate of the video files (playback speed); times come from the index. */
  fps?: number;
  segmentSeconds?: number;
  /**
   * Picture bytes allowed to wait for the encoder before new pictures are dropped (default
   * 32 MiB, and at least 2 frames): enough to ride out ffmpeg's start and a segment rotation.
   */
  maxQueuedBytes?: number;
  retention?: Partial<RetentionPolicy>;
  rules?: Partial<EventRules>;
  /**
   * Lowest score of the doubtful candidates offered with each frame (kept in the index, and a
   * `doubtful` event rule from it up to the threshold unless `rules.doubtful` says otherwise).
   */
  doubtfulMin?: number;
  /** Thresholds in force (asked at every frame: they can change while recording). */
  params: () => { confThreshold: number; iouThreshold: number };
  /** Class names of the model, for exports; classes seen in results are added anyway. */
  classNames?: () => readonly string[];
  ffmpegPath?: string;
  fs?: RecorderFs;
  log?: (line: string) => void;
}

export interface RecorderAlarm {
  atMs: number;
  reason: string;
}

export interface RecorderStats {
  framesIndexed: number;
  framesRecorded: number;
  /** Pictures dropped because the encoder was behind (their results are indexed all the same). */
  picturesDropped: number;
  segmentsDeleted: number;
  /** Why recording stopped, or null while it runs. */
  stoppedBecause: string | null;
}

/** Index rows are committed at least this often, and at least every this many frames. */
const INDEX_BATCH_MS = 250;
const INDEX_BATCH_ROWS = 16;

export const DEFAULT_RETENTION: RetentionPolicy = { maxBytes: 10 * 1024 ** 3, maxAgeMs: 7 * 24 * 3600_000 };

export function toStoredDetection(d: Detection): StoredDetection {
  return {
    classId: d.classId,
    className: d.className,
    score: d.score,
    box: d.box,
    ...(d.trackId !== undefined && d.trackId >= 0 ? { trackId: d.trackId } : {}),
    ...(d.mask ? { polygon: d.mask.polygon, areaPx: d.mask.areaPx } : {}),
  };
}

export class Recorder extends EventEmitter<{
  alarm: [RecorderAlarm];
  event: [ReviewEvent];
  /** close() finished: listeners feeding this recorder can go. */
  closed: [];
}> {
  readonly name = 'recorder';
  readonly index: RecordingIndex;
  private readonly track: string;
  private readonly fps: number;
  private readonly framesPerSegment: number;
  private readonly retention: RetentionPolicy;
  private readonly events: EventTracker;
  private readonly fs: RecorderFs;
  private readonly segmentsDir: string;
  private readonly ffmpegPath: string;
  private encoder: SegmentEncoder | null = null;
  private readonly retiring = new Set<Promise<void>>();
  private nextFrameNo: number;
  private nextSeq: number;
  private currentSeq: number | null = null;
  private currentSegFrames = 0;
  private lastCaptureMs = 0;
  private firstResultMs: number | null = null;
  private lastResultMs: number | null = null;
  private trackWritten = false;
  private readonly classNames = new Map<number, string>();
  private pendingPlcError: string | null = null;
  private pending: { frame: FrameRow; result: ResultRow }[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private stoppedBecause: string | null = null;
  private closed = false;
  private readonly counts = { framesIndexed: 0, framesRecorded: 0, picturesDropped: 0, segmentsDeleted: 0 };

  constructor(private readonly opts: RecorderOptions) {
    super();
    this.fs = opts.fs ?? nodeRecorderFs;
    this.track = opts.track ?? 'live';
    this.fps = opts.fps ?? 10;
    this.framesPerSegment = Math.max(1, Math.round(this.fps * (opts.segmentSeconds ?? 60)));
    this.retention = { ...DEFAULT_RETENTION, ...opts.retention };
    this.events = new EventTracker({
      ...DEFAULT_EVENT_RULES,
      ...(opts.doubtfulMin !== undefined ? { doubtful: { minScore: opts.doubtfulMin } } : {}),
      ...opts.rules,
    });
    this.segmentsDir = segmentsPath(opts.dir);
    this.ffmpegPath = opts.ffmpegPath ?? resolveFfmpeg().path;
    this.fs.mkdirp(this.segmentsDir);
    this.index = new RecordingIndex(indexPath(opts.dir), { create: true });
    this.nextFrameNo = this.index.nextFrameNo();
    this.nextSeq = this.index.nextSegmentSeq();
  }

  stats(): RecorderStats {
    return {
      ...this.counts,
      picturesDropped: this.counts.picturesDropped + (this.encoder?.dropped ?? 0),
      stoppedBecause: this.stoppedBecause,
    };
  }

  /** Picture bytes waiting for the encoder (0 when it keeps up). */
  get pictureBacklogBytes(): number {
    return this.encoder?.backlogBytes ?? 0;
  }

  /**
   * One processed frame and its picture (valid during the call; copied if recorded), with the
   * candidates the pipeline found below the threshold (stored as doubtful ones).
   */
  offer(result: FrameResult, frame: Frame | null, candidates: readonly Detection[] = []): void {
    if (this.closed || this.stoppedBecause) return;
    try {
      this.record(result, frame, candidates);
    } catch (e) {
      this.stop(`recording failed: ${(e as Error).message}`, result.captureTimeMs);
    }
  }

  /** How the PLC write of a frame went (by source frame id). */
  notePlcWrite(frameId: number, outcome: NonNullable<ResultRow['plc']>): void {
    if (this.closed || this.stoppedBecause) return;
    try {
      const pending = this.pending.find((p) => p.frame.frameId === frameId);
      if (pending?.result) pending.result.plc = outcome;
      else this.index.setPlcOutcome(this.track, frameId, outcome);
    } catch (e) {
      this.stop(`recording failed: ${(e as Error).message}`, Date.now());
    }
  }

  /** A PLC error: the next frame opens a `plc-error` event. */
  notePlcError(message: string): void {
    this.pendingPlcError = message;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.encoder?.close();
    await Promise.all(this.retiring);
    this.encoder = null;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.guard(() => {
      this.flushRows();
      for (const e of this.events.flush()) {
        this.index.addEvent(this.track, e);
        this.emit('event', e);
      }
      if (this.trackWritten) this.index.setClassNames(this.track, this.allClassNames());
      if (this.currentSeq !== null)
        this.index.endSegment(this.currentSeq, this.lastCaptureMs, this.currentSegFrames);
      if (this.trackWritten && this.firstResultMs !== null && this.lastResultMs !== null)
        this.index.finishTrack(
          this.track,
          this.lastResultMs - this.firstResultMs,
          this.stoppedBecause === null,
        );
    });
    this.index.close();
    this.emit('closed');
  }

  /** The model's names, with any class seen in results but missing from them filled in. */
  private allClassNames(): string[] {
    const names = [...(this.opts.classNames?.() ?? [])];
    for (const [id, name] of this.classNames) if (names[id] === undefined) names[id] = name;
    return Array.from(names, (n, i) => n ?? `class${i}`);
  }

  private record(result: FrameResult, frame: Frame | null, offered: readonly Detection[]): void {
    const params = this.opts.params();
    const floor = this.opts.doubtfulMin;
    // Only candidates in the band this recording keeps (a floor changed meanwhile keeps no more).
    const candidates =
      floor === undefined ? [] : offered.filter((d) => d.score >= floor && d.score < params.confThreshold);
    const detections = candidates.length > 0 ? [...result.detections, ...candidates] : result.detections;
    if (!this.trackWritten) {
      this.index.upsertTrack({
        name: this.track,
        kind: 'live',
        model: result.modelName,
        conf: params.confThreshold,
        iou: params.iouThreshold,
        candidateConf: Math.min(floor ?? params.confThreshold, params.confThreshold),
        createdMs: result.captureTimeMs,
        classNames: [...(this.opts.classNames?.() ?? [])],
      });
      this.trackWritten = true;
    }
    for (const d of result.detections) this.classNames.set(d.classId, d.className);
    this.firstResultMs ??= result.resultTimeMs;
    this.lastResultMs = result.resultTimeMs;

    const place = frame ? this.writePicture(frame, result.captureTimeMs) : null;
    const frameNo = this.nextFrameNo++;
    const plcError = this.pendingPlcError;
    this.pendingPlcError = null;
    this.queueRow(
      {
        frameNo,
        frameId: result.frameId,
        captureTimeMs: result.captureTimeMs,
        widthPx: result.widthPx,
        heightPx: result.heightPx,
        segmentSeq: place?.seq ?? null,
        indexInSegment: place?.indexInSegment ?? null,
      },
      {
        track: this.track,
        frameNo,
        resultTimeMs: result.resultTimeMs,
        model: result.modelName,
        conf: params.confThreshold,
        iou: params.iouThreshold,
        detections: detections.map(toStoredDetection),
        crossings: result.crossings && result.crossings.length > 0 ? result.crossings : null,
        plc: plcError ? { ok: false, error: plcError } : null,
      },
    );
    this.counts.framesIndexed++;
    this.lastCaptureMs = result.captureTimeMs;
    for (const e of this.events.push({
      timeMs: result.captureTimeMs,
      frameNo,
      detections,
      confThreshold: params.confThreshold,
      crossings: result.crossings ?? [],
      plcError,
    })) {
      this.index.addEvent(this.track, e);
      this.emit('event', e);
    }
  }

  /**
   * Index rows are committed in small batches: one WAL commit per frame would write several
   * pages per frame (tables and indexes), many times the size of the rows themselves.
   */
  private queueRow(frame: FrameRow, result: ResultRow): void {
    this.pending.push({ frame, result });
    if (
      this.pending.length >= INDEX_BATCH_ROWS ||
      frame.captureTimeMs - this.pending[0]!.frame.captureTimeMs >= INDEX_BATCH_MS
    )
      this.flushRows();
    else if (!this.flushTimer) {
      // Frames may stop coming (camera lost): the rows still reach the disk soon.
      this.flushTimer = setTimeout(() => {
        this.flushTimer = null;
        if (!this.closed && !this.stoppedBecause)
          try {
            this.flushRows();
          } catch (e) {
            this.stop(`recording failed: ${(e as Error).message}`, Date.now());
          }
      }, INDEX_BATCH_MS);
      this.flushTimer.unref();
    }
  }

  private flushRows(): void {
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    this.index.addFrames(rows);
  }

  private writePicture(frame: Frame, captureTimeMs: number) {
    // Where the decoder made the model-sized frame (the app), it is the camera picture letterboxed
    // into the model input: the reviewer gets the preview picture of the same frame instead, at the
    // camera's aspect, onto which results in camera pixels scale as they do on any shrunk picture.
    const pic: FramePicture = frame.preview ?? frame;
    if (this.encoder && !this.encoderFits(pic)) this.retireEncoder();
    if (!this.encoder) this.startEncoder(pic);
    const enc = this.encoder!;
    const place = enc.write(pic.rgb);
    if (!place) return null;
    if (place.seq !== this.currentSeq) this.openSegment(place.seq, captureTimeMs, pic);
    this.currentSegFrames++;
    this.counts.framesRecorded++;
    return place;
  }

  private encoderWidth = 0;
  private encoderHeight = 0;
  private encoderFits(frame: FramePicture): boolean {
    return frame.widthPx === this.encoderWidth && frame.heightPx === this.encoderHeight;
  }

  private startEncoder(frame: FramePicture): void {
    this.encoderWidth = frame.widthPx;
    this.encoderHeight = frame.heightPx;
    const enc = new SegmentEncoder({
      ffmpegPath: this.ffmpegPath,
      segmentsDir: this.segmentsDir,
      widthPx: frame.widthPx,
      heightPx: frame.heightPx,
      fps: this.fps,
      framesPerSegment: this.framesPerSegment,
      startSeq: this.nextSeq,
      maxQueuedBytes: Math.max(
        this.opts.maxQueuedBytes ?? 32 * 1024 * 1024,
        2 * frame.widthPx * frame.heightPx * 3,
      ),
    });
    enc.on('failed', (e) => {
      if (enc === this.encoder) this.stop(e.message, Date.now());
    });
    this.encoder = enc;
  }

  /** The picture changed size: finish this encoder's segment and start a new one. */
  private retireEncoder(): void {
    const old = this.encoder!;
    this.counts.picturesDropped += old.dropped;
    this.nextSeq = old.nextPlace.indexInSegment === 0 ? old.nextPlace.seq : old.nextPlace.seq + 1;
    this.encoder = null;
    const p = old.close().finally(() => this.retiring.delete(p));
    this.retiring.add(p);
  }

  private openSegment(seq: number, startMs: number, frame: FramePicture): void {
    if (this.currentSeq !== null)
      this.index.endSegment(this.currentSeq, this.lastCaptureMs, this.currentSegFrames);
    this.index.addSegment({
      seq,
      file: segmentFileName(seq),
      startMs,
      widthPx: frame.widthPx,
      heightPx: frame.heightPx,
      fps: this.fps,
    });
    this.currentSeq = seq;
    this.nextSeq = seq + 1;
    this.currentSegFrames = 0;
    this.applyRetention(startMs);
  }

  private applyRetention(nowMs: number): void {
    const usage = this.index.segments().map((s) => ({
      seq: s.seq,
      startMs: s.startMs,
      bytes: this.fs.sizeBytes(join(this.segmentsDir, s.file)) ?? 0,
    }));
    // ffmpeg lags the index by its stdin backlog: the previous segment may still be being finished.
    const keep = this.currentSeq === null ? [] : [this.currentSeq, this.currentSeq - 1];
    const doomed = planRetention(usage, keep, nowMs, this.retention);
    for (const seq of doomed) this.fs.remove(join(this.segmentsDir, segmentFileName(seq)));
    if (doomed.length > 0) {
      this.index.markSegmentsDeleted(doomed);
      this.counts.segmentsDeleted += doomed.length;
    }
    if (this.retention.maxAgeMs !== null) this.index.forgetBefore(nowMs - this.retention.maxAgeMs);
  }

  private stop(reason: string, atMs: number): void {
    if (this.stoppedBecause) return;
    this.stoppedBecause = reason;
    const alarm = { atMs, reason };
    this.guard(() => this.flushRows());
    // The index may be on the same full disk; the alarm goes out whether or not it can be stored.
    this.guard(() =>
      this.index.addEvent(this.track, {
        kind: 'alarm',
        label: reason,
        firstMs: atMs,
        lastMs: atMs,
        startMs: atMs,
        endMs: atMs,
        firstFrameNo: this.nextFrameNo,
        frames: 0,
        peakScore: null,
      }),
    );
    this.opts.log?.(`recorder: ${reason}; recording stopped, the line goes on`);
    const enc = this.encoder;
    if (enc) {
      this.encoder = null;
      const p = enc.close().finally(() => this.retiring.delete(p));
      this.retiring.add(p);
    }
    this.emit('alarm', alarm);
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.opts.log?.(`recorder: cannot update the index: ${(e as Error).message}`);
    }
  }
}
