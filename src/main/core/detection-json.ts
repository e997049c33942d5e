/**
 * A detection as the command-line contract prints it (DESIGN.md) and as MQTT publishes it: the
 * same rounding everywhere, so a subscriber sees the numbers `run --json` prints.
 */
import type { Detection } from '../../shared/detection';

/** A detection in a frame line of `run --json` (and MQTT): `trackId` always (-1 without tracking). */
export function frameDetectionJson(d: Detection) {
  return {
    ...detectionJson(d),
    trackId: d.trackId ?? -1,
    ...(d.eligibleForOutput === false ? { eligibleForOutput: false } : {}),
  };
}

export const round = (v: number, digits: number): number => Number(v.toFixed(digits));

/** The detection object of the command-line contract (DESIGN.md). */
export function detectionJson(d: Detection) {
  return {
    classId: d.classId,
    className: d.className,
    score: round(d.score, 4),
    box: d.box.map((v) => round(v, 2)),
    ...(d.trackId !== undefined && d.trackId >= 0 ? { trackId: d.trackId } : {}),
    ...(d.mask
      ? {
          mask: {
            areaPx: d.mask.areaPx,
            polygon: d.mask.polygon.map(([x, y]) => [round(x, 1), round(y, 1)]),
            angleDeg: round(d.mask.angleDeg, 2),
            centroid: d.mask.centroid.map((v) => round(v, 2)),
          },
        }
      : {}),
    ...(d.obb
      ? {
          obb: {
            centre: d.obb.centreXy.map((v) => round(v, 2)),
            width: round(d.obb.widthPx, 2),
            height: round(d.obb.heightPx, 2),
            angleDeg: round(d.obb.angleDeg, 2),
            corners: d.obb.corners.map(([x, y]) => [round(x, 2), round(y, 2)]),
          },
        }
      : {}),
    ...(d.keypoints
      ? {
          keypoints: d.keypoints.map((k) => ({
            x: round(k.x, 2),
            y: round(k.y, 2),
            visibility: k.visibility === null ? null : round(k.visibility, 4),
          })),
        }
      : {}),
  };
}
