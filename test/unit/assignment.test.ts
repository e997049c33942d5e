import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assignWithThreshold, solveAssignment } from '../../src/main/core/tracking';

/** Every partial assignment by brute force: the minimum of pairs + (unmatched × maxCost / 2). */
function bruteForcePartial(rows: number, cols: number, costs: number[], maxCost: number): number {
  let best = Infinity;
  const usedCol = new Array<boolean>(cols).fill(false);
  const go = (r: number, acc: number, matched: number): void => {
    if (r === rows) {
      best = Math.min(best, acc + (rows + cols - 2 * matched) * (maxCost / 2));
      return;
    }
    go(r + 1, acc, matched);
    for (let c = 0; c < cols; c++) {
      const x = costs[r * cols + c];
      if (usedCol[c] || x > maxCost) continue;
      usedCol[c] = true;
      go(r + 1, acc + x, matched + 1);
      usedCol[c] = false;
    }
  };
  go(0, 0, 0);
  return best;
}

function bruteForceFull(rows: number, cols: number, costs: number[]): number {
  let best = Infinity;
  const k = Math.min(rows, cols);
  const usedCol = new Array<boolean>(cols).fill(false);
  const usedRow = new Array<boolean>(rows).fill(false);
  const go = (r: number, acc: number, matched: number): void => {
    if (matched === k) return void (best = Math.min(best, acc));
    if (r === rows) return;
    if (rows - r > k - matched) go(r + 1, acc, matched);
    for (let c = 0; c < cols; c++) {
      if (usedCol[c]) continue;
      usedCol[c] = usedRow[r] = true;
      go(r + 1, acc + costs[r * cols + c], matched + 1);
      usedCol[c] = usedRow[r] = false;
    }
  };
  go(0, 0, 0);
  return best;
}

describe('solveAssignment (Hungarian)', () => {
  it('solves the textbook 3x3 case exactly', () => {
    // Row 1 giving up its cheapest column (0 at column 1) is optimal: 1 + 2 + 2 = 5 < 4 + 0 + 2 = 6.
    const costs = [4, 1, 3, 2, 0, 5, 3, 2, 2];
    const a = solveAssignment({ rows: 3, cols: 3, costs });
    expect(a.pairs).toEqual([
      [0, 1],
      [1, 0],
      [2, 2],
    ]);
    expect(a.totalCost).toBe(5);
  });

  it('handles more rows than columns and empty matrices', () => {
    const a = solveAssignment({ rows: 3, cols: 2, costs: [1, 9, 9, 9, 8, 2] });
    expect(a.pairs).toEqual([
      [0, 0],
      [2, 1],
    ]);
    expect(a.unmatchedRows).toEqual([1]);
    expect(solveAssignment({ rows: 0, cols: 4, costs: [] }).unmatchedCols).toEqual([0, 1, 2, 3]);
  });

  it('matches brute force on random rectangular matrices', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 25, maxLength: 25 }),
        (rows, cols, pool) => {
          const costs = pool.slice(0, rows * cols);
          const a = solveAssignment({ rows, cols, costs });
          expect(a.pairs.length).toBe(Math.min(rows, cols));
          expect(a.totalCost).toBe(bruteForceFull(rows, cols, costs));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses malformed input with the reason', () => {
    expect(() => solveAssignment({ rows: 2, cols: 2, costs: [1, 2, 3] })).toThrow('needs 4 costs, got 3');
    expect(() => solveAssignment({ rows: 1, cols: 1, costs: [NaN] })).toThrow('not finite');
  });
});

describe('assignWithThreshold', () => {
  it('never makes a pair above the threshold and leaves rows and columns unmatched instead', () => {
    const a = assignWithThreshold({ rows: 2, cols: 2, costs: [0.9, 0.1, 0.95, 0.99] }, 0.8);
    expect(a.pairs).toEqual([[0, 1]]);
    expect(a.unmatchedRows).toEqual([1]);
    expect(a.unmatchedCols).toEqual([0]);
    expect(a.totalCost).toBeCloseTo(0.1, 12);
  });

  it('prefers two good pairs over one excellent pair and two misses', () => {
    // Row 0 is best with column 0 (0.0), but then row 1 (only allowed with column 0) stays unmatched:
    // 0.0 + 2 × 0.4 = 0.8 > 0.3 + 0.3 = 0.6.
    const a = assignWithThreshold({ rows: 2, cols: 2, costs: [0.0, 0.3, 0.3, 0.9] }, 0.8);
    expect(a.pairs).toEqual([
      [0, 1],
      [1, 0],
    ]);
  });

  it('is optimal over partial assignments (brute force)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 0, max: 5 }),
        fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 25, maxLength: 25 }),
        fc.integer({ min: 0, max: 10 }),
        (rows, cols, pool, maxCost) => {
          const costs = pool.slice(0, rows * cols);
          const a = assignWithThreshold({ rows, cols, costs }, maxCost);
          for (const [r, c] of a.pairs) expect(costs[r * cols + c]).toBeLessThanOrEqual(maxCost);
          const objective = a.totalCost + (a.unmatchedRows.length + a.unmatchedCols.length) * (maxCost / 2);
          expect(objective).toBe(bruteForcePartial(rows, cols, costs, maxCost));
        },
      ),
      { numRuns: 300 },
    );
  });
});
