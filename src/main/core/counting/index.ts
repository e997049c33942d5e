/** Public surface of zones and counting lines. */
export { TrackingStage, type TrackingStageOptions } from './tracking-stage';
export { LineCounter, type TrackPoint } from './line-counter';
export { eligibleForOutput } from './zones';
export { lineSideCross, pointInPolygon, referencePointXy, type ReferencePoint } from './geometry';
export {
  MAX_COUNTING_LINES,
  lineListSchema,
  lineSpecSchema,
  parseLineArg,
  parseZoneArg,
  trackingSettingsSchema,
  type TrackingSettings,
  zoneListSchema,
  zoneSpecSchema,
  type LineSpec,
  type ZoneSpec,
} from './specs';
