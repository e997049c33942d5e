/** Box conventions of the evaluation code: xyxy corners and COCO's xywh, in pixels. */
import type { BoxXyxy } from '../../../shared/detection';
export type { BoxXyxy };
export type BoxXywh = [number, number, number, number];

export const xyxyToXywh = (b: BoxXyxy): BoxXywh => [b[0], b[1], b[2] - b[0], b[3] - b[1]];
export const xywhToXyxy = (b: BoxXywh): BoxXyxy => [b[0], b[1], b[0] + b[2], b[1] + b[3]];

/** Continuous IoU of two xyxy boxes (no "+1 pixel"). */
export function iouXyxy(a: BoxXyxy, b: BoxXyxy): number {
  const iw = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const ih = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
}
