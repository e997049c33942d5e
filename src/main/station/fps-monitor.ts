/**
 * The "below the fps target" rule: while the camera is live and the rate stays under the target
 * for `alarmAfterMs`, the alarm is on; it clears as soon as the rate is back (or the camera is not
 * live, which has its own alarm).
 */
export type FpsVerdict = { kind: 'raise'; message: string } | { kind: 'clear' } | { kind: 'pending' };

export class FpsMonitor {
  private belowSinceMs: number | null = null;

  constructor(
    private readonly targetFps: number,
    private alarmAfterMs: number,
  ) {}

  setAlarmAfterMs(ms: number): void {
    this.alarmAfterMs = ms;
  }

  update(fps: number, sourceLive: boolean, nowMs: number): FpsVerdict {
    if (!sourceLive || fps >= this.targetFps) {
      this.belowSinceMs = null;
      return { kind: 'clear' };
    }
    this.belowSinceMs ??= nowMs;
    if (nowMs - this.belowSinceMs < this.alarmAfterMs) return { kind: 'pending' };
    return {
      kind: 'raise',
      message: `${fps} fps, below the ${this.targetFps} fps target for ${Math.round(this.alarmAfterMs / 1000)} s or more`,
    };
  }
}
