import { describe, expect, it } from 'vitest';
import { percentileSorted, RollingWindow } from '../../src/main/core/rolling-stats';

describe('percentileSorted (nearest rank)', () => {
  const xs = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
  it('picks the nearest-rank value', () => {
    expect([
      percentileSorted(xs, 50),
      percentileSorted(xs, 95),
      percentileSorted(xs, 99),
      percentileSorted(xs, 100),
    ]).toEqual([50, 95, 99, 100]);
    expect(percentileSorted([7], 99)).toBe(7);
    expect(percentileSorted([], 50)).toBeNaN();
  });
});

describe('RollingWindow', () => {
  it('keeps only the window and computes percentiles and rate', () => {
    const w = new RollingWindow(1000);
    for (let i = 0; i <= 20; i++) w.add(i * 100, i); // 10 Hz for 2 s, values 0..20
    // At t=2000 the window holds t >= 1000: values 10..20 (11 samples, 10 intervals over 1000 ms).
    expect(w.ratePerSec(2000)).toBe(10);
    expect(w.count).toBe(11);
    expect(w.percentiles(2000)).toEqual({ p50: 15, p95: 20, p99: 20 });
    expect(w.mean(2000)).toBe(15);
  });
  it('is bounded by maxSamples', () => {
    const w = new RollingWindow(1e9, 5);
    for (let i = 0; i < 100; i++) w.add(i, i);
    expect(w.count).toBe(5);
    expect(w.percentiles(100).p50).toBe(97);
  });
  it('reads 0 rate with fewer than two samples', () => {
    const w = new RollingWindow(1000);
    expect(w.ratePerSec(0)).toBe(0);
    w.add(0, 1);
    expect(w.ratePerSec(0)).toBe(0);
  });
});
