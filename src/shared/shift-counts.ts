/**
 * Per-shift part counts as the station reports them (getShiftCounts): one row per shift, counting
 * line and class, newest shift first. Times are ms since the Unix epoch; `day` is the local date
 * (in the schedule's time zone) on which the shift started.
 */

export interface ShiftDefinition {
  /** Shown in the table and the CSV (e.g. "Early"). */
  name: string;
  /** Local wall-clock start, "HH:MM" (24 h). A shift runs until the next shift's start. */
  start: string;
}

export interface ShiftSchedule {
  shifts: ShiftDefinition[];
  /** IANA time zone, or null for the station's own. */
  timeZone: string | null;
  /** Days of shift counts kept on the station (older shifts are dropped). */
  keepDays: number;
}

/** One occurrence of a shift: "Night of 2026-11-27", from 22:00 that day to 06:00 the next. */
export interface ShiftSlot {
  day: string;
  shift: string;
  startMs: number;
  endMs: number;
}

export interface ShiftCountRow extends ShiftSlot {
  line: string;
  className: string;
  in: number;
  out: number;
}

export interface ShiftCountsView {
  schedule: ShiftSchedule;
  /** The time zone the schedule is read in (the station's own when the schedule names none). */
  timeZone: string;
  /** The shift running now. */
  current: ShiftSlot;
  rows: ShiftCountRow[];
}

const csvCell = (v: string | number): string => {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The rows as CSV (times as ISO 8601 UTC), header first. */
export function shiftCountsCsv(rows: readonly ShiftCountRow[]): string {
  const iso = (ms: number): string => new Date(ms).toISOString();
  const lines = ['day,shift,start,end,line,class,in,out'];
  for (const r of rows)
    lines.push(
      [r.day, r.shift, iso(r.startMs), iso(r.endMs), r.line, r.className, r.in, r.out].map(csvCell).join(','),
    );
  return lines.join('\n') + '\n';
}
