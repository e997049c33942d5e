/**
 * Shifts: which shift a moment belongs to, and part counts per shift, counting line and class.
 *
 * A schedule is a list of named local start times; each shift runs until the next one's start
 * (the last until the first one's start the next day). Shifts are read on the local wall clock of
 * the schedule's time zone, so across a DST change the clock, not the hour count, decides: the
 * night shift 22:00–06:00 lasts 9 h when the clocks go back and 7 h when they go forward. A start
 * time the clocks jump over (spring forward) begins at the jump; one they pass twice (fall back)
 * begins at its first passing. Pure: the time zone is read with Intl, no I/O.
 */
import { z } from 'zod';
import type { ShiftCountRow, ShiftSchedule, ShiftSlot } from '../../shared/shift-counts';
import type { CrossingDirection } from '../../shared/frame';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
export const MAX_SHIFTS_PER_DAY = 12;
/** Classes counted separately per line and shift; further ones are summed under OTHER_CLASS. */
export const MAX_CLASSES_PER_LINE = 256;
export const OTHER_CLASS = '(other)';
/** Lines kept per shift (the station has at most 8; removed lines keep their old rows). */
export const MAX_LINES_PER_SHIFT = 32;

export const DEFAULT_SHIFTS = [
  { name: 'Early', start: '06:00' },
  { name: 'Late', start: '14:00' },
  { name: 'Night', start: '22:00' },
];

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const minuteOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

export const shiftScheduleSchema = z
  .object({
    shifts: z
      .array(
        z
          .object({
            name: z
              .string()
              .regex(/^[\p{L}\p{N} _.-]{1,32}$/u, 'must be 1 to 32 letters, digits, spaces, _ . or -'),
            start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM (00:00 to 23:59)'),
          })
          .strict(),
      )
      .min(1, 'at least one shift')
      .max(MAX_SHIFTS_PER_DAY, `at most ${MAX_SHIFTS_PER_DAY} shifts a day`)
      .refine((s) => new Set(s.map((x) => x.name)).size === s.length, {
        message: 'shift names must be unique',
      })
      .refine((s) => new Set(s.map((x) => x.start)).size === s.length, {
        message: 'two shifts cannot start at the same time',
      })
      .default(DEFAULT_SHIFTS),
    timeZone: z
      .string()
      .refine(isTimeZone, { message: 'not a time zone (e.g. Europe/Berlin, Asia/Seoul)' })
      .nullable()
      .default(null)
      .describe("IANA time zone; null: the station's own"),
    keepDays: z.number().int().min(30).max(366).default(31),
  })
  .strict();

// ---------------------------------------------------------------------------------------------
// Local wall clock
// ---------------------------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    // A handful of zones at most (the schedule's and the station's); bound it anyway.
    if (formatters.size > 16) formatters.clear();
    formatters.set(tz, f);
  }
  return f;
}

/** The local wall-clock time at `atMs`, written as if it were UTC (Date.UTC of the local fields). */
export function wallMs(atMs: number, tz: string): number {
  const p: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(new Date(atMs)))
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) + (((atMs % 1000) + 1000) % 1000);
}

const isoDay = (wall: number): string => new Date(wall).toISOString().slice(0, 10);
const dayMs = (day: string): number => Date.parse(`${day}T00:00:00Z`);

/**
 * The first instant at which the local clock of `tz` shows `minuteOfDay` on `day` (or, when the
 * clocks jump over it, the instant of the jump).
 */
export function localToUtcMs(day: string, minuteOfDay: number, tz: string): number {
  const wall = dayMs(day) + minuteOfDay * MINUTE_MS;
  // Offsets a day apart bracket any DST change (they are months apart).
  const candidates = [
    ...new Set([
      wall - (wallMs(wall - DAY_MS, tz) - (wall - DAY_MS)),
      wall - (wallMs(wall + DAY_MS, tz) - (wall + DAY_MS)),
    ]),
  ].sort((a, b) => a - b);
  for (const c of candidates) if (wallMs(c, tz) === wall) return c;
  // Not shown at all: the clock jumps over it between the two candidates; find the jump.
  let lo = candidates[0];
  let hi = candidates[candidates.length - 1];
  while (hi - lo > MINUTE_MS) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE_MS) * MINUTE_MS;
    if (wallMs(mid, tz) >= wall) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The shift occurrence `atMs` falls in. */
export function shiftAt(schedule: Pick<ShiftSchedule, 'shifts'>, atMs: number, tz: string): ShiftSlot {
  const sorted = [...schedule.shifts].sort((a, b) => minuteOf(a.start) - minuteOf(b.start));
  const wall = wallMs(atMs, tz);
  const minute = Math.floor((wall - dayMs(isoDay(wall))) / MINUTE_MS);
  let i = -1;
  for (let k = 0; k < sorted.length; k++) if (minuteOf(sorted[k].start) <= minute) i = k;
  // Before the day's first start: the last shift of the previous day is still running.
  const day = i < 0 ? isoDay(wall - DAY_MS) : isoDay(wall);
  if (i < 0) i = sorted.length - 1;
  const nextDay = i + 1 < sorted.length ? day : isoDay(dayMs(day) + DAY_MS);
  const next = sorted[(i + 1) % sorted.length];
  return {
    day,
    shift: sorted[i].name,
    startMs: localToUtcMs(day, minuteOf(sorted[i].start), tz),
    endMs: localToUtcMs(nextDay, minuteOf(next.start), tz),
  };
}

// ---------------------------------------------------------------------------------------------
// Counts
// ---------------------------------------------------------------------------------------------

export interface ClassCrossing {
  line: string;
  direction: CrossingDirection;
  className: string;
}

/** One shift occurrence's counts: line → class → in/out. */
export interface ShiftRecord extends ShiftSlot {
  lines: Record<string, Record<string, { in: number; out: number }>>;
}

export class ShiftTally {
  private readonly byKey = new Map<string, ShiftRecord>();

  /**
   * @param records what was saved (kept as they are, even if the schedule changed since)
   */
  constructor(
    private schedule: ShiftSchedule,
    private readonly stationTimeZone: string,
    records: readonly ShiftRecord[] = [],
  ) {
    for (const r of records) this.byKey.set(`${r.day}/${r.shift}`, structuredClone(r));
  }

  get timeZone(): string {
    return this.schedule.timeZone ?? this.stationTimeZone;
  }

  /** A new schedule applies to crossings from now on; earlier shifts keep their names and times. */
  setSchedule(schedule: ShiftSchedule): void {
    this.schedule = schedule;
  }

  current(nowMs: number): ShiftSlot {
    return shiftAt(this.schedule, nowMs, this.timeZone);
  }

  /** Counts crossings seen at `atMs` in the shift running then. Returns whether anything changed. */
  add(atMs: number, crossings: readonly ClassCrossing[]): boolean {
    if (crossings.length === 0) return false;
    const slot = this.current(atMs);
    const key = `${slot.day}/${slot.shift}`;
    let rec = this.byKey.get(key);
    if (!rec) {
      rec = { ...slot, lines: {} };
      this.byKey.set(key, rec);
    }
    for (const c of crossings) {
      let line = rec.lines[c.line];
      if (!line) {
        if (Object.keys(rec.lines).length >= MAX_LINES_PER_SHIFT) continue;
        line = rec.lines[c.line] = {};
      }
      let cls = c.className;
      if (!(cls in line) && Object.keys(line).length >= MAX_CLASSES_PER_LINE - 1) cls = OTHER_CLASS;
      const n = (line[cls] ??= { in: 0, out: 0 });
      n[c.direction]++;
    }
    return true;
  }

  /** Drops shifts that ended more than `keepDays` before `nowMs`. Returns whether any were dropped. */
  prune(nowMs: number): boolean {
    const cutoff = nowMs - this.schedule.keepDays * DAY_MS;
    let dropped = false;
    for (const [k, r] of this.byKey)
      if (r.endMs < cutoff) {
        this.byKey.delete(k);
        dropped = true;
      }
    // Hard bound whatever the clock did: the newest shifts that fit.
    const max = (this.schedule.keepDays + 1) * MAX_SHIFTS_PER_DAY;
    if (this.byKey.size > max) {
      const oldest = [...this.byKey.entries()].sort((a, b) => a[1].startMs - b[1].startMs);
      for (const [k] of oldest.slice(0, this.byKey.size - max)) this.byKey.delete(k);
      dropped = true;
    }
    return dropped;
  }

  records(): ShiftRecord[] {
    return [...this.byKey.values()].sort((a, b) => b.startMs - a.startMs).map((r) => structuredClone(r));
  }

  /** Newest shift first; within a shift, lines and classes in name order. */
  rows(): ShiftCountRow[] {
    const rows: ShiftCountRow[] = [];
    for (const r of this.records())
      for (const line of Object.keys(r.lines).sort())
        for (const className of Object.keys(r.lines[line]).sort()) {
          const n = r.lines[line][className];
          rows.push({
            day: r.day,
            shift: r.shift,
            startMs: r.startMs,
            endMs: r.endMs,
            line,
            className,
            in: n.in,
            out: n.out,
          });
        }
    return rows;
  }
}
