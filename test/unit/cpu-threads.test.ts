import { describe, expect, it } from 'vitest';
import {
  chooseThreads,
  costSteps,
  describeThreadChoice,
  medianOf,
  threadCandidates,
  type CpuThreadTrial,
} from '../../src/main/core/cpu-threads';

const trial = (intraOpThreads: number, spinning: boolean, ...msPerFrame: number[]): CpuThreadTrial => ({
  intraOpThreads,
  spinning,
  msPerFrame,
});

describe('threadCandidates', () => {
  it('tries one thread, then all cores without and with spinning', () => {
    expect(threadCandidates(2)).toEqual([
      { intraOpThreads: 1, spinning: false },
      { intraOpThreads: 2, spinning: false },
      { intraOpThreads: 2, spinning: true },
    ]);
    expect(threadCandidates(16).map((c) => c.intraOpThreads)).toEqual([1, 16, 16]);
  });

  it('has a single candidate on one core (no pool to spin)', () => {
    expect(threadCandidates(1)).toEqual([{ intraOpThreads: 1, spinning: false }]);
    expect(threadCandidates(0)).toEqual([{ intraOpThreads: 1, spinning: false }]);
  });

  it('counts cost steps: more threads one, spinning one', () => {
    expect(costSteps({ intraOpThreads: 1, spinning: false })).toBe(0);
    expect(costSteps({ intraOpThreads: 4, spinning: false })).toBe(1);
    expect(costSteps({ intraOpThreads: 4, spinning: true })).toBe(2);
  });
});

describe('medianOf', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(medianOf([30, 10, 20])).toBe(20);
    expect(medianOf([40, 10, 20, 30])).toBe(25);
    expect(medianOf([])).toBeNaN();
  });
});

describe('chooseThreads', () => {
  it('keeps all cores when they beat one thread by more than the margin', () => {
    // 50 fps vs 66.7 fps; 66.7 / 1.1 = 60.6 > 50.
    const c = chooseThreads([
      trial(1, false, 20, 21, 19),
      trial(2, false, 15, 15, 16),
      trial(2, true, 14, 30, 30),
    ]);
    expect(c).toEqual({
      intraOpThreads: 2,
      spinning: false,
      chosenBy: 'measured',
      trials: [
        { intraOpThreads: 1, spinning: false, fps: 50 },
        { intraOpThreads: 2, spinning: false, fps: 66.7 },
        { intraOpThreads: 2, spinning: true, fps: 33.3 },
      ],
    });
  });

  it('keeps one thread when all cores gain less than the margin', () => {
    // 50 fps vs 52.6 fps: 52.6 / 1.1 = 47.8 < 50.
    const c = chooseThreads([trial(1, false, 20), trial(2, false, 19), trial(2, true, 19)]);
    expect([c.intraOpThreads, c.spinning]).toEqual([1, false]);
  });

  it('keeps spinning only when it pays for its second cost step', () => {
    // 100 fps without spinning (score 90.9); spinning at 8.5 ms: 117.6 / 1.21 = 97.2.
    const spin = chooseThreads([trial(1, false, 30), trial(2, false, 10), trial(2, true, 8.5)]);
    expect([spin.intraOpThreads, spin.spinning]).toEqual([2, true]);
    // Spinning at 9.5 ms: 105.3 / 1.21 = 87.0 < 90.9.
    const noSpin = chooseThreads([trial(1, false, 30), trial(2, false, 10), trial(2, true, 9.5)]);
    expect([noSpin.intraOpThreads, noSpin.spinning]).toEqual([2, false]);
  });

  it('takes the cheaper of two equal scores', () => {
    const c = chooseThreads([trial(2, false, 10), trial(1, false, 10)], 0);
    expect([c.intraOpThreads, c.spinning]).toEqual([1, false]);
  });

  it('with margin 0 takes the fastest', () => {
    const c = chooseThreads([trial(1, false, 20), trial(2, false, 19.9)], 0);
    expect(c.intraOpThreads).toBe(2);
  });

  it('skips trials without timings; none at all gives one thread without spinning', () => {
    const c = chooseThreads([trial(1, false, 20), trial(2, false)]);
    expect(c.trials).toEqual([{ intraOpThreads: 1, spinning: false, fps: 50 }]);
    expect(chooseThreads([])).toEqual({
      intraOpThreads: 1,
      spinning: false,
      chosenBy: 'measured',
      trials: [],
    });
  });

  it('describes the choice in words', () => {
    expect(describeThreadChoice(chooseThreads([trial(1, false, 20)]))).toBe(
      '1 thread, no spinning (measured)',
    );
    expect(
      describeThreadChoice({ intraOpThreads: 2, spinning: true, chosenBy: 'override', trials: [] }),
    ).toBe('2 threads, spinning (override)');
  });
});
