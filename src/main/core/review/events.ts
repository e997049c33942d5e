/**
 * Event rules of a recording: which frames are worth a reviewer's attention (a class present, a
 * doubtful candidate, a line crossing, a PLC error), merged into events with pre- and post-roll.
 * Pure: the recorder feeds one frame's facts at a time and stores the events that close.
 */

export type EventKind = 'class' | 'doubtful' | 'crossing' | 'plc-error' | 'alarm';

export interface EventRules {
  /** A detection of one of these class names (at or above the threshold) opens a `class` event. */
  classes: readonly string[];
  /**
   * A candidate scoring in [minScore, confThreshold) opens a `doubtful` event; null disables.
   * Candidates exist only where the result track kept them (see `candidateThreshold` of a track).
   */
  doubtful: { minScore: number } | null;
  crossings: boolean;
  plcErrors: boolean;
  /** Picture kept before the first matching frame and after the last one. */
  preRollMs: number;
  postRollMs: number;
}

export const DEFAULT_EVENT_RULES: EventRules = {
  classes: [],
  doubtful: null,
  crossings: true,
  plcErrors: true,
  preRollMs: 2000,
  postRollMs: 2000,
};

/** What the rules look at in one frame. */
export interface FrameFacts {
  timeMs: number;
  frameNo: number;
  detections: readonly { className: string; score: number }[];
  confThreshold: number;
  crossings: readonly { line: string }[];
  plcError: string | null;
}

export interface RuleMatch {
  kind: EventKind;
  label: string;
  score: number | null;
}

export interface ReviewEvent {
  kind: EventKind;
  label: string;
  /** Capture time of the first and last matching frame. */
  firstMs: number;
  lastMs: number;
  /** The clip to show: first - preRoll .. last + postRoll. */
  startMs: number;
  endMs: number;
  firstFrameNo: number;
  frames: number;
  /** Highest score among the matches (null for kinds without a score). */
  peakScore: number | null;
}

export function matchRules(rules: EventRules, f: FrameFacts): RuleMatch[] {
  const best = new Map<string, RuleMatch>();
  const add = (m: RuleMatch): void => {
    const key = `${m.kind}\u0000${m.label}`;
    const prev = best.get(key);
    if (!prev || (m.score ?? -1) > (prev.score ?? -1)) best.set(key, m);
  };
  for (const d of f.detections) {
    if (d.score >= f.confThreshold) {
      if (rules.classes.includes(d.className)) add({ kind: 'class', label: d.className, score: d.score });
    } else if (rules.doubtful && d.score >= rules.doubtful.minScore) {
      add({ kind: 'doubtful', label: d.className, score: d.score });
    }
  }
  if (rules.crossings) for (const c of f.crossings) add({ kind: 'crossing', label: c.line, score: null });
  if (rules.plcErrors && f.plcError !== null) add({ kind: 'plc-error', label: f.plcError, score: null });
  return [...best.values()];
}

/**
 * Matches of the same kind and label merge into one event while the gap between them is at most
 * preRoll + postRoll (their clips would overlap); a longer gap closes the event.
 */
export class EventTracker {
  private readonly open = new Map<string, ReviewEvent>();

  constructor(private readonly rules: EventRules) {}

  /** Feed one frame (in capture order); returns the events this frame closed. */
  push(f: FrameFacts): ReviewEvent[] {
    const closed = this.closeBefore(f.timeMs);
    for (const m of matchRules(this.rules, f)) {
      const key = `${m.kind}\u0000${m.label}`;
      const ev = this.open.get(key);
      if (ev) {
        ev.lastMs = f.timeMs;
        ev.endMs = f.timeMs + this.rules.postRollMs;
        ev.frames++;
        if (m.score !== null) ev.peakScore = Math.max(ev.peakScore ?? m.score, m.score);
      } else {
        this.open.set(key, {
          kind: m.kind,
          label: m.label,
          firstMs: f.timeMs,
          lastMs: f.timeMs,
          startMs: f.timeMs - this.rules.preRollMs,
          endMs: f.timeMs + this.rules.postRollMs,
          firstFrameNo: f.frameNo,
          frames: 1,
          peakScore: m.score,
        });
      }
    }
    return closed;
  }

  /** Close every open event (end of the recording). */
  flush(): ReviewEvent[] {
    const out = [...this.open.values()];
    this.open.clear();
    return out.sort((a, b) => a.firstMs - b.firstMs);
  }

  private closeBefore(timeMs: number): ReviewEvent[] {
    const out: ReviewEvent[] = [];
    const gapMs = this.rules.preRollMs + this.rules.postRollMs;
    for (const [key, ev] of this.open) {
      if (timeMs - ev.lastMs > gapMs) {
        out.push(ev);
        this.open.delete(key);
      }
    }
    return out.sort((a, b) => a.firstMs - b.firstMs);
  }
}
