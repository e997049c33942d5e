/**
 * Trails of recent track positions for the live overlay: a bounded memory of the last few
 * reference points per track, fed one frame at a time, and a drawing helper. Tracks not seen for
 * a while are forgotten, so memory stays bounded however long the station runs. Pure; the
 * renderer draws it with drawTrails (src/renderer/src/trails.ts).
 */
import type { Detection, PointXy } from './detection';

export interface TrailOptions {
  /** Points kept per track. */
  maxPoints: number;
  /** A track not seen for this many frames is dropped. */
  forgetAfterFrames: number;
  /** At most this many tracks (the longest unseen go first). */
  maxTracks: number;
}

export const DEFAULT_TRAIL_OPTIONS: TrailOptions = { maxPoints: 30, forgetAfterFrames: 30, maxTracks: 256 };

export interface Trail {
  trackId: number;
  classId: number;
  /** Oldest first. */
  points: PointXy[];
  lastSeenFrame: number;
}

export class TrailStore {
  private readonly trails = new Map<number, Trail>();
  private frame = 0;

  constructor(private readonly opts: TrailOptions = DEFAULT_TRAIL_OPTIONS) {}

  /** Adds one frame's tracked detections (trackId ≥ 1); box centres are the trail points. */
  add(detections: readonly Detection[]): void {
    this.frame++;
    for (const d of detections) {
      if (d.trackId === undefined || d.trackId < 1) continue;
      const p: PointXy = [(d.box[0] + d.box[2]) / 2, (d.box[1] + d.box[3]) / 2];
      let t = this.trails.get(d.trackId);
      if (!t) {
        t = { trackId: d.trackId, classId: d.classId, points: [], lastSeenFrame: this.frame };
      } else this.trails.delete(d.trackId); // re-insert: map order = least recently seen first
      t.points.push(p);
      if (t.points.length > this.opts.maxPoints) t.points.splice(0, t.points.length - this.opts.maxPoints);
      t.classId = d.classId;
      t.lastSeenFrame = this.frame;
      this.trails.set(d.trackId, t);
    }
    for (const [id, t] of this.trails) {
      if (
        this.frame - t.lastSeenFrame <= this.opts.forgetAfterFrames &&
        this.trails.size <= this.opts.maxTracks
      )
        break;
      this.trails.delete(id);
    }
  }

  clear(): void {
    this.trails.clear();
  }

  /** Current trails, least recently seen first. */
  list(): Trail[] {
    return [...this.trails.values()];
  }
}
