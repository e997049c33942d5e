/**
 * Rolling statistics over the last `windowMs` of samples: percentiles and rates. Bounded: at most
 * `maxSamples` are kept whatever the rate, the oldest going first.
 */

/** Nearest-rank percentile of an ascending array (p in 0..100); NaN for an empty array. */
export function percentileSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
}

export class RollingWindow {
  private readonly timesMs: number[] = [];
  private readonly values: number[] = [];

  constructor(
    readonly windowMs: number,
    readonly maxSamples = 4096,
  ) {}

  add(timeMs: number, value: number): void {
    this.timesMs.push(timeMs);
    this.values.push(value);
    if (this.values.length > this.maxSamples) {
      this.timesMs.shift();
      this.values.shift();
    }
  }

  /** Drop samples older than `nowMs - windowMs`. */
  prune(nowMs: number): void {
    const cutoff = nowMs - this.windowMs;
    let n = 0;
    while (n < this.timesMs.length && this.timesMs[n]! < cutoff) n++;
    if (n > 0) {
      this.timesMs.splice(0, n);
      this.values.splice(0, n);
    }
  }

  get count(): number {
    return this.values.length;
  }

  percentiles(nowMs: number): Percentiles {
    this.prune(nowMs);
    const sorted = [...this.values].sort((a, b) => a - b);
    return {
      p50: percentileSorted(sorted, 50),
      p95: percentileSorted(sorted, 95),
      p99: percentileSorted(sorted, 99),
    };
  }

  mean(nowMs: number): number {
    this.prune(nowMs);
    if (this.values.length === 0) return NaN;
    return this.values.reduce((a, b) => a + b, 0) / this.values.length;
  }

  /**
   * Events per second over the window: (n - 1) intervals between the first and last sample, so a
   * steady 10 Hz stream reads 10 whatever the window length. 0 with fewer than two samples.
   */
  ratePerSec(nowMs: number): number {
    this.prune(nowMs);
    const n = this.timesMs.length;
    if (n < 2) return 0;
    const spanMs = this.timesMs[n - 1]! - this.timesMs[0]!;
    return spanMs > 0 ? ((n - 1) * 1000) / spanMs : 0;
  }
}
