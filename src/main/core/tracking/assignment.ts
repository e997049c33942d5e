/**
 * Optimal assignment (minimum total cost) for a rectangular cost matrix: the Hungarian method in
 * its shortest-augmenting-path form with row/column potentials (Jonker-Volgenant style), O(n²m).
 *
 * `solveAssignment` pairs every row with a distinct column when rows ≤ columns (it transposes
 * otherwise). `assignWithThreshold` is what trackers need: pairs whose cost exceeds the threshold
 * are not allowed, and leaving a row or column unmatched is allowed. It solves the square problem
 * augmented with one "unmatched" slot per row and per column, each costing threshold / 2 (so a
 * pair is only worth making when its cost is below threshold = both halves), as lapjv's
 * `cost_limit` does. The result is then optimal over every partial assignment of allowed pairs.
 */

/** Row-major costs, `rows × cols`. */
export interface CostMatrix {
  rows: number;
  cols: number;
  /** `rows * cols` finite numbers; cost of (r, c) at `r * cols + c`. */
  costs: ArrayLike<number>;
}

export interface Assignment {
  /** Matched (row, column) pairs, by ascending row. */
  pairs: [number, number][];
  unmatchedRows: number[];
  unmatchedCols: number[];
  /** Sum of the costs of `pairs`. */
  totalCost: number;
}

function checkMatrix(m: CostMatrix): void {
  if (!Number.isInteger(m.rows) || !Number.isInteger(m.cols) || m.rows < 0 || m.cols < 0)
    throw new RangeError(`cost matrix size must be non-negative integers, got ${m.rows}x${m.cols}`);
  if (m.costs.length !== m.rows * m.cols)
    throw new RangeError(
      `cost matrix ${m.rows}x${m.cols} needs ${m.rows * m.cols} costs, got ${m.costs.length}`,
    );
  for (let i = 0; i < m.costs.length; i++)
    if (!Number.isFinite(m.costs[i])) throw new RangeError(`cost matrix entry ${i} is not finite`);
}

/**
 * Minimum-cost assignment of every row to a distinct column for rows ≤ cols.
 * Returns `colOfRow` (length rows).
 */
function hungarianRowsLeCols(rows: number, cols: number, cost: (r: number, c: number) => number): Int32Array {
  // 1-based arrays; index 0 is the virtual start column of each augmenting path.
  const u = new Float64Array(rows + 1);
  const v = new Float64Array(cols + 1);
  const rowOfCol = new Int32Array(cols + 1); // 0 = free
  const way = new Int32Array(cols + 1);
  const minv = new Float64Array(cols + 1);
  const used = new Uint8Array(cols + 1);
  for (let r = 1; r <= rows; r++) {
    rowOfCol[0] = r;
    let c0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      used[c0] = 1;
      const r0 = rowOfCol[c0];
      let delta = Infinity;
      let c1 = 0;
      for (let c = 1; c <= cols; c++) {
        if (used[c]) continue;
        const reduced = cost(r0 - 1, c - 1) - u[r0] - v[c];
        if (reduced < minv[c]) {
          minv[c] = reduced;
          way[c] = c0;
        }
        if (minv[c] < delta) {
          delta = minv[c];
          c1 = c;
        }
      }
      for (let c = 0; c <= cols; c++) {
        if (used[c]) {
          u[rowOfCol[c]] += delta;
          v[c] -= delta;
        } else minv[c] -= delta;
      }
      c0 = c1;
    } while (rowOfCol[c0] !== 0);
    // Flip the augmenting path.
    do {
      const c1 = way[c0];
      rowOfCol[c0] = rowOfCol[c1];
      c0 = c1;
    } while (c0 !== 0);
  }
  const colOfRow = new Int32Array(rows).fill(-1);
  for (let c = 1; c <= cols; c++) if (rowOfCol[c] !== 0) colOfRow[rowOfCol[c] - 1] = c - 1;
  return colOfRow;
}

function toAssignment(m: CostMatrix, colOfRow: ArrayLike<number>): Assignment {
  const pairs: [number, number][] = [];
  const colUsed = new Uint8Array(m.cols);
  const unmatchedRows: number[] = [];
  let totalCost = 0;
  for (let r = 0; r < m.rows; r++) {
    const c = colOfRow[r];
    if (c < 0) {
      unmatchedRows.push(r);
      continue;
    }
    pairs.push([r, c]);
    colUsed[c] = 1;
    totalCost += m.costs[r * m.cols + c];
  }
  const unmatchedCols: number[] = [];
  for (let c = 0; c < m.cols; c++) if (!colUsed[c]) unmatchedCols.push(c);
  return { pairs, unmatchedRows, unmatchedCols, totalCost };
}

/** Minimum-cost assignment matching min(rows, cols) pairs. */
export function solveAssignment(m: CostMatrix): Assignment {
  checkMatrix(m);
  if (m.rows === 0 || m.cols === 0) return toAssignment(m, new Int32Array(m.rows).fill(-1));
  if (m.rows <= m.cols) {
    return toAssignment(
      m,
      hungarianRowsLeCols(m.rows, m.cols, (r, c) => m.costs[r * m.cols + c]),
    );
  }
  const rowOfCol = hungarianRowsLeCols(m.cols, m.rows, (c, r) => m.costs[r * m.cols + c]);
  const colOfRow = new Int32Array(m.rows).fill(-1);
  rowOfCol.forEach((r, c) => {
    if (r >= 0) colOfRow[r] = c;
  });
  return toAssignment(m, colOfRow);
}

/**
 * Minimum-cost partial assignment where a pair is allowed only when its cost ≤ `maxCost`, and
 * each row or column left unmatched costs `maxCost / 2`. Ties at exactly `maxCost` may go either
 * way (a pair and two unmatched slots cost the same); pairs above it are never made.
 */
export function assignWithThreshold(m: CostMatrix, maxCost: number): Assignment {
  checkMatrix(m);
  if (!Number.isFinite(maxCost) || maxCost < 0)
    throw new RangeError(`maxCost must be finite and >= 0, got ${maxCost}`);
  const { rows, cols } = m;
  if (rows === 0 || cols === 0) return toAssignment(m, new Int32Array(rows).fill(-1));
  // Forbidden entries: more than any complete solution of allowed/unmatched choices can cost.
  let maxAbs = maxCost;
  for (let i = 0; i < m.costs.length; i++) maxAbs = Math.max(maxAbs, Math.abs(m.costs[i]));
  const forbidden = (rows + cols + 1) * (maxAbs + 1) * 2;
  const half = maxCost / 2;
  const n = rows + cols;
  // Square (rows+cols): [C | row r unmatched on diagonal] over [column c unmatched on diagonal | 0].
  const cost = (r: number, c: number): number => {
    if (r < rows) {
      if (c < cols) {
        const x = m.costs[r * cols + c];
        return x > maxCost ? forbidden : x;
      }
      return c - cols === r ? half : forbidden;
    }
    if (c < cols) return r - rows === c ? half : forbidden;
    return 0;
  };
  const colOfAug = hungarianRowsLeCols(n, n, cost);
  const colOfRow = new Int32Array(rows).fill(-1);
  for (let r = 0; r < rows; r++) {
    const c = colOfAug[r];
    if (c < cols && m.costs[r * cols + c] <= maxCost) colOfRow[r] = c;
  }
  return toAssignment(m, colOfRow);
}
