import { describe, expect, it } from 'vitest';
import { opcUaResultView, perClassArrays } from '../../src/main/core/opcua-view';

describe('OPC UA result view', () => {
  it('turns detections into parallel arrays: centre, size, rounded score, trackId -1 when untracked', () => {
    expect(
      opcUaResultView({
        frameId: 9,
        captureTimeMs: 123,
        detections: [
          { classId: 3, className: 'cap', score: 0.33333, box: [0, 0, 3, 1], trackId: 12 },
          { classId: 1, className: 'nut', score: 1, box: [10.5, 20.25, 11, 21], trackId: -1 },
          { classId: 1, className: 'nut', score: 0.5, box: [1, 2, 3, 4] },
        ],
      }),
    ).toEqual({
      frameId: 9,
      captureTimeMs: 123,
      count: 3,
      classIds: [3, 1, 1],
      classNames: ['cap', 'nut', 'nut'],
      scores: [0.3333, 1, 0.5],
      centerXPx: [1.5, 10.75, 2],
      centerYPx: [0.5, 20.63, 3],
      widthPx: [3, 0.5, 2],
      heightPx: [1, 0.75, 2],
      trackIds: [12, -1, -1],
    });
    expect(opcUaResultView({ frameId: 1, captureTimeMs: 0, detections: [] }).count).toBe(0);
  });

  it('lists per-class totals sorted by name', () => {
    expect(perClassArrays({ nut: 4, bolt: 2, cap: 0 })).toEqual({
      names: ['bolt', 'cap', 'nut'],
      counts: [2, 0, 4],
    });
    expect(perClassArrays({})).toEqual({ names: [], counts: [] });
  });
});
