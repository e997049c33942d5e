import { describe, expect, it } from 'vitest';
import type { CountingLine, ZoneShape } from '../../src/shared/zones';
import {
  deleteTarget,
  distanceToSegment,
  hitTest,
  moveTarget,
  nextLineName,
} from '../../src/shared/zone-edit';
import { TrailStore } from '../../src/shared/trail-store';
import { addCrossings } from '../../src/shared/crossing-log';
import type { Detection } from '../../src/shared/detection';

const zones: ZoneShape[] = [
  {
    kind: 'include',
    polygon: [
      [10, 10],
      [110, 10],
      [110, 60],
      [10, 60],
    ],
  },
];
const lines: CountingLine[] = [{ name: 'gate', x1: 200, y1: 0, x2: 200, y2: 100 }];

describe('zone editor geometry', () => {
  it('hit-tests handles before lines before zone interiors', () => {
    expect(hitTest([12, 11], zones, lines, 5)).toEqual({ type: 'zone-vertex', zone: 0, vertex: 0 });
    expect(hitTest([200, 98], zones, lines, 5)).toEqual({ type: 'line-end', line: 0, end: 2 });
    expect(hitTest([203, 50], zones, lines, 5)).toEqual({ type: 'line', line: 0 });
    expect(hitTest([50, 30], zones, lines, 5)).toEqual({ type: 'zone', zone: 0 });
    expect(hitTest([150, 80], zones, lines, 5)).toBeNull();
    expect(distanceToSegment([5, 5], [0, 0], [10, 0])).toBe(5);
  });

  it('moves a vertex, a whole zone and a line, keeping them inside the picture', () => {
    expect(
      moveTarget({ type: 'zone-vertex', zone: 0, vertex: 2 }, 500, 5, zones, lines, 320, 240).zones[0]
        .polygon[2],
    ).toEqual([320, 65]);
    // The whole zone stops at the left border (min x 10) instead of deforming.
    expect(moveTarget({ type: 'zone', zone: 0 }, -30, 20, zones, lines, 320, 240).zones[0].polygon).toEqual([
      [0, 30],
      [100, 30],
      [100, 80],
      [0, 80],
    ]);
    expect(moveTarget({ type: 'line', line: 0 }, 10, 200, zones, lines, 320, 240).lines[0]).toEqual({
      name: 'gate',
      x1: 210,
      y1: 140,
      x2: 210,
      y2: 240,
    });
    expect(
      moveTarget({ type: 'line-end', line: 0, end: 1 }, -5, 7, zones, lines, 320, 240).lines[0],
    ).toMatchObject({
      x1: 195,
      y1: 7,
    });
    // Inputs are not modified.
    expect(zones[0].polygon[0]).toEqual([10, 10]);
    expect(lines[0].x1).toBe(200);
  });

  it('deletes the shape a target belongs to and names new lines', () => {
    expect(deleteTarget({ type: 'zone-vertex', zone: 0, vertex: 1 }, zones, lines)).toEqual({
      zones: [],
      lines,
    });
    expect(deleteTarget({ type: 'line-end', line: 0, end: 1 }, zones, lines)).toEqual({ zones, lines: [] });
    expect(nextLineName([])).toBe('line1');
    expect(
      nextLineName([
        { ...lines[0], name: 'line1' },
        { ...lines[0], name: 'line3' },
      ]),
    ).toBe('line2');
  });
});

describe('trails and crossing log', () => {
  const det = (trackId: number, x: number): Detection => ({
    classId: 0,
    className: 'p',
    score: 1,
    box: [x - 5, 0, x + 5, 10],
    trackId,
  });

  it('keeps the last points per track and forgets tracks not seen for a while', () => {
    const store = new TrailStore({ maxPoints: 3, forgetAfterFrames: 2, maxTracks: 10 });
    for (let f = 0; f < 5; f++) store.add([det(1, 10 * f), det(-1, 0)]);
    expect(store.list()).toEqual([
      {
        trackId: 1,
        classId: 0,
        points: [
          [20, 5],
          [30, 5],
          [40, 5],
        ],
        lastSeenFrame: 5,
      },
    ]);
    store.add([det(2, 0)]);
    store.add([det(2, 1)]);
    expect(store.list().map((t) => t.trackId)).toEqual([1, 2]);
    store.add([det(2, 2)]);
    expect(store.list().map((t) => t.trackId)).toEqual([2]);
  });

  it('logs crossings newest first, bounded', () => {
    let log = addCrossings([], {
      frameId: 1,
      captureTimeMs: 10,
      crossings: [{ line: 'a', trackId: 1, direction: 'in' }],
    });
    log = addCrossings(log, { frameId: 2, captureTimeMs: 20, crossings: [] });
    log = addCrossings(
      log,
      {
        frameId: 3,
        captureTimeMs: 30,
        crossings: [
          { line: 'a', trackId: 2, direction: 'out' },
          { line: 'b', trackId: 3, direction: 'in' },
        ],
      },
      2,
    );
    expect(log.map((e) => [e.frameId, e.trackId])).toEqual([
      [3, 3],
      [3, 2],
    ]);
  });
});
