import { describe, expect, it } from 'vitest';
import { fleetView, parseFleetStatus, stationFromStatusTopic } from '../../src/main/core/fleet';
import type { FleetStation } from '../../src/shared/fleet';

describe('fleet status', () => {
  it('finds the station in a status topic under the prefix', () => {
    expect(stationFromStatusTopic('vision-station', 'vision-station/line1/status')).toBe('line1');
    expect(stationFromStatusTopic('plant/vs', 'plant/vs/line-2/status')).toBe('line-2');
    expect(stationFromStatusTopic('vision-station', 'vision-station/line1/cam1/status')).toBeNull();
    expect(stationFromStatusTopic('vision-station', 'other/line1/status')).toBeNull();
    expect(stationFromStatusTopic('vision-station', 'vision-station/line1/counters')).toBeNull();
  });

  it('parses online and offline (last will) payloads; the topic names the station', () => {
    expect(
      parseFleetStatus(
        'line1',
        '{"online":true,"station":"x","cameras":["cam1"],"fps":14.5,"alarms":["plcDown"],"model":"bolts","startedAtMs":1,"timeMs":2}',
        5000,
      ),
    ).toEqual({
      ok: true,
      station: {
        name: 'line1',
        state: 'online',
        cameras: ['cam1'],
        fps: 14.5,
        alarms: ['plcDown'],
        model: 'bolts',
        offlineReason: null,
        lastSeenMs: 5000,
      },
    });
    expect(
      parseFleetStatus('line2', '{"online":false,"station":"line2","cameras":["a","b"],"reason":"lost"}', 7),
    ).toEqual({
      ok: true,
      station: {
        name: 'line2',
        state: 'offline',
        cameras: ['a', 'b'],
        fps: 0,
        alarms: [],
        model: null,
        offlineReason: 'lost',
        lastSeenMs: 7,
      },
    });
  });

  it('says what is wrong with a bad payload', () => {
    expect(parseFleetStatus('s', 'nope', 0)).toEqual({ ok: false, problem: 'status of s is not JSON' });
    expect(
      parseFleetStatus('s', '{"online":true,"station":"s","cameras":[],"fps":-1,"alarms":[]}', 0),
    ).toEqual({
      ok: false,
      problem: 'status of s: fps Too small: expected number to be >=0',
    });
  });

  it('marks silent online stations stale and sorts by name', () => {
    const st = (name: string, state: FleetStation['state'], lastSeenMs: number): FleetStation => ({
      name,
      state,
      cameras: [],
      fps: 0,
      alarms: [],
      model: null,
      offlineReason: null,
      lastSeenMs,
    });
    const view = fleetView(
      [st('c', 'online', 0), st('a', 'online', 9000), st('b', 'offline', 0)],
      10_000,
      5000,
    );
    expect(view.map((s) => [s.name, s.state])).toEqual([
      ['a', 'online'],
      ['b', 'offline'],
      ['c', 'stale'],
    ]);
  });
});
