import { describe, expect, it } from 'vitest';
import { Backoff, backoffDelayMs, DEFAULT_BACKOFF } from '../../src/main/core/backoff';

const opts = { initialDelayMs: 100, maxDelayMs: 1000, factor: 2, jitter: 0 };

describe('backoffDelayMs', () => {
  it('grows exponentially and stops at the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 50, 5000].map((a) => backoffDelayMs(a, opts))).toEqual([
      100, 200, 400, 800, 1000, 1000, 1000, 1000,
    ]);
  });

  it('jitter only shortens the delay, by at most the jitter fraction', () => {
    const j = { ...opts, jitter: 0.5 };
    expect(backoffDelayMs(1, j, () => 0)).toBe(200);
    expect(backoffDelayMs(1, j, () => 0.5)).toBe(150);
    expect(backoffDelayMs(1, j, () => 0.999999)).toBe(100);
    expect(backoffDelayMs(10, j, () => 0)).toBe(1000);
  });

  it('rejects nonsense options', () => {
    expect(() => backoffDelayMs(0, { ...opts, factor: 0.5 })).toThrow(/factor/);
    expect(() => backoffDelayMs(0, { ...opts, maxDelayMs: 50 })).toThrow(/maxDelayMs/);
    expect(() => backoffDelayMs(0, { ...opts, jitter: 2 })).toThrow(/jitter/);
    expect(() => backoffDelayMs(0, { ...opts, initialDelayMs: -1 })).toThrow(/initialDelayMs/);
  });
});

describe('Backoff', () => {
  it('counts attempts and starts over after reset', () => {
    const b = new Backoff(opts);
    expect([b.next(), b.next(), b.next()]).toEqual([100, 200, 400]);
    expect(b.attempts).toBe(3);
    b.reset();
    expect(b.attempts).toBe(0);
    expect(b.next()).toBe(100);
  });

  it('fills unspecified options from the defaults', () => {
    const b = new Backoff({ maxDelayMs: 600 });
    expect(b.next()).toBe(DEFAULT_BACKOFF.initialDelayMs);
    expect(b.next()).toBe(600);
  });
});
