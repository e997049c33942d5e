/**
 * How many intra-op threads a CPU session gets and whether its idle threads spin, chosen from
 * timings taken at load. Pure: the adapter times the candidates, this decides.
 *
 * The timings are of the model alone, but in the pipeline the same cores also decode video and run
 * the main thread. A configuration that takes more of the machine (more threads, or threads that
 * spin while idle) therefore has to beat the cheaper one by a margin before it is kept.
 */
import type { CpuThreadChoice } from '../../shared/detection';

export type { CpuThreadChoice };

export interface CpuThreadConfig {
  intraOpThreads: number;
  spinning: boolean;
}

export interface CpuThreadTrial extends CpuThreadConfig {
  /** Milliseconds per frame (pre + infer + post) of each timed run; may be empty. */
  msPerFrame: readonly number[];
}

/** Each step up in cost (all cores instead of one, then spinning) must gain this share of fps. */
export const DEFAULT_COST_MARGIN = 0.1;

/**
 * Candidates, cheapest first. With one thread there is no pool to spin, so spinning is only tried
 * with all cores; on a one-core machine there is a single candidate.
 */
export function threadCandidates(cores: number): CpuThreadConfig[] {
  const n = Math.max(1, Math.floor(cores));
  const one: CpuThreadConfig = { intraOpThreads: 1, spinning: false };
  if (n === 1) return [one];
  return [one, { intraOpThreads: n, spinning: false }, { intraOpThreads: n, spinning: true }];
}

/** How many cost steps a configuration is above one thread without spinning. */
export function costSteps(c: CpuThreadConfig): number {
  return (c.intraOpThreads > 1 ? 1 : 0) + (c.spinning ? 1 : 0);
}

export function medianOf(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * The best trial for the pipeline: highest fps after each cost step divides it by `1 + margin`;
 * ties go to the cheaper one. Trials without timings are skipped; none at all gives the first
 * candidate (one thread, no spinning).
 */
export function chooseThreads(
  trials: readonly CpuThreadTrial[],
  margin: number = DEFAULT_COST_MARGIN,
): CpuThreadChoice {
  const timed = trials
    .filter((t) => t.msPerFrame.length > 0)
    .map((t) => ({ ...t, fps: 1000 / medianOf(t.msPerFrame) }));
  let best: (typeof timed)[number] | undefined;
  let bestScore = -Infinity;
  for (const t of timed) {
    const score = t.fps / (1 + margin) ** costSteps(t);
    const cheaper = best !== undefined && costSteps(t) < costSteps(best);
    if (score > bestScore || (score === bestScore && cheaper)) {
      best = t;
      bestScore = score;
    }
  }
  return {
    intraOpThreads: best?.intraOpThreads ?? 1,
    spinning: best?.spinning ?? false,
    chosenBy: 'measured',
    trials: timed.map((t) => ({
      intraOpThreads: t.intraOpThreads,
      spinning: t.spinning,
      fps: Math.round(t.fps * 10) / 10,
    })),
  };
}

/** "2 threads, spinning (measured)" style text for logs and `bench`. */
export function describeThreadChoice(c: CpuThreadChoice): string {
  return `${c.intraOpThreads} thread${c.intraOpThreads === 1 ? '' : 's'}, ${c.spinning ? 'spinning' : 'no spinning'} (${c.chosenBy})`;
}
