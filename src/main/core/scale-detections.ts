/**
 * Detections found on a scaled-down picture, mapped to the camera's own pixels. The decoder scales
 * frames down before inference when that is all the model needs (see `fitInside`); everything
 * downstream (PLC, UI, CLI) speaks camera pixels.
 */
import type { Detection, MaskInfo, OrientedBox, PointXy } from '../../shared/detection';
import { normalizeAngleDeg } from './mask-geometry';

export function scaleDetections(detections: readonly Detection[], sx: number, sy: number): Detection[] {
  if (sx === 1 && sy === 1) return [...detections];
  const pt = ([x, y]: PointXy): PointXy => [x * sx, y * sy];
  return detections.map((d) => {
    const out: Detection = { ...d, box: [d.box[0] * sx, d.box[1] * sy, d.box[2] * sx, d.box[3] * sy] };
    if (d.mask) {
      // The run-length mask stays on the grid it was found on; the polygon carries the shape.
      const mask: MaskInfo = {
        areaPx: Math.round(d.mask.areaPx * sx * sy),
        polygon: d.mask.polygon.map(pt),
        angleDeg:
          sx === sy
            ? d.mask.angleDeg
            : (Math.atan2(
                Math.sin((d.mask.angleDeg * Math.PI) / 180) * sy,
                Math.cos((d.mask.angleDeg * Math.PI) / 180) * sx,
              ) *
                180) /
              Math.PI,
        centroid: pt(d.mask.centroid),
      };
      out.mask = mask;
    }
    if (d.obb) {
      const corners = d.obb.corners.map(pt) as OrientedBox['corners'];
      const [c0, c1, , c3] = corners;
      out.obb = {
        centreXy: pt(d.obb.centreXy),
        widthPx: Math.hypot(c1[0] - c0[0], c1[1] - c0[1]),
        heightPx: Math.hypot(c3[0] - c0[0], c3[1] - c0[1]),
        angleDeg: normalizeAngleDeg((Math.atan2(c1[1] - c0[1], c1[0] - c0[0]) * 180) / Math.PI),
        corners,
      };
    }
    if (d.keypoints) out.keypoints = d.keypoints.map((k) => ({ ...k, x: k.x * sx, y: k.y * sy }));
    return out;
  });
}
