/**
 * Lazy float16 → float32 for outputs of rows `[.., objectness, class scores..]` (YOLOv5, YOLOX):
 * only what `objectnessCandidates` reads is converted. That is the objectness of every row, and the
 * whole row where objectness passes the threshold, i.e. a few hundred values instead of millions.
 */
import { float16DecodeTable } from './float16';

/**
 * Fills `out` (reused between frames, at least `rows * cols` long) from `bits`, row-major
 * `rows × cols`. Other values of rows below the threshold are left as they were: a reader must
 * look at the objectness first, as `objectnessCandidates` does. The test is the decoder's own
 * (`obj < threshold` skips), so a NaN objectness keeps its row.
 */
export function objectnessRowsFromFloat16(
  bits: Uint16Array,
  rows: number,
  cols: number,
  objectnessCol: number,
  threshold: number,
  out: Float32Array,
): Float32Array {
  const n = rows * cols;
  if (bits.length < n) throw new RangeError(`float16 output holds ${bits.length} values, need ${n}`);
  if (out.length < n) throw new RangeError(`output holds ${out.length} values, need ${n}`);
  if (objectnessCol < 0 || objectnessCol >= cols)
    throw new RangeError(`objectness column ${objectnessCol} outside rows of ${cols} values`);
  const table = float16DecodeTable();
  for (let r = 0, o = 0; r < rows; r++, o += cols) {
    const obj = table[bits[o + objectnessCol]!]!;
    if (obj < threshold) {
      out[o + objectnessCol] = obj;
      continue;
    }
    for (let i = o; i < o + cols; i++) out[i] = table[bits[i]!]!;
  }
  return out;
}
