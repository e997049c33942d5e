/**
 * The one typed API between the renderer and the application. In Electron it travels over IPC
 * through the preload; in a browser over a WebSocket served by `serve`. The renderer cannot tell
 * which: both give it a `StationClient`.
 */
import type {
  Detection,
  ExecutionProvider,
  ModelInfo,
  ModelTask,
  SemanticSegmentation,
  StageTimingsMs,
} from './detection';
import type { JournalRow } from './alarm-journal';
import type { LiveViewMode } from './schema';
import type { HistoryMinute } from './history-ring';
import type { EvaluationState, StartEvaluationRequest } from './evaluation';
import type { LineCount, LineCrossing } from './frame';
import type { CountingLine, ZoneShape } from './zones';
import type {
  CompareRequest,
  ExportRecordingRequest,
  ExportRecordingResult,
  RecordingStatus,
  RerunRequestInput,
  ReviewComparison,
  ReviewEventInfo,
  ReviewFrame,
  ReviewFrameRequest,
  ReviewJobState,
  ReviewRecordingInfo,
  ReviewTarget,
  ReviewTimeline,
  ReviewTimelineRequest,
  SetRecordingRequest,
} from './review';
import type {
  AuditEntryView,
  AuditFilterView,
  AuditVerifyView,
  ClassLimitsView,
  CommissioningStateView,
  CreateUserRequest,
  LoginRequest,
  RecipeListView,
  RecipeSummaryView,
  RecipeView,
  Role,
  SessionView,
  SolveCalibrationRequest,
  SolveCalibrationView,
  UserView,
} from './commissioning';
import type { FleetView, IntegrationState, SetIntegrationRequest } from './integration';
import type { ShiftCountsView, ShiftSchedule } from './shift-counts';
import type { ErrorCode, ErrorParams } from './station-error';

export type Backend = 'electron-ipc' | 'websocket';

export interface AppInfo {
  name: string;
  version: string;
  backend: Backend;
}

export interface DetectImageRequest {
  /** Encoded image file bytes (JPEG, PNG, ...). */
  imageBytes: Uint8Array;
  conf?: number;
  iou?: number;
}

export interface DetectImageResult {
  widthPx: number;
  heightPx: number;
  model: ModelInfo;
  detections: Detection[];
  timings: StageTimingsMs;
}

// ---------------------------------------------------------------------------------------------
// State the UI shows
// ---------------------------------------------------------------------------------------------

export type SourceStateName = 'starting' | 'live' | 'stalled' | 'reconnecting' | 'stopped' | 'error';

export interface SourceStatus {
  /** The URI as configured (credentials masked). */
  uri: string;
  description: string;
  state: SourceStateName;
  reason: string;
  /** Last lines of ffmpeg's stderr, when the last change came from the decoder. */
  stderrTail: string[];
  atMs: number;
  /** The built-in demo clip is playing: no camera has been chosen yet. */
  demo: boolean;
}

export type ModelLoadState = 'loading' | 'ready' | 'failed';

export interface ModelStatus {
  state: ModelLoadState;
  /** The model serving frames now (stays set while another loads or after a failed swap). */
  active: ModelInfo | null;
  /** Library id of the model being loaded, while state is 'loading'. */
  loadingId: string | null;
  /** Progress or failure text (e.g. "building TensorRT engine", "cannot decode this model ..."). */
  message: string | null;
}

export type LibraryLocation = 'project' | 'demo' | 'user' | 'builtin';

export interface LibraryEntry {
  /** `classic`, or the absolute path of the .onnx file. */
  id: string;
  name: string;
  location: LibraryLocation;
  path: string | null;
  sizeBytes: number;
  info: ModelInfo | null;
  /** What the model does (detect, segment, semantic, obb, pose); null when it cannot be run. */
  task: ModelTask | null;
  error: string | null;
  /** Not described yet: the station is describing models in the background (see LibraryProgress). */
  pending?: boolean;
}

/** Background describing of the model library: `described` of `total` done. */
export interface LibraryProgress {
  described: number;
  total: number;
  running: boolean;
}

/** `stalled`: connected, but writes do not complete while results are waiting for them. */
export type PlcLinkStateName = 'connected' | 'stalled' | 'connecting' | 'disconnected' | 'off';

export interface PlcFieldValue {
  /** e.g. `lifeCounter`, `records[0].x`. */
  name: string;
  /** Absolute byte offset in the DB. */
  offsetBytes: number;
  type: 'INT' | 'WORD' | 'DINT' | 'REAL';
  value: number;
  /** The field's bytes as written, hex (`00 2A`). */
  hex: string;
}

export interface PlcStatus {
  state: PlcLinkStateName;
  /** "host:port rack R slot S DB N", or "simulator on 127.0.0.1:port". */
  endpoint: string;
  handshake: 'free-run' | 'ack' | 'trigger';
  lifeCounter: number;
  writesPerSec: number;
  lastWriteTimeMs: number | null;
  lastError: string | null;
  /** The last written data area, field by field, from the shared layout description. */
  lastBlock: { frameId: number; fields: PlcFieldValue[] } | null;
}

export type AlarmKind =
  | 'sourceLost'
  | 'plcDown'
  | 'ackTimeout'
  | 'fpsBelowTarget'
  | 'modelFailed'
  | 'inferenceHung'
  | 'plcConfig'
  | 'settings'
  | 'recording'
  | 'mqttDown'
  | 'opcuaFailed';

export interface Alarm {
  id: number;
  kind: AlarmKind;
  message: string;
  raisedAtMs: number;
  /** Still true while the condition holds. */
  active: boolean;
  acknowledged: boolean;
  /** When the condition ended (one-shot alarms: when raised); null while active. */
  clearedAtMs: number | null;
  acknowledgedAtMs: number | null;
  /** Who acknowledged: the client's address until roles exist ("local" in the Electron window). */
  acknowledgedBy: string | null;
}

export interface Percentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface StatsSnapshot {
  atMs: number;
  frames: number;
  fps: number;
  targetFps: number;
  dropped: number;
  errors: number;
  /**
   * The live view's rate: `fps` pictures a second at most (null: no cap), lowered below the cap
   * (`yielding`) while inference has no time to spare, so the screen does not take frames from
   * the PLC.
   */
  liveView: { fps: number | null; yielding: boolean };
  /** Capture → result handed to sinks. */
  latencyMs: Percentiles;
  /** Capture → PLC write finished (null without a PLC). */
  plcLatencyMs: Percentiles;
  stages: {
    captureWaitMs: Percentiles;
    preMs: Percentiles;
    inferMs: Percentiles;
    postMs: Percentiles;
    sinkMs: Percentiles;
    plcWriteMs: Percentiles;
  };
}

export interface TuningParams {
  confThreshold: number;
  iouThreshold: number;
  /** Class ids kept; null keeps all. */
  classFilter: number[] | null;
}

export type Locale = 'en' | 'ko';

export interface UiSettings {
  locale: Locale;
  /** Whether the live view yields to inference (see StatsSnapshot.liveView). */
  liveViewMode: LiveViewMode;
}

/** Everything the UI needs at connect time; later changes arrive as events. */
export interface StationSnapshot {
  app: AppInfo;
  source: SourceStatus;
  model: ModelStatus;
  plc: PlcStatus;
  stats: StatsSnapshot;
  alarms: Alarm[];
  params: TuningParams;
  /** The values in force before the last setParams (what "restore last applied" goes back to). */
  previousParams: TuningParams | null;
  ui: UiSettings;
  /** The class names of the active model (for the class filter). */
  classNames: string[];
}

/** One processed frame as the UI gets it: a compact preview plus the detections to draw. */
export interface FrameMessage {
  frameId: number;
  captureTimeMs: number;
  /** Size the detections refer to (the source frame). */
  widthPx: number;
  heightPx: number;
  /** JPEG of the frame (possibly downscaled; draw it stretched to widthPx × heightPx). */
  previewJpeg: Uint8Array;
  detections: Detection[];
  modelName: string;
  provider: ExecutionProvider;
  timings: StageTimingsMs;
  /**
   * With a pixel → mm calibration: each detection's centre, size and angle in millimetres, as
   * written to the PLC (same order as `detections`). Null without a calibration.
   */
  placementsMm: PlacementMm[] | null;
  /** Semantic models: the class map per head (stretched over the picture by the UI). */
  segmentation?: SemanticSegmentation;
  /**
   * With a semantic model and a pixel → mm calibration: each head's class areas on the calibrated
   * plane in mm², aligned with `segmentation.heads[h].classes`.
   */
  semanticAreasMm2?: number[][];
  /** Counting-line crossings in this frame (present with counting lines). */
  crossings?: LineCrossing[];
  /** Counters after this frame, in the lines' order (present with counting lines). */
  counts?: LineCount[];
}

export interface TrackingConfig {
  enabled: boolean;
  /** Which point of a box decides zones and crossings. */
  referencePoint: 'centre' | 'bottom-centre';
  zones: ZoneShape[];
  lines: CountingLine[];
  counts: LineCount[];
}

export type SetTrackingRequest = Partial<Pick<TrackingConfig, 'referencePoint' | 'zones' | 'lines'>>;

export interface PlacementMm {
  x: number;
  y: number;
  width: number;
  height: number;
  angleDeg: number;
}

/** Server → client pushes. */
export interface StationEvents {
  frame: FrameMessage;
  stats: StatsSnapshot;
  source: SourceStatus;
  model: ModelStatus;
  plc: PlcStatus;
  alarms: Alarm[];
  params: TuningParams;
  ui: UiSettings;
  library: LibraryProgress;
  evaluation: EvaluationState;
  /** Progress of the review's re-run. */
  review: ReviewJobState;
  /** This client's session changed (login, logout, automatic logout, first user): per client. */
  session: SessionView;
  integration: IntegrationState;
  fleet: FleetView;
}
export type StationEventName = keyof StationEvents;
export const STATION_EVENTS = [
  'frame',
  'stats',
  'source',
  'model',
  'plc',
  'alarms',
  'params',
  'ui',
  'library',
  'evaluation',
  'review',
  'session',
  'integration',
  'fleet',
] as const satisfies readonly StationEventName[];

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

export interface SetSourceRequest {
  /** A source URI (DESIGN.md): synthetic:, file:, rtsp://, v4l2:, images:, ... */
  uri: string;
}

export interface SetPlcRequest {
  /** `s7://HOST[:PORT]?rack=0&slot=1&db=N`, `sim`, or null to switch the PLC output off. */
  uri: string | null;
  handshake?: 'free-run' | 'ack' | 'trigger';
  maxObjects?: number;
}

/**
 * Request/response methods: arguments and result of each. Every key is also the IPC channel suffix
 * (`vs:<key>`). The API below is derived from this table, and so are the validation schemas (in
 * api-schemas.ts, one per key: a method without one does not compile) and the dispatch.
 */
export interface ApiSignatures {
  getAppInfo: { args: []; result: AppInfo };
  detectImage: { args: [req: DetectImageRequest]; result: DetectImageResult };
  getSnapshot: { args: []; result: StationSnapshot };
  listModels: { args: []; result: LibraryEntry[] };
  /** Resolves with the new model once it serves frames; rejects (old model still running) on failure. */
  swapModel: { args: [req: { id: string }]; result: ModelInfo };
  setParams: { args: [req: Partial<TuningParams>]; result: TuningParams };
  /** Back to the values before the last change (which become the previous ones); rejects without. */
  restoreParams: { args: []; result: { params: TuningParams; previousParams: TuningParams | null } };
  setSource: { args: [req: SetSourceRequest]; result: SourceStatus };
  setPlc: { args: [req: SetPlcRequest]; result: PlcStatus };
  acknowledgeAlarm: { args: [req: { id: number }]; result: Alarm[] };
  /** The alarm journal on disk (survives restarts), newest first. */
  getAlarmJournal: { args: []; result: JournalRow[] };
  /** FPS, latency and drops per minute kept on the station (oldest first; missing minutes: down). */
  getHistory: { args: []; result: HistoryMinute[] };
  setUiSettings: { args: [req: Partial<UiSettings>]; result: UiSettings };
  /** Starts a run in the background (refused while one runs); progress arrives as `evaluation` events. */
  startEvaluation: { args: [req: StartEvaluationRequest]; result: EvaluationState };
  /** Stops the running evaluation; resolves once it has stopped. */
  cancelEvaluation: { args: []; result: EvaluationState };
  getEvaluation: { args: []; result: EvaluationState };
  /** Tracking, zones, counting lines and the counters now. */
  getTracking: { args: []; result: TrackingConfig };
  /** Replaces what is given (zones, lines, reference point) between two frames; saved. */
  setTracking: { args: [req: SetTrackingRequest]; result: TrackingConfig };
  /** Zeroes every line's counters (as the PLC's reset request does); the counters after. */
  resetCounters: { args: []; result: LineCount[] };
  /** Recordings of the station (recordings/) and plain video files (videos/) in the data folder. */
  listRecordings: { args: []; result: ReviewRecordingInfo[] };
  getRecordingInfo: { args: [req: { recording: string }]; result: ReviewRecordingInfo };
  /** Counts per slice of [fromMs, toMs] and the events in it. */
  getReviewTimeline: { args: [req: ReviewTimelineRequest]; result: ReviewTimeline };
  getReviewEvents: { args: [req: ReviewTarget]; result: ReviewEventInfo[] };
  /** The frame at a time (or the next/previous one): its picture and stored results. */
  getReviewFrame: { args: [req: ReviewFrameRequest]; result: ReviewFrame | null };
  /** Re-runs a recording into a new result track in the background; progress as `review` events. */
  startRerun: { args: [req: RerunRequestInput]; result: ReviewJobState };
  cancelRerun: { args: []; result: ReviewJobState };
  getRerun: { args: []; result: ReviewJobState };
  compareTracks: { args: [req: CompareRequest]; result: ReviewComparison };
  /** Into the data folder's exports/; where it went and how many frames and objects. */
  exportRecording: { args: [req: ExportRecordingRequest]; result: ExportRecordingResult };
  /** The live line's recording: settings and counters. */
  getRecording: { args: []; result: RecordingStatus };
  setRecording: { args: [req: SetRecordingRequest]; result: RecordingStatus };
  // --- commissioning (issue 14): sessions, recipes, class limits, calibration, users, audit
  /** Logs this client (connection / window) in; the session stays on the main side. */
  login: { args: [req: LoginRequest]; result: SessionView };
  logout: { args: []; result: SessionView };
  whoAmI: { args: []; result: SessionView };
  getCommissioning: { args: []; result: CommissioningStateView };
  listRecipes: { args: []; result: RecipeListView };
  getRecipe: { args: [req: { id: string }]; result: RecipeView };
  /**
   * Hot swap to the recipe; reports recipeActive to the PLC when it has a slot. `camera` (a name
   * from listCameras; the main camera when absent) picks which camera switches.
   */
  activateRecipe: { args: [req: { id: string; camera?: string }]; result: CommissioningStateView };
  /** A new recipe from the station's current state (model, thresholds, limits, zones, calibration). */
  createRecipe: { args: [req: { name: string }]; result: RecipeSummaryView };
  /** Overwrites the recipe with the station's current state (keeps name, slot and approval). */
  saveRecipe: { args: [req: { id: string }]; result: RecipeSummaryView };
  renameRecipe: { args: [req: { id: string; name: string }]; result: RecipeSummaryView };
  duplicateRecipe: { args: [req: { id: string; name?: string }]; result: RecipeSummaryView };
  deleteRecipe: { args: [req: { id: string }]; result: RecipeListView };
  exportRecipe: { args: [req: { id: string }]; result: { fileName: string; text: string } };
  importRecipe: { args: [req: { text: string }]; result: RecipeSummaryView };
  approveRecipe: { args: [req: { id: string; approved: boolean }]; result: RecipeSummaryView };
  assignRecipeSlot: { args: [req: { id: string; slot: number | null }]; result: RecipeSummaryView };
  setClassLimits: { args: [req: ClassLimitsView]; result: ClassLimitsView };
  setZones: { args: [req: { zones: ZoneShape[] }]; result: TrackingConfig };
  setCountingLines: { args: [req: { lines: CountingLine[] }]; result: TrackingConfig };
  /** Solves without changing anything (normalised DLT); a degenerate set is refused with the reason. */
  solveCalibration: { args: [req: SolveCalibrationRequest]; result: SolveCalibrationView };
  /** Solves again on the station and applies it (PLC positions in mm); null points: no calibration. */
  setCalibration: {
    args: [req: { points: SolveCalibrationRequest['points'] | null }];
    result: CommissioningStateView;
  };
  listUsers: { args: []; result: UserView[] };
  createUser: { args: [req: CreateUserRequest]; result: UserView };
  setUserRole: { args: [req: { username: string; role: Role }]; result: UserView };
  setUserSecret: {
    args: [req: { username: string; kind: 'pin' | 'password'; secret: string }];
    result: UserView;
  };
  deleteUser: { args: [req: { username: string }]; result: UserView[] };
  queryAudit: { args: [req: AuditFilterView & { limit?: number }]; result: AuditEntryView[] };
  exportAuditCsv: { args: [req: AuditFilterView]; result: { fileName: string; csv: string } };
  verifyAudit: { args: []; result: AuditVerifyView };
  /** Adds an uploaded .onnx file to the user library after loading it once (refused with the reason). */
  importModel: { args: [req: { fileName: string; bytes: Uint8Array }]; result: LibraryEntry };
  /** Deletes a model the user imported (not project or demo models). */
  deleteModel: { args: [req: { id: string }]; result: LibraryEntry[] };
  /** Leaves the kiosk window (Electron): exit full screen, or quit the app. */
  leaveKiosk: { args: [req: { action: 'exitKiosk' | 'quit' }]; result: { done: true } };
  /** MQTT and OPC UA: the saved settings (credentials masked) and what runs now. */
  getIntegration: { args: []; result: IntegrationState };
  /** Saves and applies live (old client or server stopped, new one started); a failure is an alarm. */
  setIntegration: { args: [req: SetIntegrationRequest]; result: IntegrationState };
  /** The stations publishing to the configured broker (read-only). */
  getFleet: { args: []; result: FleetView };
  /** Part counts per shift, line and class kept on the station (newest shift first). */
  getShiftCounts: { args: []; result: ShiftCountsView };
  /** Changes the shift schedule (saved in the settings); counts from now on follow it. */
  setShiftSchedule: { args: [req: Partial<ShiftSchedule>]; result: ShiftCountsView };
  /** Every camera of the station, the main one first (named "main"). */
  listCameras: { args: []; result: CameraInfo[] };
  /** The newest preview of one camera (null before its first frame). */
  getCameraPreview: { args: [req: { name: string }]; result: CameraPreview | null };
  /** Replaces the additional cameras (validated as a cameras file; refused whole if one is invalid). */
  setCameras: { args: [req: { cameras: unknown[] }]; result: CameraInfo[] };
  /** The additional cameras as saved (sources unmasked: what setCameras would take back). */
  getCameraSettings: { args: []; result: CameraSetting[] };
}

export type CameraState = 'starting' | 'live' | 'stalled' | 'reconnecting' | 'stopped' | 'error';

export interface CameraInfo {
  name: string;
  /** Credentials masked. */
  source: string;
  /** Model id or file name. */
  model: string;
  state: CameraState;
  /** Why the camera is not live (null when it is). */
  reason: string | null;
  frames: number;
  fps: number;
  latencyP50Ms: number | null;
  dropped: number;
  /** Null without a PLC. */
  plc: { state: PlcLinkStateName; endpoint: string; lastError: string | null } | null;
  /** Name of the recipe this camera runs (null: none switched to). */
  recipe: string | null;
}

export interface CameraPreview {
  name: string;
  frameId: number;
  atMs: number;
  /** `data:image/jpeg;base64,...`, at most 320 px on its longest side. */
  jpegDataUrl: string;
  /** The camera frame the objects are measured in (the picture is this, scaled down). */
  widthPx: number;
  heightPx: number;
  /** The objects found in this same frame, in camera pixels (at most MAX_PREVIEW_OBJECTS). */
  objects: PreviewObject[];
}

/** More objects than this in one frame are left out of a tile (it is 320 px wide). */
export const MAX_PREVIEW_OBJECTS = 100;

/** One detection as a camera tile draws it (box and class label). */
export interface PreviewObject {
  classId: number;
  className: string;
  score: number;
  /** Camera pixels. */
  box: [number, number, number, number];
  trackId?: number;
}

/**
 * One saved additional camera, as setCameras takes it (settings `cameras`, validated by the
 * station against the cameras-file schema). Fields a screen does not edit (zones, lines, class
 * limits...) are kept as they came, so sending the list back changes only what was edited.
 */
export interface CameraSetting {
  name: string;
  source: string;
  /** A library id or an .onnx path, or 'classic'; absent: the classic detector. */
  model?: string;
  conf?: number;
  iou?: number;
  track?: boolean;
  /** `s7://HOST[:PORT]?rack=0&slot=1&db=N`. */
  plc?: string;
  /** `PATH?baud=N`. */
  serial?: string;
  [field: string]: unknown;
}

export type ApiMethod = keyof ApiSignatures;
export type ApiArgs<M extends ApiMethod> = ApiSignatures[M]['args'];
export type ApiResult<M extends ApiMethod> = ApiSignatures[M]['result'];

export type VisionStationApi = {
  [M in ApiMethod]: (...args: ApiArgs<M>) => Promise<ApiResult<M>>;
};

/** Every method once; a key missing here or an extra one fails to compile. */
const METHOD_TABLE: { [M in ApiMethod]: true } = {
  getAppInfo: true,
  detectImage: true,
  getSnapshot: true,
  listModels: true,
  swapModel: true,
  setParams: true,
  restoreParams: true,
  setSource: true,
  setPlc: true,
  acknowledgeAlarm: true,
  getAlarmJournal: true,
  getHistory: true,
  setUiSettings: true,
  startEvaluation: true,
  cancelEvaluation: true,
  getEvaluation: true,
  getTracking: true,
  setTracking: true,
  resetCounters: true,
  listRecordings: true,
  getRecordingInfo: true,
  getReviewTimeline: true,
  getReviewEvents: true,
  getReviewFrame: true,
  startRerun: true,
  cancelRerun: true,
  getRerun: true,
  compareTracks: true,
  exportRecording: true,
  getRecording: true,
  setRecording: true,
  login: true,
  logout: true,
  whoAmI: true,
  getCommissioning: true,
  listRecipes: true,
  getRecipe: true,
  activateRecipe: true,
  createRecipe: true,
  saveRecipe: true,
  renameRecipe: true,
  duplicateRecipe: true,
  deleteRecipe: true,
  exportRecipe: true,
  importRecipe: true,
  approveRecipe: true,
  assignRecipeSlot: true,
  setClassLimits: true,
  setZones: true,
  setCountingLines: true,
  solveCalibration: true,
  setCalibration: true,
  listUsers: true,
  createUser: true,
  setUserRole: true,
  setUserSecret: true,
  deleteUser: true,
  queryAudit: true,
  exportAuditCsv: true,
  verifyAudit: true,
  deleteModel: true,
  leaveKiosk: true,
  importModel: true,
  getIntegration: true,
  setIntegration: true,
  getFleet: true,
  getShiftCounts: true,
  setShiftSchedule: true,
  listCameras: true,
  getCameraPreview: true,
  setCameras: true,
  getCameraSettings: true,
};
export const API_METHODS = Object.keys(METHOD_TABLE) as readonly ApiMethod[];
export const ipcChannel = (method: ApiMethod): string => `vs:${method}`;
export const ipcEventChannel = (event: StationEventName): string => `vs:event:${event}`;

/** What the renderer holds: the methods plus event subscriptions. Same over IPC and WebSocket. */
export interface StationClient extends VisionStationApi {
  /** Returns the unsubscribe function. */
  subscribe<E extends StationEventName>(event: E, listener: (payload: StationEvents[E]) => void): () => void;
}

/** The name under which the preload exposes the client on `window`. */
export const API_GLOBAL = 'visionStation';

/** The 4 fps floor of the product brief. */
export const TARGET_FPS = 4;

// ---------------------------------------------------------------------------------------------
// WebSocket wire format
// ---------------------------------------------------------------------------------------------

/** Client → server, JSON text. `args` is the method's argument list. */
export interface WsRequest {
  id: number;
  method: ApiMethod;
  args: unknown[];
}

/** Server → client, JSON text, except `frame` events which are binary (see below). */
export type WsServerMessage =
  | { type: 'response'; id: number; ok: true; result: unknown }
  /** `code` and `params` (src/shared/station-error.ts) let the UI say the error in its language. */
  | { type: 'response'; id: number; ok: false; error: string; code?: ErrorCode; params?: ErrorParams }
  | { type: 'event'; event: Exclude<StationEventName, 'frame'>; payload: unknown }
  | { type: 'error'; error: string };

/**
 * Binary messages carry a frame: 4-byte big-endian length N, N bytes of UTF-8 JSON (the
 * FrameMessage without `previewJpeg`), then the JPEG bytes. Uint8Arrays inside JSON messages
 * (detectImage) travel as `{ "$bytes": "<base64>" }`.
 */
export const WS_FRAME_HEADER_BYTES = 4;
/** Largest client message the server accepts (a detectImage upload). */
export const WS_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
