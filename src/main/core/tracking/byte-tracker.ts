/**
 * ByteTrack-style multi-object tracker (Zhang et al., "ByteTrack: Multi-Object Tracking by
 * Associating Every Detection Box", 2022), pure and deterministic.
 *
 * Per frame, after every track's Kalman prediction (see kalman.ts):
 *  1. high-score detections ↔ confirmed and lost tracks, cost 1 − IoU, optimal assignment;
 *  2. low-score detections ↔ confirmed tracks still unmatched (not lost ones: a weak box near
 *     where a part vanished long ago is more likely noise); unmatched confirmed tracks become lost;
 *  3. remaining high-score detections ↔ tentative tracks; a tentative track that misses is removed;
 *  4. remaining high-score detections at or above newTrackThreshold start tentative tracks;
 *     low-score ones never do;
 *  5. tracks lost for more than lostBufferFrames are removed.
 *
 * Lifecycle: tentative → (minHits consecutive matches) confirmed ⇄ lost → removed. A track gets
 * its id when it is confirmed, from a counter that only grows, so ids are positive, consecutive
 * over confirmed tracks and never reused within one tracker. Only confirmed tracks matched in
 * this frame are reported; tentative tracks and unmatched low-score boxes are not (they are what
 * the tracker treats as noise).
 *
 * Association ignores class unless `classAware`; a track's class is the most frequent class of its
 * recent detections, and reported detections carry it.
 */
import type { BoxXyxy, Detection } from '../../../shared/detection';
import { iouXyxy } from '../geometry';
import { assignWithThreshold, type Assignment } from './assignment';
import { initiate, predict, stateBoxXyxy, update, type KalmanState } from './kalman';
import { parseTrackerOptions, type TrackerOptions, type TrackerOptionsInput } from './options';

export type TrackState = 'tentative' | 'confirmed' | 'lost';

export interface TrackInfo {
  /** ≥ 1 for confirmed and lost tracks; 0 while tentative (no id yet). */
  id: number;
  state: TrackState;
  classId: number;
  className: string;
  /** Kalman estimate of the box in this frame (predicted when not seen). */
  predictedBoxXyxy: BoxXyxy;
  /** Box of the last detection matched to the track. */
  lastBoxXyxy: BoxXyxy;
  /** Frames since the track was last matched (0 = this frame). */
  framesSinceSeen: number;
  /** Matched detections so far. */
  hits: number;
}

export interface TrackerFrame {
  /**
   * Detections of confirmed tracks matched in this frame, in input order, each with `trackId` set
   * and the track's class (most frequent recent class).
   */
  detections: Detection[];
  /** For each input detection: its track's id, or -1 when not reported. */
  trackIdOfInput: number[];
}

interface Track {
  id: number;
  state: TrackState;
  kalman: KalmanState;
  hits: number;
  framesSinceSeen: number;
  lastBoxXyxy: BoxXyxy;
  /** Most recent last; at most classHistoryFrames entries. */
  classHistory: { classId: number; className: string }[];
}

export class ByteTracker {
  readonly options: TrackerOptions;
  private tracks: Track[] = [];
  private lastId = 0;

  constructor(options: TrackerOptionsInput = {}) {
    this.options = parseTrackerOptions(options);
  }

  /** Forgets every track; ids keep counting up (never reused within this tracker). */
  clear(): void {
    this.tracks = [];
  }

  /** Tracks alive now (tentative, confirmed, lost), oldest first. */
  trackInfos(): TrackInfo[] {
    return this.tracks.map((t) => {
      const cls = majorityClass(t.classHistory);
      return {
        id: t.id,
        state: t.state,
        classId: cls.classId,
        className: cls.className,
        predictedBoxXyxy: stateBoxXyxy(t.kalman),
        lastBoxXyxy: t.lastBoxXyxy,
        framesSinceSeen: t.framesSinceSeen,
        hits: t.hits,
      };
    });
  }

  /**
   * Advances by `elapsedFrames` (≥ 1: frames dropped before this one still move the parts) and
   * associates this frame's detections.
   */
  update(detections: readonly Detection[], elapsedFrames = 1): TrackerFrame {
    if (!Number.isInteger(elapsedFrames) || elapsedFrames < 1)
      throw new RangeError(`elapsedFrames must be an integer >= 1, got ${elapsedFrames}`);
    const o = this.options;
    for (const t of this.tracks) {
      for (let k = 0; k < elapsedFrames; k++) t.kalman = predict(t.kalman, t.state === 'lost');
      t.framesSinceSeen += elapsedFrames;
    }

    const high: number[] = [];
    const low: number[] = [];
    detections.forEach((d, i) => {
      if (!Number.isFinite(d.score)) return;
      if (d.score >= o.highScoreThreshold) high.push(i);
      else if (d.score >= o.lowScoreThreshold) low.push(i);
    });
    const trackOfInput: (Track | null)[] = detections.map(() => null);
    const matchedTracks = new Set<Track>();

    const associate = (
      tracks: Track[],
      dets: number[],
      minIou: number,
    ): { tracks: Track[]; dets: number[] } => {
      const result = this.match(tracks, dets, detections, minIou);
      for (const [ti, di] of result.pairs) {
        const t = tracks[ti];
        const d = detections[dets[di]];
        t.kalman = update(t.kalman, d.box);
        t.hits++;
        t.framesSinceSeen = 0;
        t.lastBoxXyxy = [...d.box];
        t.classHistory.push({ classId: d.classId, className: d.className });
        if (t.classHistory.length > o.classHistoryFrames) t.classHistory.shift();
        trackOfInput[dets[di]] = t;
        matchedTracks.add(t);
      }
      return {
        tracks: result.unmatchedRows.map((i) => tracks[i]),
        dets: result.unmatchedCols.map((i) => dets[i]),
      };
    };

    // 1. High scores against confirmed and lost tracks.
    const pool = this.tracks.filter((t) => t.state !== 'tentative');
    const first = associate(pool, high, o.matchIouThreshold);
    for (const t of pool) if (matchedTracks.has(t)) t.state = 'confirmed';
    // 2. Low scores against confirmed tracks the first stage left over.
    const second = associate(
      first.tracks.filter((t) => t.state === 'confirmed'),
      low,
      o.lowScoreMatchIouThreshold,
    );
    for (const t of second.tracks) t.state = 'lost';
    // 3. Remaining high scores against tentative tracks; tentative tracks that miss are dropped.
    const tentative = this.tracks.filter((t) => t.state === 'tentative');
    const third = associate(tentative, first.dets, o.tentativeMatchIouThreshold);
    const removed = new Set<Track>(third.tracks);
    for (const t of tentative) if (!removed.has(t) && t.hits >= o.minHits) this.confirm(t);
    // 4. New tentative tracks from confident leftovers (low scores never start one).
    const born: Track[] = [];
    for (const i of third.dets) {
      const d = detections[i];
      if (d.score < o.newTrackThreshold) continue;
      const t: Track = {
        id: 0,
        state: 'tentative',
        kalman: initiate(d.box),
        hits: 1,
        framesSinceSeen: 0,
        lastBoxXyxy: [...d.box],
        classHistory: [{ classId: d.classId, className: d.className }],
      };
      if (o.minHits <= 1) this.confirm(t);
      trackOfInput[i] = t;
      born.push(t);
    }
    // 5. Lost too long.
    for (const t of this.tracks)
      if (t.state === 'lost' && t.framesSinceSeen > o.lostBufferFrames) removed.add(t);
    this.tracks = this.tracks.filter((t) => !removed.has(t)).concat(born);

    const out: Detection[] = [];
    const trackIdOfInput = detections.map((d, i) => {
      const t = trackOfInput[i];
      if (!t || t.state !== 'confirmed') return -1;
      const cls = majorityClass(t.classHistory);
      out.push({ ...d, classId: cls.classId, className: cls.className, trackId: t.id });
      return t.id;
    });
    return { detections: out, trackIdOfInput };
  }

  private confirm(t: Track): void {
    t.state = 'confirmed';
    t.id = ++this.lastId;
  }

  private match(
    tracks: Track[],
    dets: number[],
    detections: readonly Detection[],
    minIou: number,
  ): Assignment {
    const costs = new Float64Array(tracks.length * dets.length);
    tracks.forEach((t, ti) => {
      const box = stateBoxXyxy(t.kalman);
      const cls = this.options.classAware ? majorityClass(t.classHistory).classId : -1;
      dets.forEach((di, j) => {
        const d = detections[di];
        // 2 is above any threshold (1 − minIou ≤ 1): a pair of different classes is never made.
        costs[ti * dets.length + j] = cls >= 0 && d.classId !== cls ? 2 : 1 - iouXyxy(box, d.box);
      });
    });
    // A pair needs IoU ≥ minIou and, at IoU 0, is never worth making.
    return assignWithThreshold(
      { rows: tracks.length, cols: dets.length, costs },
      Math.min(1 - minIou, 1 - 1e-9),
    );
  }
}

/** Most frequent class; ties go to the class whose latest detection is the most recent. */
export function majorityClass(history: readonly { classId: number; className: string }[]): {
  classId: number;
  className: string;
} {
  const stats = new Map<number, { count: number; lastIndex: number; className: string }>();
  history.forEach((c, i) => {
    const s = stats.get(c.classId);
    if (s) {
      s.count++;
      s.lastIndex = i;
      s.className = c.className;
    } else stats.set(c.classId, { count: 1, lastIndex: i, className: c.className });
  });
  let bestId = -1;
  let best = { count: 0, lastIndex: -1, className: '' };
  for (const [classId, s] of stats)
    if (s.count > best.count || (s.count === best.count && s.lastIndex > best.lastIndex)) {
      bestId = classId;
      best = s;
    }
  return { classId: bestId, className: best.className };
}
