import { applyHomography, type Homography3x3 } from '../../src/main/core/calibration';
import type { GreyImage } from '../../src/main/core/checkerboard-corners';
import { invert3 } from '../../src/main/core/linalg';

/**
 * A printed board (`rows × cols` squares of `squareMm`, first inner corner at (0, 0) mm, white
 * margin) seen through `mmToPx`, rendered with 4×4 supersampling so edges are anti-aliased like a
 * camera's.
 */
export function renderCheckerboard(
  board: { rows: number; cols: number; squareMm: number },
  mmToPx: Homography3x3,
  widthPx: number,
  heightPx: number,
): GreyImage {
  const { rows, cols, squareMm } = board;
  const pxToMm = invert3(mmToPx) as unknown as Homography3x3;
  const data = new Uint8Array(widthPx * heightPx);
  for (let y = 0; y < heightPx; y++)
    for (let x = 0; x < widthPx; x++) {
      let sum = 0;
      for (let sy = 0; sy < 4; sy++)
        for (let sx = 0; sx < 4; sx++) {
          const [mx, my] = applyHomography(pxToMm, [x + (sx + 0.5) / 4 - 0.5, y + (sy + 0.5) / 4 - 0.5]);
          const c = Math.floor(mx / squareMm) + 1;
          const r = Math.floor(my / squareMm) + 1;
          const onBoard = c >= 0 && c < cols && r >= 0 && r < rows;
          const margin =
            mx > -2 * squareMm && mx < cols * squareMm && my > -2 * squareMm && my < rows * squareMm;
          sum += onBoard ? ((r + c) % 2 === 0 ? 30 : 225) : margin ? 225 : 90;
        }
      data[y * widthPx + x] = Math.round(sum / 16);
    }
  return { data, widthPx, heightPx };
}
