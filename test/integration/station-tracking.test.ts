/**
 * Tracking on the station: zones and lines through the API (validated, saved in settings.json),
 * counters counted on the synthetic belt, kept in counters.json across a restart, and reset.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FrameMessage } from '../../src/shared/api';
import type { Station } from '../../src/main/station/station';
import { API_ARGS } from '../../src/shared/api-schemas';
import { frameWhere, startedStation } from '../helpers/station';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const SETTINGS = { source: 'synthetic:?size=640x360&fps=30', modelId: 'classic', plc: { uri: null } };
const GATE = { name: 'gate', x1: 320, y1: 0, x2: 320, y2: 360 };

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vs-station-tracking-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const startStation = (dir: string): Promise<Station> => startedStation(dir, cleanups);

const gateTotal = (f: FrameMessage): number => (f.counts?.[0]?.in ?? 0) + (f.counts?.[0]?.out ?? 0);

describe('station tracking', () => {
  it('tracking is on by default, with no zones or lines', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'settings.json'), JSON.stringify(SETTINGS));
    const station = await startStation(dir);
    expect(await station.getTracking()).toEqual({
      enabled: true,
      referencePoint: 'centre',
      zones: [],
      lines: [],
      counts: [],
    });
    const f = await frameWhere(station, 'a tracked object is seen', (m) =>
      m.detections.some((d) => (d.trackId ?? -1) >= 1),
    );
    expect(f.counts).toBeUndefined();
  });

  it('refuses bad zones and lines with the reason and keeps the running layout', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'settings.json'), JSON.stringify(SETTINGS));
    const station = await startStation(dir);
    await station.setTracking({ lines: [GATE] });
    await expect(
      station.setTracking({
        zones: [
          {
            kind: 'include',
            polygon: [
              [0, 0],
              [10, 0],
            ],
          },
        ],
      }),
    ).rejects.toThrow('tracking settings: zones.0.polygon: a zone needs at least 3 points');
    await expect(station.setTracking({ lines: [GATE, GATE] })).rejects.toThrow(
      'tracking settings: lines: line names must be unique',
    );
    await expect(
      station.setTracking({ lines: [{ name: 'dot', x1: 5, y1: 5, x2: 5, y2: 5 }] }),
    ).rejects.toThrow('the two end points must differ');
    await expect(station.setTracking({ lines: [{ ...GATE, name: 'a b' }] })).rejects.toThrow(
      'must be 1 to 32 letters',
    );
    expect((await station.getTracking()).lines).toEqual([GATE]);
    // The API boundary refuses what is not even the right shape.
    expect(API_ARGS.setTracking.safeParse([{ lines: [{ name: 'x' }] }]).success).toBe(false);
    expect(API_ARGS.setTracking.safeParse([{ lines: [GATE], extra: 1 }]).success).toBe(false);
  });

  it('counts parts crossing a line, keeps zones, lines and counters across a restart, and resets', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'settings.json'), JSON.stringify(SETTINGS));
    let station = await startStation(dir);
    const zone = {
      kind: 'exclude' as const,
      polygon: [
        [0, 0],
        [40, 0],
        [40, 40],
      ] as [number, number][],
    };
    const set = await station.setTracking({ lines: [GATE], zones: [zone], referencePoint: 'bottom-centre' });
    expect(set.lines).toEqual([GATE]);
    expect(set.counts).toEqual([{ line: 'gate', in: 0, out: 0 }]);
    const counted = await frameWhere(station, 'the gate counted 2 crossings', (f) => gateTotal(f) >= 2);
    expect(counted.crossings!.length).toBeGreaterThan(0);
    for (const c of counted.crossings!) {
      expect(c.line).toBe('gate');
      expect(c.trackId).toBeGreaterThanOrEqual(1);
    }
    await station.close();
    const onDisk = JSON.parse(readFileSync(join(dir, 'counters.json'), 'utf8')) as {
      counts: { line: string; in: number; out: number }[];
    };
    const saved = onDisk.counts[0]!;
    expect(saved.line).toBe('gate');
    expect(saved.in + saved.out).toBeGreaterThanOrEqual(2);
    const settings = JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')) as {
      tracking: { lines: unknown; zones: unknown; referencePoint: string };
    };
    expect(settings.tracking.lines).toEqual([GATE]);
    expect(settings.tracking.zones).toEqual([zone]);

    station = await startStation(dir);
    const after = await station.getTracking();
    expect(after.lines).toEqual([GATE]);
    expect(after.zones).toEqual([zone]);
    expect(after.referencePoint).toBe('bottom-centre');
    expect(after.counts).toEqual([saved]);

    // Moved off the belt (same name, so the counters stay): nothing crosses it from here on.
    const offBelt = { ...GATE, x1: -50, x2: -50 };
    expect((await station.setTracking({ lines: [offBelt] })).counts).toEqual([saved]);
    expect(await station.resetCounters()).toEqual([{ line: 'gate', in: 0, out: 0 }]);
    await station.close();
    const reset = JSON.parse(readFileSync(join(dir, 'counters.json'), 'utf8')) as typeof onDisk;
    expect(reset.counts).toEqual([{ line: 'gate', in: 0, out: 0 }]);
  });
});
