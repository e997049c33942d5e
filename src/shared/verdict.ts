/** Why a detection was filtered by the per-class limits (machine-readable, for the UI and logs). */
import type { Detection } from './detection';

export const FILTER_REASONS = [
  'classDisabled',
  'belowClassConf',
  'areaTooSmall',
  'areaTooLarge',
  'aspectTooLow',
  'aspectTooHigh',
] as const;
export type FilterReason = (typeof FILTER_REASONS)[number];

/** A detection the per-class limits removed; the UI draws it dimmed with the reason. */
export interface FilteredDetection {
  detection: Detection;
  reason: FilterReason;
  /** For people: e.g. "score 0.31 < 0.4 (bottle)". */
  detail: string;
}
