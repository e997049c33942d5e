/**
 * Per-minute history of the station's rates: mean FPS, worst p95 latency and frames dropped, one
 * entry per wall-clock minute, in a bounded ring (oldest dropped first). A minute in which the
 * source was never live has null rates: the chart shows a gap there, not a line across it; a
 * minute with no samples at all (station down) has no entry, and `withGaps` turns that into nulls.
 */

export interface HistoryMinute {
  /** Start of the minute (ms since the epoch, a multiple of 60 000). */
  minuteMs: number;
  fps: number | null;
  latencyP95Ms: number | null;
  drops: number | null;
}

export interface HistorySample {
  atMs: number;
  fps: number;
  latencyP95Ms: number | null;
  /** The pipeline's drop counter (cumulative; it restarts from 0 with a new source). */
  droppedTotal: number;
  /** The source delivered frames at this sample. */
  live: boolean;
}

export const MINUTE_MS = 60_000;
/** 24 h: more than a shift, 1440 small entries. */
export const HISTORY_MINUTES = 24 * 60;

const round2 = (v: number): number => Math.round(v * 100) / 100;

export class HistoryRing {
  private readonly minutes: HistoryMinute[] = [];
  private open: {
    minuteMs: number;
    fpsSum: number;
    live: number;
    latency: number | null;
    drops: number;
  } | null = null;
  private lastDropped: number | null = null;

  constructor(
    private readonly capacity = HISTORY_MINUTES,
    initial: readonly HistoryMinute[] = [],
  ) {
    for (const m of initial.slice(-capacity)) this.minutes.push(m);
  }

  /** Adds one sample; returns the minute it completed, if the sample starts a new one. */
  add(s: HistorySample): HistoryMinute | null {
    const minuteMs = Math.floor(s.atMs / MINUTE_MS) * MINUTE_MS;
    let closed: HistoryMinute | null = null;
    if (this.open && minuteMs !== this.open.minuteMs) closed = this.close();
    if (!this.open) this.open = { minuteMs, fpsSum: 0, live: 0, latency: null, drops: 0 };
    const o = this.open;
    // A counter that went down restarted (new source): its whole value is new drops.
    const delta =
      this.lastDropped === null
        ? 0
        : s.droppedTotal >= this.lastDropped
          ? s.droppedTotal - this.lastDropped
          : s.droppedTotal;
    this.lastDropped = s.droppedTotal;
    o.drops += delta;
    if (s.live) {
      o.fpsSum += s.fps;
      o.live += 1;
      if (s.latencyP95Ms !== null) o.latency = Math.max(o.latency ?? 0, s.latencyP95Ms);
    }
    return closed;
  }

  private close(): HistoryMinute | null {
    const o = this.open;
    if (!o) return null;
    this.open = null;
    const m: HistoryMinute = {
      minuteMs: o.minuteMs,
      fps: o.live > 0 ? round2(o.fpsSum / o.live) : null,
      latencyP95Ms: o.live > 0 && o.latency !== null ? round2(o.latency) : null,
      drops: o.live > 0 ? o.drops : null,
    };
    this.minutes.push(m);
    while (this.minutes.length > this.capacity) this.minutes.shift();
    return m;
  }

  /** Completed minutes, oldest first. */
  list(): HistoryMinute[] {
    return this.minutes.map((m) => ({ ...m }));
  }
}

/** Every minute from the first entry to `untilMs`, with null rates where none was recorded. */
export function withGaps(minutes: readonly HistoryMinute[], untilMs: number): HistoryMinute[] {
  if (minutes.length === 0) return [];
  const out: HistoryMinute[] = [];
  const byMinute = new Map(minutes.map((m) => [m.minuteMs, m]));
  const last = Math.floor(untilMs / MINUTE_MS) * MINUTE_MS;
  for (let t = minutes[0].minuteMs; t <= last; t += MINUTE_MS)
    out.push(byMinute.get(t) ?? { minuteMs: t, fps: null, latencyP95Ms: null, drops: null });
  return out;
}
