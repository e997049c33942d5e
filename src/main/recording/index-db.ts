/**
 * The index of a recording (SQLite, WAL): segments of video, every frame's capture time and place
 * in the video, result tracks (the live one and re-runs) with every frame's detections, and events.
 * A frame's results are found from its capture time in ms (`frameAt`).
 */
import Database from 'better-sqlite3';
import type { ReviewEvent } from '../core/review/events';
import type { StoredDetection } from '../core/formats/types';

const SCHEMA_VERSION = '1';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS segments(
  seq INTEGER PRIMARY KEY, file TEXT NOT NULL, start_ms INTEGER NOT NULL, end_ms INTEGER,
  width_px INTEGER NOT NULL, height_px INTEGER NOT NULL, fps REAL NOT NULL,
  frames INTEGER NOT NULL DEFAULT 0, deleted INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS frames(
  frame_no INTEGER PRIMARY KEY, frame_id INTEGER NOT NULL, capture_ms INTEGER NOT NULL,
  width_px INTEGER NOT NULL, height_px INTEGER NOT NULL,
  segment_seq INTEGER, index_in_segment INTEGER);
CREATE INDEX IF NOT EXISTS frames_by_time ON frames(capture_ms);
CREATE INDEX IF NOT EXISTS frames_by_segment ON frames(segment_seq, index_in_segment);
CREATE TABLE IF NOT EXISTS tracks(
  name TEXT PRIMARY KEY, kind TEXT NOT NULL, model TEXT NOT NULL, conf REAL NOT NULL, iou REAL NOT NULL,
  candidate_conf REAL NOT NULL, created_ms INTEGER NOT NULL, elapsed_ms REAL NOT NULL DEFAULT 0,
  complete INTEGER NOT NULL DEFAULT 0, class_names TEXT NOT NULL DEFAULT '[]');
CREATE TABLE IF NOT EXISTS results(
  track TEXT NOT NULL, frame_no INTEGER NOT NULL, result_ms INTEGER NOT NULL, model TEXT NOT NULL,
  conf REAL NOT NULL, iou REAL NOT NULL, detections TEXT NOT NULL, crossings TEXT, plc TEXT,
  PRIMARY KEY(track, frame_no)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events(
  id INTEGER PRIMARY KEY, track TEXT NOT NULL, kind TEXT NOT NULL, label TEXT NOT NULL,
  first_ms INTEGER NOT NULL, last_ms INTEGER NOT NULL, start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL,
  first_frame_no INTEGER NOT NULL, frames INTEGER NOT NULL, peak_score REAL);
CREATE INDEX IF NOT EXISTS events_by_time ON events(track, start_ms);
`;

export interface SegmentRow {
  seq: number;
  file: string;
  startMs: number;
  endMs: number | null;
  widthPx: number;
  heightPx: number;
  fps: number;
  frames: number;
  deleted: boolean;
}

export interface FrameRow {
  frameNo: number;
  frameId: number;
  captureTimeMs: number;
  /** Camera size: the size detections are measured in. */
  widthPx: number;
  heightPx: number;
  /** Null when the picture was not recorded (encoder behind, recording stopped). */
  segmentSeq: number | null;
  indexInSegment: number | null;
}

export interface TrackRow {
  name: string;
  kind: 'live' | 'rerun';
  model: string;
  conf: number;
  iou: number;
  /** Detections down to this score are stored; those below `conf` are doubtful candidates. */
  candidateConf: number;
  createdMs: number;
  /** Wall time the track took to produce (live: first to last result). */
  elapsedMs: number;
  complete: boolean;
  classNames: string[];
  frames: number;
}

export interface ResultRow {
  track: string;
  frameNo: number;
  resultTimeMs: number;
  model: string;
  conf: number;
  iou: number;
  detections: StoredDetection[];
  crossings: { line: string; trackId?: number; direction?: string }[] | null;
  plc: { ok: boolean; error?: string; stale?: boolean } | null;
}

export interface EventRow extends ReviewEvent {
  id: number;
  track: string;
}

type Row = Record<string, unknown>;

const toFrame = (r: Row): FrameRow => ({
  frameNo: r['frame_no'] as number,
  frameId: r['frame_id'] as number,
  captureTimeMs: r['capture_ms'] as number,
  widthPx: r['width_px'] as number,
  heightPx: r['height_px'] as number,
  segmentSeq: (r['segment_seq'] as number | null) ?? null,
  indexInSegment: (r['index_in_segment'] as number | null) ?? null,
});

const toSegment = (r: Row): SegmentRow => ({
  seq: r['seq'] as number,
  file: r['file'] as string,
  startMs: r['start_ms'] as number,
  endMs: (r['end_ms'] as number | null) ?? null,
  widthPx: r['width_px'] as number,
  heightPx: r['height_px'] as number,
  fps: r['fps'] as number,
  frames: r['frames'] as number,
  deleted: r['deleted'] === 1,
});

const toResult = (r: Row): ResultRow => ({
  track: r['track'] as string,
  frameNo: r['frame_no'] as number,
  resultTimeMs: r['result_ms'] as number,
  model: r['model'] as string,
  conf: r['conf'] as number,
  iou: r['iou'] as number,
  detections: JSON.parse(r['detections'] as string) as StoredDetection[],
  crossings: r['crossings'] ? (JSON.parse(r['crossings'] as string) as ResultRow['crossings']) : null,
  plc: r['plc'] ? (JSON.parse(r['plc'] as string) as ResultRow['plc']) : null,
});

const toEvent = (r: Row): EventRow => ({
  id: r['id'] as number,
  track: r['track'] as string,
  kind: r['kind'] as EventRow['kind'],
  label: r['label'] as string,
  firstMs: r['first_ms'] as number,
  lastMs: r['last_ms'] as number,
  startMs: r['start_ms'] as number,
  endMs: r['end_ms'] as number,
  firstFrameNo: r['first_frame_no'] as number,
  frames: r['frames'] as number,
  peakScore: (r['peak_score'] as number | null) ?? null,
});

export class RecordingIndex {
  readonly db: Database.Database;
  private readonly stmts;

  /** Opens (creating when `create`) the index at `path`. */
  constructor(path: string, opts: { create: boolean; readonly?: boolean }) {
    this.db = new Database(path, { fileMustExist: !opts.create, readonly: opts.readonly ?? false });
    if (!opts.readonly) {
      this.db.pragma('journal_mode = WAL');
      // WAL + NORMAL: a power cut may lose the last commits, never corrupts the file.
      this.db.pragma('synchronous = NORMAL');
      this.db.exec(SCHEMA);
      this.db.prepare('INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)').run('schema', SCHEMA_VERSION);
    }
    const version = (
      this.db.prepare("SELECT value FROM meta WHERE key = 'schema'").get() as Row | undefined
    )?.['value'];
    if (version !== SCHEMA_VERSION)
      throw new Error(
        `${path}: recording index version ${String(version)} is not supported (expected ${SCHEMA_VERSION})`,
      );
    const db = this.db;
    this.stmts = {
      insertFrame: db.prepare(
        'INSERT INTO frames(frame_no, frame_id, capture_ms, width_px, height_px, segment_seq, index_in_segment) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      insertResult: db.prepare(
        'INSERT OR REPLACE INTO results(track, frame_no, result_ms, model, conf, iou, detections, crossings, plc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      setPlc: db.prepare(
        'UPDATE results SET plc = ? WHERE track = ? AND frame_no = (SELECT max(frame_no) FROM frames WHERE frame_id = ?)',
      ),
      insertEvent: db.prepare(
        'INSERT INTO events(track, kind, label, first_ms, last_ms, start_ms, end_ms, first_frame_no, frames, peak_score) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      frameAt: db.prepare(
        'SELECT * FROM frames WHERE capture_ms <= ? ORDER BY capture_ms DESC, frame_no DESC LIMIT 1',
      ),
      frameAfter: db.prepare(
        'SELECT * FROM frames WHERE capture_ms >= ? ORDER BY capture_ms, frame_no LIMIT 1',
      ),
      result: db.prepare('SELECT * FROM results WHERE track = ? AND frame_no = ?'),
    };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  nextFrameNo(): number {
    return (
      (((this.db.prepare('SELECT max(frame_no) m FROM frames').get() as Row)['m'] as number | null) ?? 0) + 1
    );
  }

  nextSegmentSeq(): number {
    return (
      (((this.db.prepare('SELECT max(seq) m FROM segments').get() as Row)['m'] as number | null) ?? 0) + 1
    );
  }

  // ---- writing ----

  upsertTrack(t: Omit<TrackRow, 'frames' | 'elapsedMs' | 'complete'>): void {
    this.db
      .prepare(
        `INSERT INTO tracks(name, kind, model, conf, iou, candidate_conf, created_ms, class_names) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET model = excluded.model, conf = excluded.conf, iou = excluded.iou,
           candidate_conf = excluded.candidate_conf, class_names = excluded.class_names, complete = 0`,
      )
      .run(
        t.name,
        t.kind,
        t.model,
        t.conf,
        t.iou,
        t.candidateConf,
        t.createdMs,
        JSON.stringify(t.classNames),
      );
  }

  finishTrack(name: string, elapsedMs: number, complete: boolean): void {
    this.db
      .prepare('UPDATE tracks SET elapsed_ms = elapsed_ms + ?, complete = ? WHERE name = ?')
      .run(elapsedMs, complete ? 1 : 0, name);
  }

  setClassNames(name: string, classNames: readonly string[]): void {
    this.db.prepare('UPDATE tracks SET class_names = ? WHERE name = ?').run(JSON.stringify(classNames), name);
  }

  deleteTrack(name: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM results WHERE track = ?').run(name);
      this.db.prepare('DELETE FROM events WHERE track = ?').run(name);
      this.db.prepare('DELETE FROM tracks WHERE name = ?').run(name);
    })();
  }

  addSegment(s: Omit<SegmentRow, 'endMs' | 'frames' | 'deleted'>): void {
    this.db
      .prepare(
        'INSERT INTO segments(seq, file, start_ms, width_px, height_px, fps) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(s.seq, s.file, s.startMs, s.widthPx, s.heightPx, s.fps);
  }

  endSegment(seq: number, endMs: number, frames: number): void {
    this.db.prepare('UPDATE segments SET end_ms = ?, frames = ? WHERE seq = ?').run(endMs, frames, seq);
  }

  markSegmentsDeleted(seqs: readonly number[]): void {
    const st = this.db.prepare('UPDATE segments SET deleted = 1 WHERE seq = ?');
    this.db.transaction(() => seqs.forEach((s) => st.run(s)))();
  }

  /** Drop frames, results and events captured before `beforeMs` (retention by age). */
  forgetBefore(beforeMs: number): void {
    this.db.transaction(() => {
      this.db
        .prepare('DELETE FROM results WHERE frame_no IN (SELECT frame_no FROM frames WHERE capture_ms < ?)')
        .run(beforeMs);
      this.db.prepare('DELETE FROM frames WHERE capture_ms < ?').run(beforeMs);
      this.db.prepare('DELETE FROM events WHERE end_ms < ?').run(beforeMs);
    })();
  }

  /** Frames with their results in one transaction: a reader never sees a frame without results. */
  addFrames(rows: readonly { frame: FrameRow; result: ResultRow | null }[]): void {
    this.db.transaction(() => {
      for (const { frame, result } of rows) this.insertFrame(frame, result);
    })();
  }

  addFrame(f: FrameRow, r: ResultRow | null): void {
    this.db.transaction(() => this.insertFrame(f, r))();
  }

  private insertFrame(f: FrameRow, r: ResultRow | null): void {
    {
      this.stmts.insertFrame.run(
        f.frameNo,
        f.frameId,
        f.captureTimeMs,
        f.widthPx,
        f.heightPx,
        f.segmentSeq,
        f.indexInSegment,
      );
      if (r) this.addResult(r);
    }
  }

  addResult(r: ResultRow): void {
    this.stmts.insertResult.run(
      r.track,
      r.frameNo,
      r.resultTimeMs,
      r.model,
      r.conf,
      r.iou,
      JSON.stringify(r.detections),
      r.crossings ? JSON.stringify(r.crossings) : null,
      r.plc ? JSON.stringify(r.plc) : null,
    );
  }

  /** Note how the PLC write of a frame (by its source frame id) went. */
  setPlcOutcome(track: string, frameId: number, plc: NonNullable<ResultRow['plc']>): void {
    this.stmts.setPlc.run(JSON.stringify(plc), track, frameId);
  }

  addEvent(track: string, e: ReviewEvent): void {
    this.stmts.insertEvent.run(
      track,
      e.kind,
      e.label,
      e.firstMs,
      e.lastMs,
      e.startMs,
      e.endMs,
      e.firstFrameNo,
      e.frames,
      e.peakScore,
    );
  }

  // ---- reading ----

  segments(includeDeleted = false): SegmentRow[] {
    return (
      this.db
        .prepare(`SELECT * FROM segments ${includeDeleted ? '' : 'WHERE deleted = 0'} ORDER BY seq`)
        .all() as Row[]
    ).map(toSegment);
  }

  segment(seq: number): SegmentRow | null {
    const r = this.db.prepare('SELECT * FROM segments WHERE seq = ?').get(seq) as Row | undefined;
    return r ? toSegment(r) : null;
  }

  tracks(): TrackRow[] {
    return (
      this.db
        .prepare(
          'SELECT t.*, (SELECT count(*) FROM results r WHERE r.track = t.name) n FROM tracks t ORDER BY created_ms, name',
        )
        .all() as Row[]
    ).map((r) => ({
      name: r['name'] as string,
      kind: r['kind'] as TrackRow['kind'],
      model: r['model'] as string,
      conf: r['conf'] as number,
      iou: r['iou'] as number,
      candidateConf: r['candidate_conf'] as number,
      createdMs: r['created_ms'] as number,
      elapsedMs: r['elapsed_ms'] as number,
      complete: r['complete'] === 1,
      classNames: JSON.parse(r['class_names'] as string) as string[],
      frames: r['n'] as number,
    }));
  }

  track(name: string): TrackRow | null {
    return this.tracks().find((t) => t.name === name) ?? null;
  }

  /** Frames in capture order, optionally within [fromMs, toMs]. */
  frames(fromMs = -Infinity, toMs = Infinity): FrameRow[] {
    return (
      this.db
        .prepare(
          'SELECT * FROM frames WHERE capture_ms >= ? AND capture_ms <= ? ORDER BY capture_ms, frame_no',
        )
        .all(Number.isFinite(fromMs) ? fromMs : -8.64e15, Number.isFinite(toMs) ? toMs : 8.64e15) as Row[]
    ).map(toFrame);
  }

  framesOfSegment(seq: number): FrameRow[] {
    return (
      this.db
        .prepare('SELECT * FROM frames WHERE segment_seq = ? ORDER BY index_in_segment')
        .all(seq) as Row[]
    ).map(toFrame);
  }

  /** The frame shown at `timeMs`: the last one captured at or before it (else the first after). */
  frameAt(timeMs: number): FrameRow | null {
    const r = (this.stmts.frameAt.get(timeMs) ?? this.stmts.frameAfter.get(timeMs)) as Row | undefined;
    return r ? toFrame(r) : null;
  }

  result(track: string, frameNo: number): ResultRow | null {
    const r = this.stmts.result.get(track, frameNo) as Row | undefined;
    return r ? toResult(r) : null;
  }

  results(track: string, fromMs = -Infinity, toMs = Infinity): Map<number, ResultRow> {
    const rows = this.db
      .prepare(
        `SELECT r.* FROM results r JOIN frames f ON f.frame_no = r.frame_no
         WHERE r.track = ? AND f.capture_ms >= ? AND f.capture_ms <= ? ORDER BY f.capture_ms, f.frame_no`,
      )
      .all(
        track,
        Number.isFinite(fromMs) ? fromMs : -8.64e15,
        Number.isFinite(toMs) ? toMs : 8.64e15,
      ) as Row[];
    return new Map(rows.map((r) => [r['frame_no'] as number, toResult(r)]));
  }

  events(track?: string): EventRow[] {
    const rows = (
      track === undefined
        ? this.db.prepare('SELECT * FROM events ORDER BY start_ms, id').all()
        : this.db
            .prepare("SELECT * FROM events WHERE track = ? OR kind = 'alarm' ORDER BY start_ms, id")
            .all(track)
    ) as Row[];
    return rows.map(toEvent);
  }
}
