import { describe, expect, it } from 'vitest';
import type { BoxXyxy, Detection } from '../../src/shared/detection';
import { ByteTracker, majorityClass, parseTrackerOptions } from '../../src/main/core/tracking';
import { initiate, predict, update, xyxyToXyah } from '../../src/main/core/tracking/kalman';

const det = (box: BoxXyxy, score = 0.9, classId = 0): Detection => ({
  classId,
  className: `c${classId}`,
  score,
  box,
});
const boxAt = (cx: number, cy: number, w: number, h: number): BoxXyxy => [
  cx - w / 2,
  cy - h / 2,
  cx + w / 2,
  cy + h / 2,
];

describe('Kalman filter (xyah, constant velocity)', () => {
  it('learns a constant velocity and predicts the next box', () => {
    let s = initiate(boxAt(100, 50, 20, 40));
    for (let f = 1; f <= 60; f++) s = update(predict(s), boxAt(100 + 5 * f, 50, 20, 40));
    const next = predict(s);
    expect(next.mean[0]).toBeCloseTo(405, 1);
    expect(next.mean[4]).toBeCloseTo(5, 1);
    expect(next.mean[1]).toBeCloseTo(50, 6);
    expect(next.mean[2]).toBeCloseTo(0.5, 6);
    expect(next.mean[3]).toBeCloseTo(40, 6);
  });

  it('converts xyxy to xyah exactly', () => {
    expect(xyxyToXyah([10, 20, 50, 100])).toEqual([30, 60, 0.5, 80]);
  });
});

describe('ByteTracker', () => {
  it('two objects crossing paths keep their ids', () => {
    const tracker = new ByteTracker();
    const seen = new Map<string, Set<number>>([
      ['a', new Set()],
      ['b', new Set()],
    ]);
    // A moves right, B moves left on the same row; they overlap completely in the middle frames.
    for (let f = 0; f <= 40; f++) {
      const a = det(boxAt(100 + 10 * f, 100, 40, 40));
      const b = det(boxAt(500 - 10 * f, 104, 44, 44));
      const out = tracker.update([a, b]);
      if (f === 0) {
        expect(out.trackIdOfInput).toEqual([-1, -1]); // tentative: not reported yet
        continue;
      }
      seen.get('a')!.add(out.trackIdOfInput[0]);
      seen.get('b')!.add(out.trackIdOfInput[1]);
    }
    expect([...seen.get('a')!]).toEqual([1]);
    expect([...seen.get('b')!]).toEqual([2]);
  });

  it('an object missing for fewer frames than the buffer keeps its id; longer gets a new one', () => {
    const tracker = new ByteTracker({ lostBufferFrames: 5 });
    const ids: number[] = [];
    let f = 0;
    const step = (present: boolean): void => {
      const out = tracker.update(present ? [det(boxAt(100 + 8 * f, 100, 40, 40))] : []);
      if (present) ids.push(out.trackIdOfInput[0]);
      f++;
    };
    for (let i = 0; i < 5; i++) step(true);
    for (let i = 0; i < 5; i++) step(false); // 5 frames missing = the buffer: kept
    for (let i = 0; i < 3; i++) step(true);
    expect(ids).toEqual([-1, 1, 1, 1, 1, 1, 1, 1]);
    for (let i = 0; i < 6; i++) step(false); // 6 > 5: removed
    for (let i = 0; i < 2; i++) step(true);
    expect(ids.slice(8)).toEqual([-1, 2]);
  });

  it('a low-score detection continues a track but never starts one', () => {
    const tracker = new ByteTracker();
    // Low score alone, many frames: never a track.
    for (let f = 0; f < 5; f++)
      expect(tracker.update([det(boxAt(50, 50, 30, 30), 0.3)]).detections).toEqual([]);
    expect(tracker.trackInfos()).toEqual([]);
    // A confident object, then its score drops (occluded) and the track continues on the weak box.
    const ids: number[] = [];
    for (let f = 0; f < 8; f++) {
      const score = f < 3 ? 0.9 : 0.3;
      ids.push(tracker.update([det(boxAt(300 + 6 * f, 200, 40, 40), score)]).trackIdOfInput[0]);
    }
    expect(ids).toEqual([-1, 1, 1, 1, 1, 1, 1, 1]);
    // Below lowScoreThreshold it is ignored: the track goes lost.
    tracker.update([det(boxAt(348, 200, 40, 40), 0.05)]);
    expect(tracker.trackInfos().map((t) => [t.id, t.state])).toEqual([[1, 'lost']]);
  });

  it('ids are never reused and a tentative track that misses is dropped without an id', () => {
    const tracker = new ByteTracker({ lostBufferFrames: 0 });
    const all: number[] = [];
    for (let round = 0; round < 4; round++) {
      for (let f = 0; f < 3; f++) all.push(...tracker.update([det(boxAt(100, 100, 30, 30))]).trackIdOfInput);
      tracker.update([]);
      tracker.update([]);
      // A one-frame blip becomes tentative, then is dropped.
      tracker.update([det(boxAt(400, 400, 30, 30))]);
      tracker.update([]);
    }
    expect(all).toEqual([-1, 1, 1, -1, 2, 2, -1, 3, 3, -1, 4, 4]);
  });

  it('minHits = 1 reports a track on its first frame', () => {
    const tracker = new ByteTracker({ minHits: 1 });
    expect(tracker.update([det(boxAt(10, 10, 8, 8))]).trackIdOfInput).toEqual([1]);
  });

  it('reports the most frequent recent class, and class-aware mode keeps classes apart', () => {
    const agnostic = new ByteTracker({ minHits: 1 });
    const classes = [0, 0, 1, 0, 1, 1, 1];
    const reported = classes.map(
      (c, f) => agnostic.update([det(boxAt(100 + 2 * f, 100, 40, 40), 0.9, c)]).detections[0],
    );
    expect(reported.map((d) => d.trackId)).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(reported.map((d) => d.classId)).toEqual([0, 0, 0, 0, 0, 1, 1]); // 3:2, then 3:3 with class 1 the most recent
    expect(reported[6].className).toBe('c1');

    const aware = new ByteTracker({ minHits: 1, classAware: true });
    const ids = classes.map(
      (c, f) => aware.update([det(boxAt(100 + 2 * f, 100, 40, 40), 0.9, c)]).trackIdOfInput[0],
    );
    // Class 0 and class 1 each keep their own track (the other one is lost meanwhile, then found again).
    expect(ids).toEqual([1, 1, 2, 1, 2, 2, 2]);
  });

  it('majorityClass breaks ties by the most recent class', () => {
    const h = (ids: number[]) => ids.map((classId) => ({ classId, className: `c${classId}` }));
    expect(majorityClass(h([0, 1, 1, 0]))).toEqual({ classId: 0, className: 'c0' });
    expect(majorityClass(h([1, 0, 0, 1, 2]))).toEqual({ classId: 1, className: 'c1' });
  });

  it('validates options with a message naming the field', () => {
    expect(() => parseTrackerOptions({ minHits: 0 })).toThrow(/tracker minHits/);
    expect(() => parseTrackerOptions({ lowScoreThreshold: 0.6, highScoreThreshold: 0.5 })).toThrow(
      /lowScoreThreshold must not exceed/,
    );
    expect(() => parseTrackerOptions({ bogus: 1 })).toThrow(/tracker/);
  });
});
