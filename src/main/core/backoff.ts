/**
 * Exponential backoff with a cap and optional jitter. Pure apart from the injectable random
 * source, so capture, the PLC link and anything else that reconnects share one tested policy.
 */

export interface BackoffOptions {
  /** Delay before the first retry. */
  initialDelayMs: number;
  /** Upper bound for any delay, jitter included. */
  maxDelayMs: number;
  /** Growth per attempt (2 doubles the delay). */
  factor: number;
  /**
   * Fraction of the delay that is randomised, 0..1. 0.2 gives a delay in [0.8·d, d]. Jitter only
   * ever shortens the delay, so the cap stays a hard bound; it spreads reconnect storms when many
   * clients lose the same server.
   */
  jitter: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = Object.freeze({
  initialDelayMs: 500,
  maxDelayMs: 10_000,
  factor: 2,
  jitter: 0,
});

function checkOptions(o: BackoffOptions): void {
  if (!(Number.isFinite(o.initialDelayMs) && o.initialDelayMs >= 0))
    throw new RangeError(`initialDelayMs must be >= 0 (got ${o.initialDelayMs})`);
  if (!(Number.isFinite(o.maxDelayMs) && o.maxDelayMs >= o.initialDelayMs))
    throw new RangeError(`maxDelayMs must be >= initialDelayMs (got ${o.maxDelayMs})`);
  if (!(Number.isFinite(o.factor) && o.factor >= 1))
    throw new RangeError(`factor must be >= 1 (got ${o.factor})`);
  if (!(o.jitter >= 0 && o.jitter <= 1)) throw new RangeError(`jitter must be within 0..1 (got ${o.jitter})`);
}

/**
 * Delay before retry number `attempt` (0 = first retry): min(max, initial · factor^attempt), then
 * reduced by up to `jitter` of itself using `random()` in [0, 1).
 */
export function backoffDelayMs(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  checkOptions(options);
  const n = Math.max(0, Math.floor(attempt));
  // Exponentiation overflows to Infinity for large n, which min() then caps: no special case needed.
  const raw = Math.min(options.maxDelayMs, options.initialDelayMs * Math.pow(options.factor, n));
  if (options.jitter === 0) return raw;
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(raw * (1 - options.jitter * r));
}

/** Stateful helper: `next()` returns the next delay and counts the attempt; `reset()` after success. */
export class Backoff {
  private readonly options: BackoffOptions;
  private attemptCount = 0;

  constructor(
    options: Partial<BackoffOptions> = {},
    private readonly random: () => number = Math.random,
  ) {
    this.options = { ...DEFAULT_BACKOFF, ...options };
    checkOptions(this.options);
  }

  /** Retries handed out since the last reset. */
  get attempts(): number {
    return this.attemptCount;
  }

  next(): number {
    const d = backoffDelayMs(this.attemptCount, this.options, this.random);
    this.attemptCount++;
    return d;
  }

  reset(): void {
    this.attemptCount = 0;
  }
}
