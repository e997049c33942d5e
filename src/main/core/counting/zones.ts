/** Which detections may go to the PLC and serial port, by zone. */
import type { BoxXyxy } from '../../../shared/detection';
import { pointInPolygon, referencePointXy, type ReferencePoint } from './geometry';
import type { ZoneSpec } from './specs';

/**
 * False when the object's reference point is inside an exclude zone, or when include zones exist
 * and it is inside none of them. Without zones every object is eligible.
 */
export function eligibleForOutput(
  box: BoxXyxy,
  zones: readonly ZoneSpec[],
  ref: ReferencePoint = 'centre',
): boolean {
  if (zones.length === 0) return true;
  const p = referencePointXy(box, ref);
  let hasInclude = false;
  let inInclude = false;
  for (const z of zones) {
    if (z.kind === 'exclude') {
      if (pointInPolygon(p, z.polygon)) return false;
    } else {
      hasInclude = true;
      if (!inInclude && pointInPolygon(p, z.polygon)) inInclude = true;
    }
  }
  return !hasInclude || inInclude;
}
