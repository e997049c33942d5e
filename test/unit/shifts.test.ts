import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SHIFTS,
  localToUtcMs,
  MAX_CLASSES_PER_LINE,
  OTHER_CLASS,
  shiftAt,
  shiftScheduleSchema,
  ShiftTally,
  wallMs,
} from '../../src/main/core/shifts';
import { shiftCountsCsv } from '../../src/shared/shift-counts';

const BERLIN = 'Europe/Berlin';
const z = (iso: string): number => Date.parse(iso);
const H = 3_600_000;
const schedule = shiftScheduleSchema.parse({});

describe('shift schedule settings', () => {
  it('defaults to three 8-hour shifts from 06:00 in the station time zone, kept 31 days', () => {
    expect(schedule).toEqual({ shifts: DEFAULT_SHIFTS, timeZone: null, keepDays: 31 });
    expect(DEFAULT_SHIFTS).toEqual([
      { name: 'Early', start: '06:00' },
      { name: 'Late', start: '14:00' },
      { name: 'Night', start: '22:00' },
    ]);
  });

  it('refuses what a person can fix, naming it', () => {
    const issue = (v: unknown): string => {
      const r = shiftScheduleSchema.safeParse(v);
      return r.success ? 'accepted' : `${r.error.issues[0].path.join('.')}: ${r.error.issues[0].message}`;
    };
    expect(issue({ shifts: [{ name: 'A', start: '24:00' }] })).toBe(
      'shifts.0.start: must be a time HH:MM (00:00 to 23:59)',
    );
    expect(issue({ shifts: [{ name: 'A', start: '6:00' }] })).toBe(
      'shifts.0.start: must be a time HH:MM (00:00 to 23:59)',
    );
    expect(
      issue({
        shifts: [
          { name: 'A', start: '06:00' },
          { name: 'A', start: '18:00' },
        ],
      }),
    ).toBe('shifts: shift names must be unique');
    expect(
      issue({
        shifts: [
          { name: 'A', start: '06:00' },
          { name: 'B', start: '06:00' },
        ],
      }),
    ).toBe('shifts: two shifts cannot start at the same time');
    expect(issue({ shifts: [] })).toBe('shifts: at least one shift');
    expect(issue({ timeZone: 'Mars/Olympus' })).toBe(
      'timeZone: not a time zone (e.g. Europe/Berlin, Asia/Seoul)',
    );
    expect(issue({ keepDays: 7 })).toMatch(/^keepDays: /);
    expect(issue({ shifts: [{ name: '주간 A', start: '07:30' }], timeZone: 'Asia/Seoul' })).toBe('accepted');
  });
});

describe('local wall clock', () => {
  it('reads the local time of a zone, DST included', () => {
    expect(new Date(wallMs(z('2026-06-10T04:00:00Z'), BERLIN)).toISOString()).toBe(
      '2026-06-10T06:00:00.000Z',
    );
    expect(new Date(wallMs(z('2026-01-10T04:00:00.250Z'), BERLIN)).toISOString()).toBe(
      '2026-01-10T05:00:00.250Z',
    );
    expect(new Date(wallMs(z('2026-01-10T23:30:00Z'), 'Asia/Seoul')).toISOString()).toBe(
      '2026-01-11T08:30:00.000Z',
    );
  });

  it('a local time the clocks jump over begins at the jump; one passed twice at its first passing', () => {
    // 2026-03-29: 02:00 CET → 03:00 CEST at 01:00 UTC.
    expect(localToUtcMs('2026-03-29', 150, BERLIN)).toBe(z('2026-03-29T01:00:00Z'));
    expect(localToUtcMs('2026-03-29', 180, BERLIN)).toBe(z('2026-03-29T01:00:00Z'));
    expect(localToUtcMs('2026-03-29', 90, BERLIN)).toBe(z('2026-03-29T00:30:00Z'));
    // 2026-10-25: 03:00 CEST → 02:00 CET at 01:00 UTC; 02:30 is shown at 00:30 and 01:30 UTC.
    expect(localToUtcMs('2026-10-25', 150, BERLIN)).toBe(z('2026-10-25T00:30:00Z'));
    expect(localToUtcMs('2026-10-25', 360, BERLIN)).toBe(z('2026-10-25T05:00:00Z'));
  });
});

describe('which shift a moment is in', () => {
  it('on an ordinary summer day in Berlin (UTC+2), the night shift crossing midnight', () => {
    expect(shiftAt(schedule, z('2026-06-10T03:59:59.999Z'), BERLIN)).toEqual({
      day: '2026-06-09',
      shift: 'Night',
      startMs: z('2026-06-09T20:00:00Z'),
      endMs: z('2026-06-10T04:00:00Z'),
    });
    expect(shiftAt(schedule, z('2026-06-10T04:00:00Z'), BERLIN)).toEqual({
      day: '2026-06-10',
      shift: 'Early',
      startMs: z('2026-06-10T04:00:00Z'),
      endMs: z('2026-06-10T12:00:00Z'),
    });
    expect(shiftAt(schedule, z('2026-06-10T21:30:00Z'), BERLIN)).toEqual({
      day: '2026-06-10',
      shift: 'Night',
      startMs: z('2026-06-10T20:00:00Z'),
      endMs: z('2026-06-11T04:00:00Z'),
    });
    // After midnight local (22:30 UTC = 00:30 local on the 11th): still the night of the 10th.
    expect(shiftAt(schedule, z('2026-06-10T22:30:00Z'), BERLIN).day).toBe('2026-06-10');
  });

  it('the night the clocks go back lasts 9 hours, the night they go forward 7', () => {
    const back = shiftAt(schedule, z('2026-10-25T02:30:00Z'), BERLIN);
    expect(back).toEqual({
      day: '2026-10-24',
      shift: 'Night',
      startMs: z('2026-10-24T20:00:00Z'),
      endMs: z('2026-10-25T05:00:00Z'),
    });
    expect(back.endMs - back.startMs).toBe(9 * H);
    // The repeated hour (01:00–02:00 UTC shows 02:xx twice) stays in the same shift.
    expect(shiftAt(schedule, z('2026-10-25T00:30:00Z'), BERLIN)).toEqual(back);
    expect(shiftAt(schedule, z('2026-10-25T01:30:00Z'), BERLIN)).toEqual(back);
    const forward = shiftAt(schedule, z('2026-03-29T02:00:00Z'), BERLIN);
    expect(forward).toEqual({
      day: '2026-03-28',
      shift: 'Night',
      startMs: z('2026-03-28T21:00:00Z'),
      endMs: z('2026-03-29T04:00:00Z'),
    });
    expect(forward.endMs - forward.startMs).toBe(7 * H);
    // The next early shift starts at 06:00 summer time.
    expect(shiftAt(schedule, z('2026-03-29T04:00:00Z'), BERLIN).shift).toBe('Early');
  });

  it('works with any order, a single shift and a zone without DST', () => {
    const two = {
      shifts: [
        { name: 'N', start: '19:30' },
        { name: 'D', start: '07:30' },
      ],
    };
    // 07:29 in Seoul (UTC+9) on the 6th: still the night shift of the 5th.
    expect(shiftAt(two, z('2026-01-05T22:29:00Z'), 'Asia/Seoul')).toEqual({
      day: '2026-01-05',
      shift: 'N',
      startMs: z('2026-01-05T10:30:00Z'),
      endMs: z('2026-01-05T22:30:00Z'),
    });
    expect(shiftAt(two, z('2026-01-05T22:30:00Z'), 'Asia/Seoul')).toEqual({
      day: '2026-01-06',
      shift: 'D',
      startMs: z('2026-01-05T22:30:00Z'),
      endMs: z('2026-01-06T10:30:00Z'),
    });
    expect(shiftAt({ shifts: [{ name: 'All', start: '00:00' }] }, z('2026-07-01T12:00:00Z'), 'UTC')).toEqual({
      day: '2026-07-01',
      shift: 'All',
      startMs: z('2026-07-01T00:00:00Z'),
      endMs: z('2026-07-02T00:00:00Z'),
    });
  });
});

describe('counts per shift', () => {
  const utc = { ...schedule, timeZone: 'UTC' };

  it('a shift boundary splits the counts; per line, direction and class', () => {
    const tally = new ShiftTally(utc, BERLIN);
    expect(tally.timeZone).toBe('UTC');
    tally.add(z('2026-06-10T13:59:59.999Z'), [
      { line: 'gate', direction: 'in', className: 'bottle' },
      { line: 'gate', direction: 'in', className: 'bottle' },
      { line: 'gate', direction: 'out', className: 'cup' },
    ]);
    tally.add(z('2026-06-10T14:00:00Z'), [
      { line: 'gate', direction: 'in', className: 'bottle' },
      { line: 'exit', direction: 'out', className: 'bottle' },
    ]);
    expect(tally.add(z('2026-06-10T14:00:01Z'), [])).toBe(false);
    const early = {
      day: '2026-06-10',
      shift: 'Early',
      startMs: z('2026-06-10T06:00:00Z'),
      endMs: z('2026-06-10T14:00:00Z'),
    };
    const late = {
      day: '2026-06-10',
      shift: 'Late',
      startMs: z('2026-06-10T14:00:00Z'),
      endMs: z('2026-06-10T22:00:00Z'),
    };
    expect(tally.rows()).toEqual([
      { ...late, line: 'exit', className: 'bottle', in: 0, out: 1 },
      { ...late, line: 'gate', className: 'bottle', in: 1, out: 0 },
      { ...early, line: 'gate', className: 'bottle', in: 2, out: 0 },
      { ...early, line: 'gate', className: 'cup', in: 0, out: 1 },
    ]);
    expect(shiftCountsCsv(tally.rows().slice(0, 1))).toBe(
      'day,shift,start,end,line,class,in,out\n' +
        '2026-06-10,Late,2026-06-10T14:00:00.000Z,2026-06-10T22:00:00.000Z,exit,bottle,0,1\n',
    );
  });

  it('restores saved shifts, keeps them under a new schedule, and drops those older than keepDays', () => {
    const first = new ShiftTally(utc, 'UTC');
    first.add(z('2026-05-01T07:00:00Z'), [{ line: 'gate', direction: 'in', className: 'a' }]);
    first.add(z('2026-06-01T07:00:00Z'), [{ line: 'gate', direction: 'in', className: 'a' }]);
    const again = new ShiftTally(
      { ...utc, shifts: [{ name: 'Day', start: '00:00' }] },
      'UTC',
      first.records(),
    );
    again.add(z('2026-06-01T08:00:00Z'), [{ line: 'gate', direction: 'out', className: 'a' }]);
    expect(again.rows().map((r) => [r.day, r.shift, r.in, r.out])).toEqual([
      ['2026-06-01', 'Early', 1, 0],
      ['2026-06-01', 'Day', 0, 1],
      ['2026-05-01', 'Early', 1, 0],
    ]);
    // The 2026-05-01 early shift ended 14:00; 31 days later it is kept until that moment.
    expect(again.prune(z('2026-06-01T14:00:00Z'))).toBe(false);
    expect(again.prune(z('2026-06-01T14:00:00.001Z'))).toBe(true);
    expect(again.rows().map((r) => r.day)).toEqual(['2026-06-01', '2026-06-01']);
  });

  it('bounds the classes kept per line', () => {
    const tally = new ShiftTally(utc, 'UTC');
    const crossings = Array.from({ length: MAX_CLASSES_PER_LINE + 5 }, (_, i) => ({
      line: 'gate',
      direction: 'in' as const,
      className: `c${String(i).padStart(3, '0')}`,
    }));
    tally.add(z('2026-06-10T07:00:00Z'), crossings);
    const rows = tally.rows();
    expect(rows).toHaveLength(MAX_CLASSES_PER_LINE);
    expect(rows.find((r) => r.className === OTHER_CLASS)?.in).toBe(6);
  });
});
