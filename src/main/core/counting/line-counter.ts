/**
 * Directed counting lines: a track whose reference point changes side of a line (through the
 * segment, not its extension) makes one crossing event. The side is remembered per track and
 * line, so a track is counted once per line until it crosses back (which counts the other way).
 * A point exactly on the line keeps the side it had.
 */
import type { PointXy } from '../../../shared/detection';
import type { CrossingDirection, LineCount, LineCrossing } from '../../../shared/frame';
import { lineSideCross, moveCrossesSegment } from './geometry';
import type { LineSpec } from './specs';

export interface TrackPoint {
  trackId: number;
  point: PointXy;
}

interface TrackMemory {
  point: PointXy;
  /** Per line (index): +1 or −1, 0 when never off the line. */
  sides: Int8Array;
  lastFrame: number;
}

/** Track memories not refreshed for this many updates are forgotten (the tracker has dropped them). */
export const FORGET_AFTER_UPDATES = 10_000;
/** Hard bound on remembered tracks, oldest forgotten first. */
export const MAX_REMEMBERED_TRACKS = 4096;

export class LineCounter {
  private readonly memory = new Map<number, TrackMemory>();
  private readonly counts: { in: number; out: number }[];
  private updates = 0;

  constructor(readonly lines: readonly LineSpec[]) {
    this.counts = lines.map(() => ({ in: 0, out: 0 }));
  }

  /** Feeds one frame's tracked reference points; returns the crossings in this frame. */
  update(points: readonly TrackPoint[]): LineCrossing[] {
    this.updates++;
    const crossings: LineCrossing[] = [];
    for (const { trackId, point } of points) {
      if (trackId < 1) continue;
      let m = this.memory.get(trackId);
      if (!m) {
        m = { point, sides: new Int8Array(this.lines.length), lastFrame: this.updates };
        this.lines.forEach((l, i) => (m!.sides[i] = Math.sign(lineSideCross(l, point))));
        this.memory.set(trackId, m);
        continue;
      }
      this.lines.forEach((line, i) => {
        const crossNow = lineSideCross(line, point);
        const side = Math.sign(crossNow);
        if (side === 0) return;
        const before = m.sides[i];
        if (before !== 0 && side !== before) {
          const crossBefore = lineSideCross(line, m.point);
          // crossBefore may be 0 (the last point sat on the line): it then is the crossing point.
          if (crossBefore === 0 || moveCrossesSegment(line, m.point, point, crossBefore, crossNow)) {
            const direction: CrossingDirection = before > 0 ? 'in' : 'out';
            this.counts[i][direction]++;
            crossings.push({ line: line.name, trackId, direction });
          }
        }
        m.sides[i] = side;
      });
      m.point = point;
      m.lastFrame = this.updates;
      // Map order = insertion order: re-insert so the oldest-refreshed track is first.
      this.memory.delete(trackId);
      this.memory.set(trackId, m);
    }
    for (const [id, m] of this.memory) {
      if (this.memory.size <= MAX_REMEMBERED_TRACKS && this.updates - m.lastFrame <= FORGET_AFTER_UPDATES)
        break;
      this.memory.delete(id);
    }
    return crossings;
  }

  snapshot(): LineCount[] {
    return this.lines.map((l, i) => ({ line: l.name, in: this.counts[i].in, out: this.counts[i].out }));
  }

  /** Zeroes every counter (operator or PLC reset). Track sides are kept: no recount of parts already past. */
  resetCounts(): void {
    for (const c of this.counts) c.in = c.out = 0;
  }

  /** Restores persisted counters for lines that still exist (by name); others start at 0. */
  restoreCounts(saved: readonly LineCount[]): void {
    this.lines.forEach((l, i) => {
      const s = saved.find((c) => c.line === l.name);
      if (s) this.counts[i] = { in: s.in, out: s.out };
    });
  }
}
