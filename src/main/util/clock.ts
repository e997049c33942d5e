/**
 * Time as the station's services see it, so that their timing rules (grace periods, "below target
 * for 10 s") are tested with a clock the test moves, not by waiting.
 */
export interface Clock {
  /** Wall-clock milliseconds (Date.now()). */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};
