import { describe, expect, it } from 'vitest';
import type { Alarm, AlarmKind, CameraState } from '../../src/shared/api';
import { stationVerdict, worstCamera, type CameraStateInput } from '../../src/shared/verdict';

const alarm = (kind: AlarmKind, raisedAtMs: number): Alarm => ({
  id: raisedAtMs,
  kind,
  message: kind,
  raisedAtMs,
  active: true,
  acknowledged: false,
  clearedAtMs: null,
  acknowledgedAtMs: null,
  acknowledgedBy: null,
});
const cam = (name: string, state: CameraState): CameraStateInput => ({
  name,
  state,
  reason: state === 'live' ? null : `${name} ${state}`,
});

describe('worst state of all cameras', () => {
  it('all live, or no other camera: the alarms alone decide', () => {
    expect(stationVerdict([], [cam('a', 'live'), cam('b', 'live')])).toEqual({ state: 'ok', cause: null });
    expect(stationVerdict([alarm('fpsBelowTarget', 1)])).toEqual({
      state: 'warning',
      cause: alarm('fpsBelowTarget', 1),
    });
    expect(worstCamera([cam('a', 'live')])).toBeNull();
  });

  it('a camera giving no pictures stops the station (as the main camera does); one starting warns', () => {
    for (const s of ['stopped', 'error', 'stalled', 'reconnecting'] as const)
      expect(stationVerdict([], [cam('a', 'live'), cam('b', s)])).toEqual({
        state: 'stopped',
        cause: null,
        camera: cam('b', s),
      });
    expect(stationVerdict([], [cam('a', 'starting')])).toEqual({
      state: 'warning',
      cause: null,
      camera: cam('a', 'starting'),
    });
  });

  it('the worst camera wins; among equals the first listed', () => {
    expect(worstCamera([cam('a', 'starting'), cam('b', 'error'), cam('c', 'stopped')])).toEqual(
      cam('b', 'error'),
    );
    expect(worstCamera([cam('a', 'starting'), cam('b', 'starting')])).toEqual(cam('a', 'starting'));
    expect(worstCamera([cam('a', 'starting'), cam('b', 'reconnecting')])).toEqual(cam('b', 'reconnecting'));
  });

  it('a camera worse than every alarm decides, keeping the alarm as the cause; a tie goes to the alarm', () => {
    expect(stationVerdict([alarm('fpsBelowTarget', 5)], [cam('b', 'error')])).toEqual({
      state: 'stopped',
      cause: alarm('fpsBelowTarget', 5),
      camera: cam('b', 'error'),
    });
    expect(stationVerdict([alarm('plcDown', 5)], [cam('b', 'error')])).toEqual({
      state: 'stopped',
      cause: alarm('plcDown', 5),
    });
    expect(stationVerdict([alarm('plcDown', 5)], [cam('b', 'starting')])).toEqual({
      state: 'stopped',
      cause: alarm('plcDown', 5),
    });
  });
});
