import { describe, expect, it } from 'vitest';
import type { Alarm } from '../../src/shared/api';
import { foldJournal, journalCsv, journalEvents } from '../../src/shared/alarm-journal';
import { HistoryRing, withGaps } from '../../src/shared/history-ring';

const T0 = 1_800_000_000_000 - (1_800_000_000_000 % 60_000); // a minute boundary

describe('HistoryRing', () => {
  const sample = (atMs: number, fps: number, droppedTotal: number, live = true, latencyP95Ms = 50) => ({
    atMs,
    fps,
    droppedTotal,
    live,
    latencyP95Ms,
  });

  it('closes a minute when the next begins: mean fps, worst p95, drops from the counter', () => {
    const ring = new HistoryRing(3);
    expect(ring.add(sample(T0, 10, 0))).toBeNull();
    expect(ring.add(sample(T0 + 1000, 8, 2, true, 80))).toBeNull();
    expect(ring.add(sample(T0 + 59_000, 9, 5))).toBeNull();
    expect(ring.add(sample(T0 + 60_000, 9, 6))).toEqual({
      minuteMs: T0,
      fps: 9,
      latencyP95Ms: 80,
      drops: 5,
    });
  });

  it('a minute without a live source has null rates, and a restarted drop counter counts from 0', () => {
    const ring = new HistoryRing(3);
    ring.add(sample(T0, 0, 10, false));
    ring.add(sample(T0 + 60_000, 10, 2)); // counter restarted: 2 new drops
    ring.add(sample(T0 + 120_000, 10, 2));
    expect(ring.list()).toEqual([
      { minuteMs: T0, fps: null, latencyP95Ms: null, drops: null },
      { minuteMs: T0 + 60_000, fps: 10, latencyP95Ms: 50, drops: 2 },
    ]);
  });

  it('is bounded: the oldest minutes go first', () => {
    const ring = new HistoryRing(2);
    for (let i = 0; i <= 4; i++) ring.add(sample(T0 + i * 60_000, i, 0));
    expect(ring.list().map((m) => m.fps)).toEqual([2, 3]);
  });

  it('withGaps fills minutes the station was down with nulls', () => {
    const m = (k: number, fps: number) => ({ minuteMs: T0 + k * 60_000, fps, latencyP95Ms: 1, drops: 0 });
    expect(withGaps([m(0, 5), m(3, 6)], T0 + 4 * 60_000 + 5).map((x) => x.fps)).toEqual([
      5,
      null,
      null,
      6,
      null,
    ]);
    expect(withGaps([], T0)).toEqual([]);
  });
});

describe('alarm journal', () => {
  const alarm = (p: Partial<Alarm>): Alarm => ({
    id: 1,
    kind: 'plcDown',
    message: 'PLC x not reachable: refused',
    raisedAtMs: 1000,
    active: true,
    acknowledged: false,
    clearedAtMs: null,
    acknowledgedAtMs: null,
    acknowledgedBy: null,
    ...p,
  });

  it('turns successive alarm lists into raised, cleared and acknowledged events', () => {
    const raised = alarm({});
    const acked = alarm({ acknowledged: true, acknowledgedAtMs: 1500, acknowledgedBy: '10.0.0.7' });
    const cleared = { ...acked, active: false, clearedAtMs: 2000 };
    const oneShot = alarm({
      id: 2,
      kind: 'ackTimeout',
      message: 'no ack',
      raisedAtMs: 2100,
      active: false,
      clearedAtMs: 2100,
    });
    const ev = [
      ...journalEvents(7, [], [raised]),
      ...journalEvents(7, [raised], [acked]),
      ...journalEvents(7, [acked], [cleared]),
      ...journalEvents(7, [cleared], [cleared, oneShot]),
    ];
    expect(ev.map((e) => [e.id, e.type, e.atMs])).toEqual([
      [1, 'raised', 1000],
      [1, 'acknowledged', 1500],
      [1, 'cleared', 2000],
      [2, 'raised', 2100],
      [2, 'cleared', 2100],
    ]);
    expect(journalEvents(7, [cleared], [cleared])).toEqual([]);

    // A second run reuses id 1: a separate row.
    const later = journalEvents(9, [], [alarm({ raisedAtMs: 5000 })]);
    expect(foldJournal([...ev, ...later])).toEqual([
      {
        key: '9:1',
        kind: 'plcDown',
        message: 'PLC x not reachable: refused',
        raisedAtMs: 5000,
        clearedAtMs: null,
        acknowledgedAtMs: null,
        acknowledgedBy: null,
      },
      {
        key: '7:2',
        kind: 'ackTimeout',
        message: 'no ack',
        raisedAtMs: 2100,
        clearedAtMs: 2100,
        acknowledgedAtMs: null,
        acknowledgedBy: null,
      },
      {
        key: '7:1',
        kind: 'plcDown',
        message: 'PLC x not reachable: refused',
        raisedAtMs: 1000,
        clearedAtMs: 2000,
        acknowledgedAtMs: 1500,
        acknowledgedBy: '10.0.0.7',
      },
    ]);
  });

  it('exports CSV with ISO times and quoted cells', () => {
    const csv = journalCsv([
      {
        key: '1:1',
        kind: 'sourceLost',
        message: 'camera error: "x", y',
        raisedAtMs: 0,
        clearedAtMs: 60_000,
        acknowledgedAtMs: null,
        acknowledgedBy: null,
      },
    ]);
    expect(csv).toBe(
      'kind,message,raised,cleared,acknowledged,acknowledged_by\n' +
        'sourceLost,"camera error: ""x"", y",1970-01-01T00:00:00.000Z,1970-01-01T00:01:00.000Z,,\n',
    );
  });
});
