/**
 * The little dense linear algebra the calibration solver needs: a cyclic Jacobi eigen solver for
 * small symmetric matrices (the normal matrix AᵀA of a DLT system, 9×9) and 3×3 helpers.
 * Matrices are arrays of rows.
 */

export interface SymmetricEigen {
  /** Ascending. */
  values: number[];
  /** `vectors[k]` is the unit eigenvector of `values[k]`. */
  vectors: number[][];
}

/**
 * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations. Accurate to working
 * precision for the small, well-scaled matrices used here; `maxSweeps` bounds the work (each sweep
 * is O(n³); 50 is far more than the ~10 a 9×9 needs).
 */
export function jacobiEigenSymmetric(matrix: readonly (readonly number[])[], maxSweeps = 50): SymmetricEigen {
  const n = matrix.length;
  const a = matrix.map((row) => {
    if (row.length !== n)
      throw new RangeError(`matrix must be square, got a row of ${row.length} in ${n}×${n}`);
    return [...row];
  });
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++)
      if (Math.abs(a[i]![j]! - a[j]![i]!) > 1e-9 * (Math.abs(a[i]![j]!) + Math.abs(a[j]![i]!) + 1))
        throw new RangeError(`matrix is not symmetric at (${i}, ${j})`);
  // v holds eigenvectors as columns while rotating.
  const v = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j): number => (i === j ? 1 : 0)),
  );
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i]![j]! ** 2;
    let diag = 0;
    for (let i = 0; i < n; i++) diag += a[i]![i]! ** 2;
    if (off <= 1e-30 * Math.max(diag, 1e-300)) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p]![q]!;
        if (apq === 0) continue;
        const app = a[p]![p]!;
        const aqq = a[q]![q]!;
        // Rotation angle that zeroes a[p][q] (Golub & Van Loan, symmetric Schur decomposition).
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k]![p]!;
          const akq = a[k]![q]!;
          a[k]![p] = c * akp - s * akq;
          a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p]![k]!;
          const aqk = a[q]![k]!;
          a[p]![k] = c * apk - s * aqk;
          a[q]![k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k]![p]!;
          const vkq = v[k]![q]!;
          v[k]![p] = c * vkp - s * vkq;
          v[k]![q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[i]![i]! - a[j]![j]!);
  return {
    values: order.map((i) => a[i]![i]!),
    vectors: order.map((i) => v.map((row) => row[i]!)),
  };
}

/** AᵀA for a matrix given as rows. */
export function normalMatrix(rows: readonly (readonly number[])[]): number[][] {
  const m = rows[0]?.length ?? 0;
  const out = Array.from({ length: m }, () => new Array<number>(m).fill(0));
  for (const r of rows)
    for (let i = 0; i < m; i++) {
      const ri = r[i]!;
      if (ri === 0) continue;
      for (let j = 0; j < m; j++) out[i]![j]! += ri * r[j]!;
    }
  return out;
}

export type Mat3 = [number, number, number, number, number, number, number, number, number];

/** Row-major 3×3 product a·b. */
export function mul3(a: readonly number[], b: readonly number[]): Mat3 {
  const o = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++)
      o[i * 3 + j] = a[i * 3]! * b[j]! + a[i * 3 + 1]! * b[3 + j]! + a[i * 3 + 2]! * b[6 + j]!;
  return o as Mat3;
}

export function det3(m: readonly number[]): number {
  return (
    m[0]! * (m[4]! * m[8]! - m[5]! * m[7]!) -
    m[1]! * (m[3]! * m[8]! - m[5]! * m[6]!) +
    m[2]! * (m[3]! * m[7]! - m[4]! * m[6]!)
  );
}

/** Inverse of a row-major 3×3 (adjugate / determinant); throws when singular. */
export function invert3(m: readonly number[]): Mat3 {
  const d = det3(m);
  if (!Number.isFinite(d) || Math.abs(d) < 1e-300) throw new RangeError('matrix is singular');
  const [a, b, c, e, f, g, h, i, j] = m as Mat3;
  return [
    (f * j - g * i) / d,
    (c * i - b * j) / d,
    (b * g - c * f) / d,
    (g * h - e * j) / d,
    (a * j - c * h) / d,
    (c * e - a * g) / d,
    (e * i - f * h) / d,
    (b * h - a * i) / d,
    (a * f - b * e) / d,
  ];
}
