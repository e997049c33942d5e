/**
 * YOLOX (Megvii) ONNX export with `decode_in_inference=False` (the default of its export_onnx.py):
 * output `[1, N, 5 + nc]` of raw grid values. Rows run over strides 8, 16, 32 in that order, and
 * within a stride over grid cells row-major on `(H/s) × (W/s)`. Per row: x, y offsets in cells,
 * log-w, log-h in cells, objectness, class probabilities (the last two already sigmoid). The
 * preprocessing that goes with it (BGR 0..255, image at top-left) is the adapter's business; here
 * it only shows up as a letterbox with zero padding.
 */
import type { Detection } from '../../../shared/detection';
import { nmsClasswise } from '../nms';
import type { RawTensor } from '../tensor';
import type { DecodeContext, DecodeParams } from './types';
import { candidatesToDetections, objectnessCandidates } from './yolov5';

export const YOLOX_STRIDES: readonly number[] = [8, 16, 32];

/**
 * Per-row grid cell and stride for an input of `inputWidthPx × inputHeightPx`. Three arrays of
 * length N; built once per input size by the caller if it cares (cheap: N ≤ 8400 at 640).
 */
export function yoloxGrid(
  inputWidthPx: number,
  inputHeightPx: number,
  strides: readonly number[] = YOLOX_STRIDES,
): { gridX: Int32Array; gridY: Int32Array; stride: Int32Array } {
  let n = 0;
  for (const s of strides) n += Math.floor(inputWidthPx / s) * Math.floor(inputHeightPx / s);
  const gridX = new Int32Array(n);
  const gridY = new Int32Array(n);
  const stride = new Int32Array(n);
  let r = 0;
  for (const s of strides) {
    const gw = Math.floor(inputWidthPx / s);
    const gh = Math.floor(inputHeightPx / s);
    for (let y = 0; y < gh; y++) {
      for (let x = 0; x < gw; x++) {
        gridX[r] = x;
        gridY[r] = y;
        stride[r] = s;
        r++;
      }
    }
  }
  return { gridX, gridY, stride };
}

let cachedGrid: { key: string; grid: ReturnType<typeof yoloxGrid> } | null = null;

export function decodeYolox(
  outputs: readonly RawTensor[],
  ctx: DecodeContext,
  params: DecodeParams,
): Detection[] {
  const { inputWidthPx, inputHeightPx } = ctx.layout;
  const key = `${inputWidthPx}x${inputHeightPx}`;
  if (cachedGrid?.key !== key) cachedGrid = { key, grid: yoloxGrid(inputWidthPx, inputHeightPx) };
  const { gridX, gridY, stride } = cachedGrid.grid;
  const out = outputs[0];
  if (out.dims[1] !== gridX.length) {
    throw new RangeError(
      `YOLOX output has ${out.dims[1]} rows, a ${key} input gives ${gridX.length} grid cells`,
    );
  }
  const candidates = objectnessCandidates(out, ctx.layout.numClasses, params, (r, d, o) => {
    const s = stride[r];
    const cx = (d[o] + gridX[r]) * s;
    const cy = (d[o + 1] + gridY[r]) * s;
    const hw = (Math.exp(d[o + 2]) * s) / 2;
    const hh = (Math.exp(d[o + 3]) * s) / 2;
    return [cx - hw, cy - hh, cx + hw, cy + hh];
  });
  return candidatesToDetections(nmsClasswise(candidates, params.iouThreshold, params.maxDet), ctx);
}
