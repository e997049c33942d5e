/**
 * Areas of semantic classes on the calibrated plane. A pixel → mm homography does not scale every
 * pixel alike (perspective), so each pixel counts with the local area scale of the mapping, the
 * Jacobian determinant |det H| / w³ at its centre (w = h₆x + h₇y + h₈).
 */
import type { ClassMapRle, SemanticSegmentation } from '../../shared/detection';
import type { Homography3x3 } from './calibration';

/** mm² per photo pixel² at (xPx, yPx). */
export function homographyAreaScale(h: Homography3x3, xPx: number, yPx: number): number {
  const det =
    h[0] * (h[4] * h[8] - h[5] * h[7]) -
    h[1] * (h[3] * h[8] - h[5] * h[6]) +
    h[2] * (h[3] * h[7] - h[4] * h[6]);
  const w = h[6] * xPx + h[7] * yPx + h[8];
  return Math.abs(det / (w * w * w));
}

/**
 * mm² per class id of a class map covering a `photoWidthPx × photoHeightPx` photo (the map may be
 * at another resolution: each map pixel stands for its share of the photo).
 */
export function classAreasMm2(
  rle: ClassMapRle,
  photoWidthPx: number,
  photoHeightPx: number,
  h: Homography3x3,
): Map<number, number> {
  const sx = photoWidthPx / rle.width;
  const sy = photoHeightPx / rle.height;
  const cellPx2 = sx * sy;
  const out = new Map<number, number>();
  let pos = 0;
  for (let i = 0; i < rle.values.length; i++) {
    const run = rle.counts[i]!;
    let sum = 0;
    for (let p = pos; p < pos + run; p++) {
      const x = p % rle.width;
      const y = (p - x) / rle.width;
      sum += homographyAreaScale(h, (x + 0.5) * sx, (y + 0.5) * sy);
    }
    const v = rle.values[i]!;
    out.set(v, (out.get(v) ?? 0) + sum * cellPx2);
    pos += run;
  }
  return out;
}

/** Each head's class areas in mm², aligned with `heads[h].classes` (FrameMessage.semanticAreasMm2). */
export function semanticAreasMm2(seg: SemanticSegmentation, h: Homography3x3): number[][] {
  return seg.heads.map((head) => {
    const areas = classAreasMm2(head.rle, seg.width, seg.height, h);
    return head.classes.map((c) => areas.get(c.classId) ?? 0);
  });
}
