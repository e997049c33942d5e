/**
 * Constant-velocity Kalman filter over a box, in ByteTrack's state convention:
 *
 *   state x = [cx, cy, a, h, vcx, vcy, va, vh]   (8)
 *   measurement z = [cx, cy, a, h]               (4)
 *
 * cx, cy: box centre (px); a = width / height (aspect ratio, unitless); h: height (px); v*: change
 * per frame. Motion and observation noise scale with the box height (a far, small part moves fewer
 * pixels than a near, large one): position std = h / 20, velocity std = h / 160, as ByteTrack and
 * DeepSORT use. One step of time is one processed frame.
 *
 * Matrices are row-major Float64Array; all sizes are fixed (8 and 4), so the few generic helpers
 * below are enough.
 */
import type { BoxXyxy } from '../../../shared/detection';

export const STATE_SIZE = 8;
export const MEASUREMENT_SIZE = 4;

const STD_WEIGHT_POSITION = 1 / 20;
const STD_WEIGHT_VELOCITY = 1 / 160;

export interface KalmanState {
  /** 8 values, see the module comment. */
  mean: Float64Array;
  /** 8×8 covariance, row-major. */
  covariance: Float64Array;
}

/** [cx, cy, a, h] of an xyxy box. Degenerate heights are floored at 1e-6 px to keep a finite. */
export function xyxyToXyah(box: BoxXyxy): [number, number, number, number] {
  const w = box[2] - box[0];
  const h = Math.max(box[3] - box[1], 1e-6);
  return [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2, w / h, h];
}

export function xyahToXyxy(cx: number, cy: number, a: number, h: number): BoxXyxy {
  const w = a * h;
  return [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
}

/** Box of a state's mean. */
export function stateBoxXyxy(state: KalmanState): BoxXyxy {
  const m = state.mean;
  return xyahToXyxy(m[0], m[1], m[2], m[3]);
}

function matMul(a: Float64Array, aRows: number, aCols: number, b: Float64Array, bCols: number): Float64Array {
  const out = new Float64Array(aRows * bCols);
  for (let i = 0; i < aRows; i++)
    for (let k = 0; k < aCols; k++) {
      const x = a[i * aCols + k];
      if (x === 0) continue;
      for (let j = 0; j < bCols; j++) out[i * bCols + j] += x * b[k * bCols + j];
    }
  return out;
}

function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j];
  return out;
}

/** Inverse of an n×n matrix by Gauss-Jordan with partial pivoting; throws when singular. */
export function invert(a: Float64Array, n: number): Float64Array {
  const m = Float64Array.from(a);
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r * n + col]) > Math.abs(m[pivot * n + col])) pivot = r;
    const p = m[pivot * n + col];
    if (Math.abs(p) < 1e-300) throw new RangeError('matrix is singular');
    if (pivot !== col)
      for (let j = 0; j < n; j++) {
        [m[col * n + j], m[pivot * n + j]] = [m[pivot * n + j], m[col * n + j]];
        [inv[col * n + j], inv[pivot * n + j]] = [inv[pivot * n + j], inv[col * n + j]];
      }
    for (let j = 0; j < n; j++) {
      m[col * n + j] /= p;
      inv[col * n + j] /= p;
    }
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r * n + col];
      if (f === 0) continue;
      for (let j = 0; j < n; j++) {
        m[r * n + j] -= f * m[col * n + j];
        inv[r * n + j] -= f * inv[col * n + j];
      }
    }
  }
  return inv;
}

/** F: position += velocity (one frame). */
const MOTION = (() => {
  const f = new Float64Array(STATE_SIZE * STATE_SIZE);
  for (let i = 0; i < STATE_SIZE; i++) f[i * STATE_SIZE + i] = 1;
  for (let i = 0; i < MEASUREMENT_SIZE; i++) f[i * STATE_SIZE + MEASUREMENT_SIZE + i] = 1;
  return f;
})();
const MOTION_T = transpose(MOTION, STATE_SIZE, STATE_SIZE);
/** H: the measurement is the position part of the state. */
const OBSERVE = (() => {
  const h = new Float64Array(MEASUREMENT_SIZE * STATE_SIZE);
  for (let i = 0; i < MEASUREMENT_SIZE; i++) h[i * STATE_SIZE + i] = 1;
  return h;
})();
const OBSERVE_T = transpose(OBSERVE, MEASUREMENT_SIZE, STATE_SIZE);

function diagonalOfSquares(std: readonly number[]): Float64Array {
  const n = std.length;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = std[i] * std[i];
  return out;
}

/** A new track at a measured box: zero velocity, wide velocity uncertainty. */
export function initiate(box: BoxXyxy): KalmanState {
  const z = xyxyToXyah(box);
  const h = z[3];
  const mean = new Float64Array(STATE_SIZE);
  mean.set(z);
  const p = STD_WEIGHT_POSITION * h;
  const v = STD_WEIGHT_VELOCITY * h;
  return { mean, covariance: diagonalOfSquares([2 * p, 2 * p, 1e-2, 2 * p, 10 * v, 10 * v, 1e-5, 10 * v]) };
}

/**
 * One frame ahead. `freezeHeightVelocity` zeroes vh first, as ByteTrack does for tracks that were
 * not seen last frame, so a lost track's box does not keep growing or shrinking.
 */
export function predict(state: KalmanState, freezeHeightVelocity = false): KalmanState {
  const before = Float64Array.from(state.mean);
  if (freezeHeightVelocity) before[7] = 0;
  const h = before[3];
  const p = STD_WEIGHT_POSITION * h;
  const v = STD_WEIGHT_VELOCITY * h;
  const q = diagonalOfSquares([p, p, 1e-2, p, v, v, 1e-5, v]);
  const mean = matMul(MOTION, STATE_SIZE, STATE_SIZE, before, 1);
  const fp = matMul(MOTION, STATE_SIZE, STATE_SIZE, state.covariance, STATE_SIZE);
  const covariance = matMul(fp, STATE_SIZE, STATE_SIZE, MOTION_T, STATE_SIZE);
  for (let i = 0; i < covariance.length; i++) covariance[i] += q[i];
  return { mean, covariance };
}

/** Corrects a predicted state with a measured box. */
export function update(state: KalmanState, box: BoxXyxy): KalmanState {
  const z = xyxyToXyah(box);
  const h = state.mean[3];
  const p = STD_WEIGHT_POSITION * h;
  const r = diagonalOfSquares([p, p, 1e-1, p]);
  // S = H P Hᵀ + R ; K = P Hᵀ S⁻¹
  const pht = matMul(state.covariance, STATE_SIZE, STATE_SIZE, OBSERVE_T, MEASUREMENT_SIZE);
  const s = matMul(OBSERVE, MEASUREMENT_SIZE, STATE_SIZE, pht, MEASUREMENT_SIZE);
  for (let i = 0; i < s.length; i++) s[i] += r[i];
  const gain = matMul(pht, STATE_SIZE, MEASUREMENT_SIZE, invert(s, MEASUREMENT_SIZE), MEASUREMENT_SIZE);
  const innovation = new Float64Array(MEASUREMENT_SIZE);
  for (let i = 0; i < MEASUREMENT_SIZE; i++) innovation[i] = z[i] - state.mean[i];
  const correction = matMul(gain, STATE_SIZE, MEASUREMENT_SIZE, innovation, 1);
  const mean = Float64Array.from(state.mean);
  for (let i = 0; i < STATE_SIZE; i++) mean[i] += correction[i];
  // P' = P - K S Kᵀ
  const ks = matMul(gain, STATE_SIZE, MEASUREMENT_SIZE, s, MEASUREMENT_SIZE);
  const ksk = matMul(
    ks,
    STATE_SIZE,
    MEASUREMENT_SIZE,
    transpose(gain, STATE_SIZE, MEASUREMENT_SIZE),
    STATE_SIZE,
  );
  const covariance = Float64Array.from(state.covariance);
  for (let i = 0; i < covariance.length; i++) covariance[i] -= ksk[i];
  return { mean, covariance };
}
