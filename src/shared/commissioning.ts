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

// ---------------------------------------------------------------------------------------------
// Sessions, users and the commissioning API (src/shared/api.ts)
// ---------------------------------------------------------------------------------------------

/**
 * Who this client is, as the station sees it. The session lives on the main side per WebSocket
 * connection or Electron window; the client never holds a token it could pass to another.
 */
export interface SessionView {
  /**
   * No users defined yet ("open commissioning"): every client that reached the station acts as
   * administrator, and the UI says so until an administrator is created.
   */
  open: boolean;
  /** Null: nobody logged in on this client (read-only views only). */
  username: string | null;
  /** The role in force: the user's, `administrator` in open commissioning, null when logged out. */
  role: Role | null;
  /** Automatic logout after this long without a request. */
  idleTimeoutMs: number;
  /** Why this was pushed (the `session` event): login, logout, automatic logout, users changed. */
  reason?: 'login' | 'logout' | 'idle' | 'usersChanged';
}

export interface LoginRequest {
  username: string;
  secret: string;
}

export interface UserView {
  username: string;
  role: Role;
  kind: 'pin' | 'password';
  lockedUntilMs: number | null;
  createdAtMs: number;
}

export interface CreateUserRequest {
  username: string;
  role: Role;
  kind: 'pin' | 'password';
  secret: string;
}

export interface CalibrationStateView {
  /** Row-major pixel → mm homography, or null (positions in pixels). */
  homographyPxToMm: readonly number[] | null;
  points: CalibrationPointView[];
  rmsMm: number | null;
}

/** The commissioning state of the running station. */
export interface CommissioningStateView {
  /** The recipe last switched to (from the UI or the PLC); null when none. */
  activeRecipeId: string | null;
  classLimits: ClassLimitsView;
  calibration: CalibrationStateView;
  /** The Electron window runs in kiosk mode (leaving it needs an engineer once users exist). */
  kiosk: boolean;
}

export interface RecipeView {
  version: number;
  id: string;
  name: string;
  approved: boolean;
  modelId: string | null;
  params: { confThreshold: number; iouThreshold: number; maxDet: number };
  classLimits: ClassLimitsView;
  zones: { kind: 'include' | 'exclude'; pointsPx: PointXy[] }[];
  lines: { name: string; p1: PointXy; p2: PointXy }[];
  calibration: CalibrationStateView;
  plc: { slot: number | null };
  recording: Record<string, string | number | boolean | null>;
  createdAtMs: number;
  updatedAtMs: number;
}

export interface RecipeListView {
  recipes: RecipeSummaryView[];
  problems: RecipeProblemView[];
}

export interface SolveCalibrationRequest {
  points: CalibrationPointView[];
  /** Also draw a millimetre grid over a picture of this size. */
  grid?: { widthPx: number; heightPx: number; spacingMm: number };
}

export interface SolveCalibrationView {
  result: CalibrationSolveView;
  grid: GridLineView[] | null;
}
