/**
 * Inference first: the live view gets the CPU that inference leaves. While inference has no spare
 * time (frames dropped because every lane was busy, or a file read as fast as inference goes),
 * each preview the screen draws is a frame the PLC does not get: on a 2-core PC a browser drawing
 * 10 pictures a second took a quarter of the frames. So the live view's rate halves each second
 * inference is short of time, down to `floorFps`, and comes back one picture a second at a time
 * after `recoverAfterMs` with time to spare (additive increase, multiplicative decrease: a live
 * camera settles at the rate the spare CPU pays for instead of swinging between both ends).
 *
 * Pure: the caller samples once per stats period and passes its clock.
 */

export interface LiveViewRate {
  /** Live-view pictures a second now allowed. */
  fps: number;
  /** Below the cap because inference has no spare time. */
  yielding: boolean;
}

export interface LiveViewGovernorOptions {
  /** The live view's rate with time to spare (the preview encoder's cap). */
  capFps: number;
  /** Never fewer pictures a second than this: the operator still sees the line move. */
  floorFps?: number;
  /** Time with spare CPU before each step back up. */
  recoverAfterMs?: number;
}

export const LIVE_VIEW_FLOOR_FPS = 1;
const RECOVER_AFTER_MS = 3_000;

export class LiveViewGovernor {
  private fps: number;
  private readonly floorFps: number;
  private readonly recoverAfterMs: number;
  /** When the rate last changed or inference last ran short (a step up waits from there). */
  private sinceMs: number | null = null;

  constructor(private readonly opts: LiveViewGovernorOptions) {
    if (!(opts.capFps > 0)) throw new RangeError(`capFps must be above 0, got ${opts.capFps}`);
    this.floorFps = Math.min(opts.floorFps ?? LIVE_VIEW_FLOOR_FPS, opts.capFps);
    this.recoverAfterMs = opts.recoverAfterMs ?? RECOVER_AFTER_MS;
    this.fps = opts.capFps;
  }

  /** One sample per stats period: whether inference ran short of time during it. */
  update(inferenceSaturated: boolean, nowMs: number): LiveViewRate {
    if (inferenceSaturated) {
      this.fps = Math.max(this.floorFps, Math.floor(this.fps / 2));
      this.sinceMs = nowMs;
    } else if (this.fps < this.opts.capFps) {
      this.sinceMs ??= nowMs;
      if (nowMs - this.sinceMs >= this.recoverAfterMs) {
        this.fps = Math.min(this.opts.capFps, this.fps + 1);
        this.sinceMs = nowMs;
      }
    }
    return this.rate();
  }

  /** Back to the cap (the live view no longer yields). */
  reset(): LiveViewRate {
    this.fps = this.opts.capFps;
    this.sinceMs = null;
    return this.rate();
  }

  rate(): LiveViewRate {
    return { fps: this.fps, yielding: this.fps < this.opts.capFps };
  }
}
