/**
 * YOLOv8 / YOLO11 oriented boxes (`task=obb`): output `[1, 4 + nc + 1, N]`, column per anchor:
 * cx, cy, w, h (model-input pixels), nc class scores (already sigmoid), then the angle in radians
 * (Ultralytics keeps it in [−π/4, 3π/4)). Rotated NMS with exact polygon IoU.
 */
import type { Detection, OrientedBox, PointXy } from '../../../shared/detection';
import { clipBoxXyxy, unletterboxPointXy, type Letterbox } from '../geometry';
import { normalizeAngleDeg } from '../mask-geometry';
import { classNameOf } from '../names';
import { nmsRotatedClasswise, rotatedCorners, type RotatedBox, type RotatedCandidate } from '../rotated-nms';
import type { RawTensor } from '../tensor';
import type { DecodeContext, DecodeParams } from './types';
import { bestClassOfAnchor } from './yolov8';

/** A rotated box in model-input pixels → photo pixels (corners mapped, so a stretch is exact too). */
export function orientedBoxInPhoto(b: RotatedBox, lb: Letterbox): OrientedBox {
  const corners = rotatedCorners(b).map(([x, y]) => unletterboxPointXy(x, y, lb)) as OrientedBox['corners'];
  const [c0, c1, , c3] = corners;
  const centreXy: PointXy = unletterboxPointXy(b.cx, b.cy, lb);
  return {
    centreXy,
    widthPx: Math.hypot(c1[0] - c0[0], c1[1] - c0[1]),
    heightPx: Math.hypot(c3[0] - c0[0], c3[1] - c0[1]),
    angleDeg: normalizeAngleDeg((Math.atan2(c1[1] - c0[1], c1[0] - c0[0]) * 180) / Math.PI),
    corners,
  };
}

export function decodeYolov8Obb(
  outputs: readonly RawTensor[],
  ctx: DecodeContext,
  params: DecodeParams,
): Detection[] {
  const out = outputs[0]!;
  const nc = ctx.layout.numClasses;
  const [, rows, n] = out.dims as [number, number, number];
  if (out.dims.length !== 3 || rows !== 4 + nc + 1)
    throw new RangeError(`expected OBB output [1, ${4 + nc + 1}, N], got [${out.dims.join(', ')}]`);
  const d = out.data;
  const candidates: RotatedCandidate[] = [];
  for (let a = 0; a < n; a++) {
    const { classId: best, score: bestScore } = bestClassOfAnchor(d, n, a, nc, params);
    if (best < 0) continue;
    candidates.push({
      box: { cx: d[a]!, cy: d[n + a]!, w: d[2 * n + a]!, h: d[3 * n + a]!, angleRad: d[(4 + nc) * n + a]! },
      score: bestScore,
      classId: best,
      anchorIndex: a,
    });
  }
  const lb = ctx.letterbox;
  return nmsRotatedClasswise(candidates, params.iouThreshold, params.maxDet).map((c) => {
    const obb = orientedBoxInPhoto(c.box, lb);
    const xs = obb.corners.map((p) => p[0]);
    const ys = obb.corners.map((p) => p[1]);
    return {
      classId: c.classId,
      className: classNameOf(ctx.classNames, c.classId),
      score: c.score,
      box: clipBoxXyxy(
        [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)],
        lb.srcWidthPx,
        lb.srcHeightPx,
      ),
      obb,
    };
  });
}
