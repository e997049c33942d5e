import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FairShare } from '../../src/main/core/fair-share';

function share(cameras: string[], capacity = 1): FairShare<string> {
  const s = new FairShare<string>(capacity);
  for (const c of cameras) s.addCamera(c);
  return s;
}

describe('FairShare', () => {
  it('serves cameras with a pending frame in cyclic order, skipping those with none', () => {
    const s = share(['a', 'b', 'c']);
    s.offer('a', 'a1');
    s.offer('c', 'c1');
    expect(s.next()).toEqual({ camera: 'a', item: 'a1' });
    // One in flight fills a capacity of 1.
    expect(s.next()).toBeNull();
    s.offer('a', 'a2');
    expect(s.finish('a')).toBe(true);
    // b has nothing: c is next, then a again.
    expect(s.next()).toEqual({ camera: 'c', item: 'c1' });
    s.finish('c');
    s.offer('b', 'b1');
    expect(s.next()).toEqual({ camera: 'a', item: 'a2' });
    s.finish('a');
    expect(s.next()).toEqual({ camera: 'b', item: 'b1' });
    s.finish('b');
    expect(s.next()).toBeNull();
    expect(s.inFlight).toBe(0);
  });

  it('keeps only the newest pending frame per camera and counts the replaced ones as that camera’s drops', () => {
    const s = share(['a', 'b']);
    expect(s.offer('a', 'a1')).toBeUndefined();
    expect(s.offer('a', 'a2')).toBe('a1');
    expect(s.offer('a', 'a3')).toBe('a2');
    s.offer('b', 'b1');
    expect(s.next()).toEqual({ camera: 'a', item: 'a3' });
    expect(s.stats('a')).toEqual({ offered: 3, taken: 1, dropped: 2 });
    expect(s.stats('b')).toEqual({ offered: 1, taken: 0, dropped: 0 });
  });

  it('never gives a camera a second frame while one of its frames is in flight', () => {
    const s = share(['a', 'b'], 2);
    s.offer('a', 'a1');
    expect(s.next()).toEqual({ camera: 'a', item: 'a1' });
    s.offer('a', 'a2');
    // Room for one more, but only a has something, and a is busy.
    expect(s.next()).toBeNull();
    s.offer('b', 'b1');
    expect(s.next()).toEqual({ camera: 'b', item: 'b1' });
    expect(s.inFlight).toBe(2);
    s.finish('a');
    expect(s.next()).toEqual({ camera: 'a', item: 'a2' });
  });

  it('removing a camera hands back its pending frame as a drop, frees its capacity and keeps the order', () => {
    const s = share(['a', 'b', 'c']);
    s.offer('a', 'a1');
    s.offer('b', 'b1');
    s.offer('c', 'c1');
    expect(s.next()?.camera).toBe('a');
    expect(s.removeCamera('b')).toBe('b1');
    expect(s.cameras).toEqual(['a', 'c']);
    // a is in flight; removing it frees the worker.
    expect(s.removeCamera('a')).toBeUndefined();
    expect(s.inFlight).toBe(0);
    expect(s.finish('a')).toBe(false);
    expect(s.next()).toEqual({ camera: 'c', item: 'c1' });
  });

  it('after removing the camera served last, the one after it is next', () => {
    const s = share(['a', 'b', 'c']);
    for (const c of ['a', 'b', 'c']) s.offer(c, `${c}1`);
    expect(s.next()?.camera).toBe('a');
    s.finish('a');
    expect(s.next()?.camera).toBe('b');
    s.removeCamera('b');
    s.offer('a', 'a2');
    expect(s.next()?.camera).toBe('c');
  });

  it('refuses unknown and duplicate cameras and a capacity below one', () => {
    const s = share(['a']);
    expect(() => s.offer('x', 'x1')).toThrow("camera 'x' is not sharing this worker");
    expect(() => s.addCamera('a')).toThrow("camera 'a' is already sharing this worker");
    expect(() => new FairShare(0)).toThrow('capacity must be a whole number ≥ 1, got 0');
    expect(s.next()).toBeNull();
  });

  it('with k cameras always offering, each gets within 1 of its fair share over any window', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 3 }),
        // What happens between grants: finish the oldest frame in flight (one FIFO worker),
        // try a grant, or a camera offers an extra (newer) frame.
        fc.array(fc.oneof(fc.constant('finish' as const), fc.constant('grant' as const), fc.nat(5)), {
          minLength: 1,
          maxLength: 300,
        }),
        (k, capacity, steps) => {
          const cams = Array.from({ length: k }, (_, i) => `cam${i}`);
          const s = share(cams, capacity);
          const inFlight: string[] = [];
          const grants: string[] = [];
          let n = 0;
          for (const step of steps) {
            if (step === 'finish') {
              const c = inFlight.shift();
              if (c) expect(s.finish(c)).toBe(true);
            } else if (step === 'grant') {
              // Always offering: every camera has a frame waiting when the worker asks.
              for (const c of cams) if (!s.hasPending(c)) s.offer(c, `f${n++}`);
              const g = s.next();
              if (g) {
                inFlight.push(g.camera);
                grants.push(g.camera);
              }
            } else {
              s.offer(cams[step % k]!, `f${n++}`);
            }
          }
          for (let start = 0; start < grants.length; start++) {
            const counts = new Map<string, number>(cams.map((c) => [c, 0]));
            for (let end = start; end < grants.length; end++) {
              counts.set(grants[end]!, counts.get(grants[end]!)! + 1);
              const fair = (end - start + 1) / k;
              for (const c of cams) expect(Math.abs(counts.get(c)! - fair)).toBeLessThan(1);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a camera with a frame waiting is served before any other camera is served twice (capacity 1)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.oneof(fc.constant(-1), fc.nat(4)), { minLength: 1, maxLength: 200 }),
        (k, steps) => {
          const cams = Array.from({ length: k }, (_, i) => `cam${i}`);
          const s = share(cams);
          /** Grants to other cameras since each camera's frame started waiting. */
          const waited = new Map<string, number>();
          for (const step of steps) {
            if (step >= 0) {
              const c = cams[step % k]!;
              if (!s.hasPending(c)) waited.set(c, 0);
              s.offer(c, 'f');
              continue;
            }
            const g = s.next();
            if (!g) continue;
            s.finish(g.camera);
            waited.delete(g.camera);
            for (const [c, w] of waited) {
              waited.set(c, w + 1);
              expect(w + 1).toBeLessThanOrEqual(k - 1);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
