import { describe, expect, it } from 'vitest';
import type { BoxXyxy, Detection } from '../../src/shared/detection';
import type { FrameResult } from '../../src/shared/frame';
import {
  LineCounter,
  TrackingStage,
  eligibleForOutput,
  lineSideCross,
  parseLineArg,
  parseZoneArg,
  pointInPolygon,
  referencePointXy,
  type ZoneSpec,
} from '../../src/main/core/counting';

const gate = parseLineArg('gate=100,0,100,200');

describe('zone and line geometry', () => {
  it('reference points: centre and bottom-centre', () => {
    expect(referencePointXy([10, 20, 30, 60], 'centre')).toEqual([20, 40]);
    expect(referencePointXy([10, 20, 30, 60], 'bottom-centre')).toEqual([20, 60]);
  });

  it('point in polygon, convex and concave (even-odd)', () => {
    const square: [number, number][] = [
      [0, 0],
      [10, 0],
      [10, 10],
      [0, 10],
    ];
    expect(pointInPolygon([5, 5], square)).toBe(true);
    expect(pointInPolygon([15, 5], square)).toBe(false);
    // U shape: the notch (4..6, 4..10) is outside.
    const u: [number, number][] = [
      [0, 0],
      [10, 0],
      [10, 10],
      [6, 10],
      [6, 4],
      [4, 4],
      [4, 10],
      [0, 10],
    ];
    expect(pointInPolygon([5, 8], u)).toBe(false);
    expect(pointInPolygon([2, 8], u)).toBe(true);
    expect(pointInPolygon([5, 2], u)).toBe(true);
  });

  it('the sign of the cross product follows DESIGN.md', () => {
    // Vertical line downwards: x > 100 is cross < 0, x < 100 is cross > 0.
    expect(lineSideCross(gate, [50, 10])).toBe(200 * 50);
    expect(lineSideCross(gate, [150, 10])).toBe(-200 * 50);
    expect(lineSideCross(gate, [100, 77])).toBe(0);
  });

  it('eligibleForOutput: include and exclude zones by reference point', () => {
    const include = parseZoneArg('include:0,0,100,0,100,100,0,100');
    const exclude = parseZoneArg('exclude:40,40,60,40,60,60,40,60');
    const zones: ZoneSpec[] = [include, exclude];
    expect(eligibleForOutput([10, 10, 30, 30], [])).toBe(true);
    expect(eligibleForOutput([10, 10, 30, 30], zones)).toBe(true); // centre 20,20: in include
    expect(eligibleForOutput([45, 45, 55, 55], zones)).toBe(false); // in exclude
    expect(eligibleForOutput([110, 10, 130, 30], zones)).toBe(false); // outside every include
    expect(eligibleForOutput([110, 10, 130, 30], [exclude])).toBe(true); // no include zone at all
    // Bottom-centre: y 90 is inside the include zone, y 110 is below it.
    expect(eligibleForOutput([20, 70, 40, 90], zones, 'bottom-centre')).toBe(true);
    expect(eligibleForOutput([20, 90, 40, 110], zones, 'bottom-centre')).toBe(false);
  });

  it('parses command-line zones and lines, with errors a person can act on', () => {
    expect(parseZoneArg('exclude:1,2,3,4,5,6')).toEqual({
      kind: 'exclude',
      polygon: [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
    });
    expect(parseLineArg('gate=240,0,240,270')).toEqual({ name: 'gate', x1: 240, y1: 0, x2: 240, y2: 270 });
    expect(() => parseZoneArg('inside:1,2,3,4,5,6')).toThrow(/include:x1,y1/);
    expect(() => parseZoneArg('include:1,2,3,4')).toThrow(/at least 3 points/);
    expect(() => parseZoneArg('include:1,2,3,4,5')).toThrow(/pairs of numbers/);
    expect(() => parseLineArg('gate=1,2,3')).toThrow(/four numbers/);
    expect(() => parseLineArg('gate=1,2,1,2')).toThrow(/end points must differ/);
    expect(() => parseLineArg('a b=1,2,3,4')).toThrow(/name must be/);
  });
});

describe('LineCounter', () => {
  const move = (c: LineCounter, trackId: number, xs: number[], y = 50) =>
    xs.flatMap((x) => c.update([{ trackId, point: [x, y] }]));

  it('counts in and out with the DESIGN.md direction, once per crossing', () => {
    const c = new LineCounter([gate]);
    expect(move(c, 1, [50, 80, 99, 120, 140])).toEqual([{ line: 'gate', trackId: 1, direction: 'in' }]);
    expect(move(c, 2, [160, 120, 90, 60])).toEqual([{ line: 'gate', trackId: 2, direction: 'out' }]);
    expect(c.snapshot()).toEqual([{ line: 'gate', in: 1, out: 1 }]);
  });

  it('a track crossing back counts the other way; staying on a side or touching the line does not count', () => {
    const c = new LineCounter([gate]);
    expect(move(c, 7, [90, 100, 100, 95, 110, 100, 105, 90])).toEqual([
      { line: 'gate', trackId: 7, direction: 'in' },
      { line: 'gate', trackId: 7, direction: 'out' },
    ]);
  });

  it('moves that pass beside the segment (beyond its end points) do not count', () => {
    const c = new LineCounter([gate]);
    expect(move(c, 3, [50, 150], 250)).toEqual([]);
    expect(move(c, 4, [50, 150], -1)).toEqual([]);
    expect(move(c, 5, [50, 150], 200)).toEqual([{ line: 'gate', trackId: 5, direction: 'in' }]);
  });

  it('reset zeroes the counters without recounting parts already past; restore by name', () => {
    const c = new LineCounter([gate, parseLineArg('other=0,0,1,0')]);
    move(c, 1, [50, 150]);
    c.resetCounts();
    expect(move(c, 1, [160])).toEqual([]);
    expect(c.snapshot()).toEqual([
      { line: 'gate', in: 0, out: 0 },
      { line: 'other', in: 0, out: 0 },
    ]);
    c.restoreCounts([
      { line: 'gate', in: 5, out: 2 },
      { line: 'gone', in: 9, out: 9 },
    ]);
    expect(c.snapshot()).toEqual([
      { line: 'gate', in: 5, out: 2 },
      { line: 'other', in: 0, out: 0 },
    ]);
  });
});

describe('TrackingStage', () => {
  const frame = (frameId: number, boxes: BoxXyxy[]): FrameResult => ({
    frameId,
    captureTimeMs: 0,
    resultTimeMs: 0,
    widthPx: 200,
    heightPx: 200,
    detections: boxes.map((box): Detection => ({ classId: 0, className: 'part', score: 0.9, box })),
    modelName: 'test',
    provider: 'cpu',
    timings: { preMs: 0, inferMs: 0, postMs: 0 },
  });

  it('without tracking every detection has trackId -1 and zones mark eligibility', () => {
    const stage = new TrackingStage({
      tracking: false,
      zones: [parseZoneArg('exclude:0,0,50,0,50,200,0,200')],
    });
    const out = stage.process(
      frame(1, [
        [10, 10, 20, 20],
        [60, 10, 70, 20],
      ]),
    );
    expect(out.detections.map((d) => [d.trackId, d.eligibleForOutput])).toEqual([
      [-1, false],
      [-1, true],
    ]);
    expect(out.crossings).toBeUndefined();
  });

  it('with tracking and a line: ids, one crossing, counts in every frame', () => {
    const stage = new TrackingStage({ tracking: true, lines: [gate] });
    const crossings = [];
    for (let f = 0; f < 12; f++) {
      const x = 40 + 10 * f;
      const out = stage.process(frame(f, [[x, 40, x + 20, 60]]));
      expect(out.counts).toHaveLength(1);
      crossings.push(...out.crossings!);
      if (f > 0) expect(out.detections.map((d) => d.trackId)).toEqual([1]);
    }
    // Centre passes x = 100 between frames 5 (centre 100: on the line) and 6 (110).
    expect(crossings).toEqual([{ line: 'gate', trackId: 1, direction: 'in' }]);
    expect(stage.counts()).toEqual([{ line: 'gate', in: 1, out: 0 }]);
  });

  it('relayout keeps the tracker (ids go on) and the counters of lines that keep their name', () => {
    const stage = new TrackingStage({ tracking: true, lines: [gate] });
    for (let f = 0; f < 8; f++) stage.process(frame(f, [[40 + 10 * f, 40, 60 + 10 * f, 60]]));
    expect(stage.counts()).toEqual([{ line: 'gate', in: 1, out: 0 }]);
    const moved = parseLineArg('gate=150,0,150,200');
    stage.relayout({ lines: [moved, parseLineArg('other=0,0,0,200')] });
    expect(stage.counts()).toEqual([
      { line: 'gate', in: 1, out: 0 },
      { line: 'other', in: 0, out: 0 },
    ]);
    const ids: number[] = [];
    const crossings = [];
    for (let f = 8; f < 14; f++) {
      const out = stage.process(frame(f, [[40 + 10 * f, 40, 60 + 10 * f, 60]]));
      ids.push(...out.detections.map((d) => d.trackId!));
      crossings.push(...out.crossings!);
    }
    expect(ids).toEqual([1, 1, 1, 1, 1, 1]);
    // Centre 140 at frame 9 (first seen by the new counter at 130), 160 at frame 11: one crossing.
    expect(crossings).toEqual([{ line: 'gate', trackId: 1, direction: 'in' }]);
    expect(stage.counts()[0]).toEqual({ line: 'gate', in: 2, out: 0 });
    expect(() => stage.relayout({ lines: [gate, gate] })).toThrow(/unique/);
    expect(stage.counts()).toHaveLength(2);
  });

  it('refuses lines without tracking and more than 8 lines', () => {
    expect(() => new TrackingStage({ tracking: false, lines: [gate] })).toThrow(/need tracking/);
    const nine = Array.from({ length: 9 }, (_, i) => parseLineArg(`l${i}=0,0,1,1`));
    expect(() => new TrackingStage({ tracking: true, lines: nine })).toThrow(/at most 8/);
  });
});

describe('trackingSettingsSchema', () => {
  it('fills defaults for the app (tracking on) and refuses lines without tracking', async () => {
    const { trackingSettingsSchema } = await import('../../src/main/core/counting');
    const s = trackingSettingsSchema.parse({});
    expect(s).toMatchObject({ enabled: true, referencePoint: 'centre', zones: [], lines: [] });
    expect(s.tracker).toMatchObject({
      highScoreThreshold: 0.5,
      lowScoreThreshold: 0.1,
      minHits: 2,
      lostBufferFrames: 30,
    });
    const bad = trackingSettingsSchema.safeParse({ enabled: false, lines: [gate] });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0].message).toBe(
      'counting lines need tracking (a crossing is a track changing side)',
    );
  });
});
