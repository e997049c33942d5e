import { describe, expect, it } from 'vitest';
import { LiveViewGovernor } from '../../src/main/station/live-view-governor';

describe('LiveViewGovernor: the live view gets the CPU that inference leaves', () => {
  it('halves each second inference is short of time, down to 1 a second, and stays there', () => {
    const g = new LiveViewGovernor({ capFps: 10 });
    expect(g.rate()).toEqual({ fps: 10, yielding: false });
    const fps = [1000, 2000, 3000, 4000, 5000].map((t) => g.update(true, t).fps);
    expect(fps).toEqual([5, 2, 1, 1, 1]);
    expect(g.rate()).toEqual({ fps: 1, yielding: true });
  });

  it('comes back one a second at a time, each after 3 s with time to spare, up to the cap', () => {
    const g = new LiveViewGovernor({ capFps: 4 });
    g.update(true, 0);
    g.update(true, 1000); // 4 → 2 → 1
    const fps = [2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10_000, 11_000, 12_000, 13_000, 14_000].map(
      (t) => g.update(false, t).fps,
    );
    // Short of time last in the second up to 1000: up at 4000, 7000, 10000, then at the cap.
    expect(fps).toEqual([1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 4, 4]);
    expect(g.rate()).toEqual({ fps: 4, yielding: false });
  });

  it('settles where the spare CPU pays for it: a short second restarts the wait before the next step up', () => {
    const g = new LiveViewGovernor({ capFps: 10 });
    g.update(true, 0); // 5
    expect(g.update(false, 1000).fps).toBe(5);
    expect(g.update(false, 2500).fps).toBe(5);
    expect(g.update(true, 3500).fps).toBe(2);
    expect(g.update(false, 6000).fps).toBe(2);
    expect(g.update(false, 6500).fps).toBe(3);
  });

  it('goes back to the cap at once when the live view no longer yields', () => {
    const g = new LiveViewGovernor({ capFps: 10 });
    g.update(true, 0);
    g.update(true, 1000);
    expect(g.reset()).toEqual({ fps: 10, yielding: false });
    expect(g.update(false, 1500)).toEqual({ fps: 10, yielding: false });
  });

  it('never goes below the floor, nor above a cap under it', () => {
    const slow = new LiveViewGovernor({ capFps: 1 });
    expect(slow.update(true, 0)).toEqual({ fps: 1, yielding: false });
    const floor2 = new LiveViewGovernor({ capFps: 10, floorFps: 2 });
    expect([0, 1, 2, 3].map((t) => floor2.update(true, t * 1000).fps)).toEqual([5, 2, 2, 2]);
    expect(() => new LiveViewGovernor({ capFps: 0 })).toThrow(/capFps must be above 0/);
  });
});
