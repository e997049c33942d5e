/**
 * Commissioning data as the UI sees it (per-class limits, calibration, recipes, users, audit).
 * Plain types: the main side validates with the zod schemas in src/main/core, and
 * test/unit/commissioning-types.test.ts checks that those schemas' types and these stay equal.
 */
import type { PointXy } from './detection';
import type { FilterReason } from './verdict';

export type { FilterReason, FilteredDetection } from './verdict';

export type Role = 'operator' | 'engineer' | 'administrator';

export interface ClassLimitView {
  enabled: boolean;
  /** Null: the global threshold. */
  confThreshold: number | null;
  areaUnit: 'px' | 'mm2';
  minArea: number | null;
  maxArea: number | null;
  /** Box width / height. */
  minAspect: number | null;
  maxAspect: number | null;
  sendToPlc: boolean;
}

export interface ClassLimitsView {
  classes: Record<string, ClassLimitView>;
  othersEnabled: boolean;
}

export interface CalibrationPointView {
  pixel: PointXy;
  mm: PointXy;
}

export type CalibrationRefusal =
  'tooFewPoints' | 'tooManyPoints' | 'duplicatePoints' | 'collinearPoints' | 'illConditioned';

export type CalibrationSolveView =
  | {
      ok: true;
      homography: readonly number[];
      residuals: { index: number; pixel: PointXy; mm: PointXy; predictedMm: PointXy; errorMm: number }[];
      rmsMm: number;
      maxErrorMm: number;
    }
  | { ok: false; reason: CalibrationRefusal; message: string };

export interface GridLineView {
  axis: 'x' | 'y';
  valueMm: number;
  p1Px: PointXy;
  p2Px: PointXy;
}

export interface RecipeSummaryView {
  id: string;
  name: string;
  approved: boolean;
  modelId: string | null;
  slot: number | null;
  updatedAtMs: number;
}

export interface RecipeProblemView {
  file: string;
  reason: 'damaged' | 'futureVersion' | 'invalid' | 'unreadable';
  message: string;
}

export interface AuditEntryView {
  seq: number;
  atMs: number;
  user: string;
  role: string | null;
  client: string;
  method: string;
  target: string | null;
  before: unknown;
  after: unknown;
  prevHash: string;
  hash: string;
}

export interface AuditFilterView {
  user?: string;
  method?: string;
  fromMs?: number;
  toMs?: number;
}

export type AuditVerifyView =
  | { ok: true; entries: number; lastHash: string }
  | {
      ok: false;
      entries: number;
      line: number;
      kind: 'malformed' | 'hashMismatch' | 'brokenChain' | 'sequenceGap' | 'truncated';
      message: string;
    };

/** Filter reasons in words for the overlay tooltip / tap label (English defaults). */
export const FILTER_REASON_TEXT: Record<FilterReason, string> = {
  classDisabled: 'class switched off',
  belowClassConf: 'below class threshold',
  areaTooSmall: 'too small',
  areaTooLarge: 'too large',
  aspectTooLow: 'too narrow',
  aspectTooHigh: 'too wide',
};
