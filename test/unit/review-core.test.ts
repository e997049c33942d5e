import { describe, expect, it } from 'vitest';
import { diffFrame, summarise } from '../../src/main/core/review/compare';
import {
  EventTracker,
  matchRules,
  type EventRules,
  type FrameFacts,
} from '../../src/main/core/review/events';
import { planRetention } from '../../src/main/core/review/retention';

const rules: EventRules = {
  classes: ['bolt'],
  doubtful: { minScore: 0.2 },
  crossings: true,
  plcErrors: true,
  preRollMs: 1000,
  postRollMs: 500,
};
const facts = (timeMs: number, frameNo: number, more: Partial<FrameFacts> = {}): FrameFacts => ({
  timeMs,
  frameNo,
  detections: [],
  confThreshold: 0.5,
  crossings: [],
  plcError: null,
  ...more,
});

describe('event rules', () => {
  it('match a listed class at or above the threshold, doubtful candidates in [min, threshold), crossings and PLC errors', () => {
    const m = matchRules(
      rules,
      facts(0, 1, {
        detections: [
          { className: 'bolt', score: 0.5 },
          { className: 'bolt', score: 0.9 },
          { className: 'nut', score: 0.7 },
          { className: 'nut', score: 0.3 },
          { className: 'nut', score: 0.19 },
        ],
        crossings: [{ line: 'L1' }],
        plcError: 'write timed out',
      }),
    );
    expect(m).toEqual([
      { kind: 'class', label: 'bolt', score: 0.9 },
      { kind: 'doubtful', label: 'nut', score: 0.3 },
      { kind: 'crossing', label: 'L1', score: null },
      { kind: 'plc-error', label: 'write timed out', score: null },
    ]);
  });

  it('merge matches closer than pre + post roll into one event and close it after a longer gap', () => {
    const t = new EventTracker(rules);
    const bolt = (score: number) => ({ detections: [{ className: 'bolt', score }] });
    expect(t.push(facts(10_000, 1, bolt(0.6)))).toEqual([]);
    expect(t.push(facts(11_400, 2, bolt(0.8)))).toEqual([]); // gap 1400 ≤ 1500: same event
    expect(t.push(facts(12_000, 3))).toEqual([]);
    const closed = t.push(facts(12_901, 4)); // 1501 ms after the last match
    expect(closed).toEqual([
      {
        kind: 'class',
        label: 'bolt',
        firstMs: 10_000,
        lastMs: 11_400,
        startMs: 9_000,
        endMs: 11_900,
        firstFrameNo: 1,
        frames: 2,
        peakScore: 0.8,
      },
    ]);
    t.push(facts(13_000, 5, { crossings: [{ line: 'L1' }] }));
    expect(t.flush()).toEqual([
      {
        kind: 'crossing',
        label: 'L1',
        firstMs: 13_000,
        lastMs: 13_000,
        startMs: 12_000,
        endMs: 13_500,
        firstFrameNo: 5,
        frames: 1,
        peakScore: null,
      },
    ]);
  });
});

describe('retention', () => {
  const segs = [
    { seq: 1, startMs: 0, bytes: 100 },
    { seq: 2, startMs: 60_000, bytes: 100 },
    { seq: 3, startMs: 120_000, bytes: 100 },
    { seq: 4, startMs: 180_000, bytes: 100 },
  ];
  it('deletes the oldest segments until the total fits the size limit', () => {
    expect(planRetention(segs, [4], 180_000, { maxBytes: 250, maxAgeMs: null })).toEqual([1, 2]);
    expect(planRetention(segs, [4], 180_000, { maxBytes: 400, maxAgeMs: null })).toEqual([]);
  });
  it('deletes segments older than the age limit', () => {
    // Segment 3 started exactly 60 s ago: not yet older than the limit.
    expect(planRetention(segs, [4], 180_000, { maxBytes: null, maxAgeMs: 60_000 })).toEqual([1, 2]);
    expect(planRetention(segs, [4], 180_001, { maxBytes: null, maxAgeMs: 60_000 })).toEqual([1, 2, 3]);
  });
  it('never deletes the segments being written, even over the limit', () => {
    expect(planRetention(segs, [3, 4], 180_000, { maxBytes: 0, maxAgeMs: 0 })).toEqual([1, 2]);
  });
});

describe('A/B compare', () => {
  const d = (className: string, box: [number, number, number, number], score = 0.9) => ({
    className,
    score,
    box,
  });
  it('pairs same-class objects first, then reports class changes, moves, and objects only in one track', () => {
    const a = [
      d('dog', [0, 0, 10, 10]),
      d('car', [100, 100, 120, 120]),
      d('cat', [200, 0, 210, 10]),
      d('bolt', [50, 50, 60, 60]),
    ];
    const b = [
      d('cat', [0, 0, 10, 10]), // same place as A's dog, but B has a dog too (slightly off): dog pairs with dog
      d('dog', [1, 0, 11, 10]),
      d('car', [105, 100, 125, 120]), // IoU 15*20/(25*20) = 0.6 < 0.7: moved
      d('truck', [200, 0, 210, 10]), // A said cat here: class changed
      d('nut', [300, 300, 310, 310]),
    ];
    const diff = diffFrame(7, 1000, a, b, { matchIou: 0.3, movedIou: 0.7 });
    expect(diff.onlyA).toEqual([d('bolt', [50, 50, 60, 60])]);
    expect(diff.onlyB).toEqual([d('cat', [0, 0, 10, 10]), d('nut', [300, 300, 310, 310])]);
    expect(diff.classChanged).toEqual([{ a: a[2], b: b[3], iou: 1 }]);
    expect(diff.moved).toEqual([{ a: a[1], b: b[2], iou: 0.6 }]);
    expect(
      summarise(
        [diff],
        new Map([
          ['dog', 1],
          ['car', 1],
          ['cat', 1],
          ['bolt', 1],
        ]),
        new Map([
          ['cat', 1],
          ['dog', 1],
          ['car', 1],
          ['truck', 1],
          ['nut', 1],
        ]),
      ),
    ).toEqual({
      framesCompared: 1,
      framesDifferent: 1,
      perClass: {
        bolt: { countA: 1, countB: 0, onlyA: 1, onlyB: 0, classChangedFromA: 0, moved: 0 },
        car: { countA: 1, countB: 1, onlyA: 0, onlyB: 0, classChangedFromA: 0, moved: 1 },
        cat: { countA: 1, countB: 1, onlyA: 0, onlyB: 1, classChangedFromA: 1, moved: 0 },
        dog: { countA: 1, countB: 1, onlyA: 0, onlyB: 0, classChangedFromA: 0, moved: 0 },
        nut: { countA: 0, countB: 1, onlyA: 0, onlyB: 1, classChangedFromA: 0, moved: 0 },
        truck: { countA: 0, countB: 1, onlyA: 0, onlyB: 0, classChangedFromA: 0, moved: 0 },
      },
    });
  });
});
