/**
 * Who may call what. One table from API method to the least role that may call it, and one
 * function the main process checks on every request (IPC and WebSocket alike) — hiding a button
 * in the UI is a convenience, this is the rule.
 *
 * Roles are ordered: operator < engineer < administrator; a higher role may do everything a lower
 * one may. `null` is a client nobody has logged in on. `public` methods are the read-only views
 * (plus login/logout): the station token already decides who can reach the station at all, and a
 * logged-out panel keeps showing the live picture, like an HMI after its automatic logout.
 */
import { API_METHODS, type ApiMethod } from '../../shared/api';

export const ROLES = ['operator', 'engineer', 'administrator'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { operator: 1, engineer: 2, administrator: 3 };

/** Every method of the API (the commissioning ones included: they are API methods too). */
export type GuardedMethod = ApiMethod;

/** The least role for each method. Every method of the API must appear (checked by the type). */
export const MIN_ROLE: Readonly<Record<GuardedMethod, Role | 'public'>> = {
  // --- present API (src/shared/api.ts)
  getAppInfo: 'public',
  getSnapshot: 'public',
  getAlarmJournal: 'public',
  getHistory: 'public',
  restoreParams: 'engineer',
  listModels: 'public',
  acknowledgeAlarm: 'operator',
  // The display language is the reader's business, not a station setting anyone can break.
  setUiSettings: 'operator',
  // Running a photo through the model is a tuning tool (and costs inference time).
  detectImage: 'engineer',
  swapModel: 'engineer',
  setParams: 'engineer',
  getTracking: 'public',
  // Zones and lines decide what reaches the PLC; counters are the shift's numbers.
  setTracking: 'engineer',
  resetCounters: 'operator',
  setSource: 'administrator',
  setPlc: 'administrator',
  // Evaluation costs CPU beside the live line: an engineer's commissioning tool.
  startEvaluation: 'engineer',
  cancelEvaluation: 'engineer',
  getEvaluation: 'public',
  // Plant integration: where results go beyond the PLC is the administrator's; the state is a view.
  getIntegration: 'public',
  setIntegration: 'administrator',
  getFleet: 'public',
  // --- session
  login: 'public',
  logout: 'public',
  whoAmI: 'public',
  // --- recipes: operators switch between approved ones (activateRecipe checks `approved` too)
  listRecipes: 'public',
  getRecipe: 'operator',
  activateRecipe: 'operator',
  createRecipe: 'engineer',
  saveRecipe: 'engineer',
  renameRecipe: 'engineer',
  duplicateRecipe: 'engineer',
  deleteRecipe: 'engineer',
  exportRecipe: 'engineer',
  importRecipe: 'engineer',
  approveRecipe: 'engineer',
  // The slot is how the PLC selects a job: part of the PLC connection.
  assignRecipeSlot: 'administrator',
  // --- tuning
  setClassLimits: 'engineer',
  setZones: 'engineer',
  setCountingLines: 'engineer',
  solveCalibration: 'engineer',
  setCalibration: 'engineer',
  // --- users and audit
  listUsers: 'administrator',
  createUser: 'administrator',
  setUserRole: 'administrator',
  setUserSecret: 'administrator',
  deleteUser: 'administrator',
  queryAudit: 'engineer',
  exportAuditCsv: 'engineer',
  verifyAudit: 'engineer',
  // --- model library
  importModel: 'administrator',
  deleteModel: 'administrator',
  // --- review (src/shared/review.ts)
  // Replaying what the line saw is a view (no login, like the live picture); re-runs cost CPU,
  // exports write files.
  listRecordings: 'public',
  getRecordingInfo: 'public',
  getReviewTimeline: 'public',
  getReviewEvents: 'public',
  getReviewFrame: 'public',
  getRerun: 'public',
  getRecording: 'public',
  startRerun: 'engineer',
  cancelRerun: 'engineer',
  compareTracks: 'engineer',
  exportRecording: 'engineer',
  setRecording: 'engineer',
  // --- commissioning state (active recipe, class limits, calibration): a view
  getCommissioning: 'public',
  // Leaving the kiosk window exposes the desktop: not for operators.
  leaveKiosk: 'engineer',
  // --- shifts: the counts are the shift's numbers; the schedule is the plant's, set once.
  getShiftCounts: 'operator',
  setShiftSchedule: 'engineer',
  listCameras: 'operator',
  getCameraPreview: 'operator',
  setCameras: 'administrator',
  // Sources may carry credentials: only who may set them reads them back.
  getCameraSettings: 'administrator',
};

/** Callable before logging in: the read-only views, login and logout. */
export const PUBLIC_METHODS: ReadonlySet<string> = new Set(
  Object.entries(MIN_ROLE)
    .filter(([, min]) => min === 'public')
    .map(([m]) => m),
);

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

export function roleAtLeast(role: Role, min: Role): boolean {
  return RANK[role] >= RANK[min];
}

/** Whether a client with `role` (null: not logged in) may call `method`. Unknown methods: never. */
export function canCall(role: Role | null, method: string): boolean {
  if (!Object.prototype.hasOwnProperty.call(MIN_ROLE, method)) return false;
  const min = MIN_ROLE[method as GuardedMethod];
  if (min === 'public') return true;
  return role !== null && roleAtLeast(role, min);
}

/** Operators may switch only to approved recipes; engineers and above to any. */
export function canActivateRecipe(role: Role | null, recipeApproved: boolean): boolean {
  if (!canCall(role, 'activateRecipe') || role === null) return false;
  return recipeApproved || roleAtLeast(role, 'engineer');
}

/** Every method of the shared API has an entry (a test asserts it; a new method fails until added). */
export function unguardedApiMethods(): string[] {
  return API_METHODS.filter((m) => !Object.prototype.hasOwnProperty.call(MIN_ROLE, m));
}
