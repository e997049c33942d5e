/**
 * Per-shift counts on the station: crossings of a counting line on the synthetic belt are counted
 * in the running shift under the tracked class, kept in shift-counts.json across a restart; the
 * schedule comes from settings.json and is changed (validated, saved) through the API.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Station } from '../../src/main/station/station';
import { API_ARGS } from '../../src/shared/api-schemas';
import { StationError } from '../../src/shared/station-error';
import { frameWhere, startedStation } from '../helpers/station';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const GATE = { name: 'gate', x1: 320, y1: 0, x2: 320, y2: 360 };
const SETTINGS = {
  source: 'synthetic:?size=640x360&fps=30',
  modelId: 'classic',
  plc: { uri: null },
  tracking: { lines: [GATE] },
  // One shift a day in UTC: every crossing of this test is in today's (or, at midnight, the next).
  shifts: { shifts: [{ name: 'All', start: '00:00' }], timeZone: 'UTC' },
};

const startStation = (dir: string): Promise<Station> => startedStation(dir, cleanups);

describe('per-shift counts on the station', () => {
  it('counts crossings per shift, line and class, and finds them again after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vs-station-shifts-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'settings.json'), JSON.stringify(SETTINGS));
    let station = await startStation(dir);
    const empty = await station.getShiftCounts();
    expect(empty.rows).toEqual([]);
    expect(empty.timeZone).toBe('UTC');
    expect(empty.schedule).toEqual({ ...SETTINGS.shifts, keepDays: 31 });
    expect(empty.current.shift).toBe('All');
    expect(empty.current.endMs - empty.current.startMs).toBe(86_400_000);

    const f = await frameWhere(station, 'the gate counted 2 crossings', (m) => {
      const c = m.counts?.[0];
      return c !== undefined && c.in + c.out >= 2;
    });
    const classes = new Set(f.detections.map((d) => d.className));
    await station.close();
    const counters = (
      JSON.parse(readFileSync(join(dir, 'counters.json'), 'utf8')) as {
        counts: { in: number; out: number }[];
      }
    ).counts[0]!;
    const saved = JSON.parse(readFileSync(join(dir, 'shift-counts.json'), 'utf8')) as {
      version: number;
      shifts: { shift: string; lines: Record<string, Record<string, { in: number; out: number }>> }[];
    };
    expect(saved.version).toBe(1);
    // Every crossing the counters saw is in a shift, under a class the model gave.
    const perClass = saved.shifts.flatMap((s) => Object.entries(s.lines.gate ?? {}));
    const total = (k: 'in' | 'out'): number => perClass.reduce((a, [, n]) => a + n[k], 0);
    expect([total('in'), total('out')]).toEqual([counters.in, counters.out]);
    // The classic detector names every object 'object'.
    expect([...classes]).toEqual(['object']);
    expect([...new Set(perClass.map(([cls]) => cls))]).toEqual(['object']);

    station = await startStation(dir);
    const after = await station.getShiftCounts();
    expect(after.rows.length).toBeGreaterThan(0);
    for (const r of after.rows) {
      expect(r.shift).toBe('All');
      expect(r.line).toBe('gate');
      expect(r.day).toBe(new Date(r.startMs).toISOString().slice(0, 10));
    }
    expect(after.rows.reduce((a, r) => a + r.in + r.out, 0)).toBe(counters.in + counters.out);
  });

  it('changes the schedule through the API, refusing a bad one with a coded error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vs-station-shifts-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ ...SETTINGS, shifts: undefined }));
    const station = await startStation(dir);
    expect((await station.getShiftCounts()).schedule.shifts.map((s) => s.start)).toEqual([
      '06:00',
      '14:00',
      '22:00',
    ]);
    const refused = await station
      .setShiftSchedule({ shifts: [{ name: 'A', start: '25:00' }] })
      .catch((e) => e);
    expect(refused).toBeInstanceOf(StationError);
    expect(refused).toMatchObject({
      code: 'shiftsInvalid',
      params: { reason: 'shifts.0.start: must be a time HH:MM (00:00 to 23:59)' },
      message: 'shift schedule: shifts.0.start: must be a time HH:MM (00:00 to 23:59)',
    });
    const two = [
      { name: 'Day', start: '07:00' },
      { name: 'Night', start: '19:00' },
    ];
    const set = await station.setShiftSchedule({ shifts: two, timeZone: 'Asia/Seoul' });
    expect(set.schedule).toEqual({ shifts: two, timeZone: 'Asia/Seoul', keepDays: 31 });
    expect(set.timeZone).toBe('Asia/Seoul');
    await station.close();
    const settings = JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')) as { shifts: unknown };
    expect(settings.shifts).toEqual({ shifts: two, timeZone: 'Asia/Seoul', keepDays: 31 });
    // The API boundary refuses what is not even the right shape.
    expect(API_ARGS.setShiftSchedule.safeParse([{ shifts: [{ name: 'x' }] }]).success).toBe(false);
    expect(API_ARGS.setShiftSchedule.safeParse([{ keepDays: 40, extra: 1 }]).success).toBe(false);
  });
});
