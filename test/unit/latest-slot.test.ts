import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LatestSlot } from '../../src/main/core/latest-slot';
import { NewestOnlySchedule } from '../../src/main/core/write-schedule';

describe('LatestSlot', () => {
  it('a new value replaces the waiting one and counts it as dropped', () => {
    const s = new LatestSlot<string>();
    expect(s.take()).toBeUndefined();
    s.offer('a');
    s.offer('b');
    s.offer('c');
    expect(s.pending).toBe('c');
    expect(s.dropped).toBe(2);
    expect(s.take()).toBe('c');
    expect(s.hasPending).toBe(false);
    expect(s.inFlight).toBe(true);
  });

  it('never replaces the value in flight, and hands out nothing else while one is', () => {
    const s = new LatestSlot<string>();
    s.offer('a');
    expect(s.take()).toBe('a');
    s.offer('b');
    expect(s.take()).toBeUndefined();
    expect(s.dropped).toBe(0);
    s.written();
    expect(s.take()).toBe('b');
    s.written();
    expect([s.hasPending, s.inFlight, s.dropped]).toEqual([false, false, 0]);
  });

  it('a failed write waits again, unless a newer value arrived (then it is dropped)', () => {
    const s = new LatestSlot<string>();
    s.offer('a');
    s.take();
    s.failed();
    expect(s.pending).toBe('a');
    expect(s.dropped).toBe(0);
    s.take();
    s.offer('b');
    s.failed();
    expect(s.pending).toBe('b');
    expect(s.dropped).toBe(1);
  });

  it('keeps falsy values (0, empty string)', () => {
    const s = new LatestSlot<number>();
    s.offer(0);
    expect(s.hasPending).toBe(true);
    expect(s.take()).toBe(0);
  });

  it('property: every offered value is written once, dropped, or still held', () => {
    const op = fc.constantFrom('offer', 'take', 'written', 'failed');
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const s = new LatestSlot<number>();
        let offered = 0;
        let writtenCount = 0;
        let inFlight: number | undefined;
        const written: number[] = [];
        for (const o of ops) {
          if (o === 'offer') s.offer(offered++);
          else if (o === 'take') inFlight ??= s.take();
          else if (inFlight !== undefined) {
            if (o === 'written') {
              s.written();
              written.push(inFlight);
              writtenCount++;
            } else s.failed();
            inFlight = undefined;
          }
        }
        const held = (s.hasPending ? 1 : 0) + (s.inFlight ? 1 : 0);
        expect(writtenCount + s.dropped + held).toBe(offered);
        // Newest first: what is written only ever moves forward.
        for (let i = 1; i < written.length; i++) expect(written[i]!).toBeGreaterThan(written[i - 1]!);
      }),
    );
  });
});

describe('NewestOnlySchedule', () => {
  it('writes the newest value when the link is free, and waits for an offer otherwise', () => {
    const s = new NewestOnlySchedule<string>();
    expect(s.next()).toEqual({ kind: 'wait', untilMs: null });
    s.offer('a');
    s.offer('b');
    expect(s.hasPending).toBe(true);
    expect(s.next()).toEqual({ kind: 'write', write: 'b' });
    expect(s.next()).toEqual({ kind: 'wait', untilMs: null });
    s.offer('c');
    s.failed();
    expect(s.next()).toEqual({ kind: 'write', write: 'c' });
    s.written();
    expect(s.dropped).toBe(2);
    expect(s.hasPending).toBe(false);
  });
});
