/**
 * The running station behind the UI: the UI-facing service on top of the one runtime
 * (src/main/app/runtime.ts). It implements the shared `VisionStationApi` itself, for the Electron
 * IPC handlers and the WebSocket server alike, and keeps what only the operator app needs: the
 * saved settings, the model library, the alarms, the preview encoder, the PLC status and the fps
 * alarm. The runtime owns source, engine, pipeline and outputs.
 */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type {
  Alarm,
  AppInfo,
  Backend,
  DetectImageRequest,
  DetectImageResult,
  LibraryEntry,
  ModelStatus,
  PlcStatus,
  SetPlcRequest,
  SetSourceRequest,
  SourceStatus,
  StationEvents,
  StationSnapshot,
  SetTrackingRequest,
  StatsSnapshot,
  TrackingConfig,
  TuningParams,
  UiSettings,
  VisionStationApi,
} from '../../shared/api';
import { TARGET_FPS } from '../../shared/api';
import type { ModelInfo } from '../../shared/detection';
import type { FrameResult, LineCount } from '../../shared/frame';
import { trackingSettingsSchema } from '../core/counting/specs';
import { DEFAULT_PREVIEW_MAX_FPS, describeIssue } from '../../shared/schema';
import { CountersStore } from '../storage/counters-store';
import { LiveTrackingStage } from './live-tracking';
import {
  checkPathAllowed,
  checkSourceAllowed,
  defaultSourcePolicy,
  extendPolicy,
  type SourcePolicy,
} from '../capture/source-policy';
import type { Frame, FramePicture, FrameSource, SourceStateChange } from '../capture/types';
import { detectionPlacementMm, type Homography3x3 } from '../core/calibration';
import type { Percentiles as CorePercentiles } from '../core/rolling-stats';
import type { DecodeParams } from '../core/decoders/types';
import { decodeImageBytes } from '../inference/image-input';
import { ModelLibrary } from '../models/library';
import { parsePlcUri } from '../plc/plc-config';
import { PlcBlocks } from '../app/camera-checks';
import { spinningOverride } from '../inference/ort-env';
import type { Settings } from '../storage/settings';
import { systemClock, type Clock } from '../util/clock';
import { findDemoBundle, type DemoBundle } from '../app/demo';
import { VisionRuntime, type RecipeOutcome } from '../app/runtime';
import { AlarmBook } from './alarms';
import { FpsMonitor } from './fps-monitor';
import { PlcStatusTracker } from './plc-status';
import { PreviewEncoder } from './preview-encoder';
import { PreviewPairing } from './preview-pairing';
import { PendingCrossings } from './pending-crossings';
import { SettingsStore } from './settings-store';
import { AlarmJournal, RateHistory } from './station-records';
import { requestOrigin } from './dispatch';
import type { JournalRow } from '../../shared/alarm-journal';
import type { HistoryMinute } from '../../shared/history-ring';
import type { EvaluationState, StartEvaluationRequest } from '../../shared/evaluation';
import { EvaluationControl } from './evaluation-control';
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
} from '../../shared/review';
import { LIVE_RECORDING_NAME, LiveRecording } from './live-recording';
import { RECORDINGS_DIR, ReviewControl } from './review-control';
import {
  Commissioning,
  installCommissioningApi,
  type CommissioningApi,
  type CommissioningOptions,
} from './commissioning';
import { IntegrationControl, type IntegrationOverrides } from '../app/integration-control';
import type { FleetView, IntegrationState, SetIntegrationRequest } from '../../shared/integration';
import { ShiftCounts } from './shift-counts';
import { codedError, sourceError } from './station-errors';
import { shiftScheduleSchema } from '../core/shifts';
import type { ShiftCountsView, ShiftSchedule } from '../../shared/shift-counts';
import { StationError } from '../../shared/station-error';
import type { CameraInfo, CameraPreview, CameraSetting } from '../../shared/api';
import {
  ExtraCameras,
  MAIN_CAMERA,
  modelResolver,
  Thumbnailer,
  validateCameras,
  type CameraRecipeSource,
} from './extra-cameras';
import { RecipeError } from '../storage/recipes';
import type { PipelineStats } from '../pipeline/pipeline';
import { LiveViewGovernor } from './live-view-governor';

export interface StationOptions {
  version: string;
  /** The transport this station answers on (reported by getAppInfo). */
  backend: Backend;
  /** Settings and imported models live here. */
  dataDir: string;
  /** The project's models/ folder. */
  projectModelsDir: string;
  /** The demo bundle's folder (resources/demo): what a station with no settings shows. */
  demoDir?: string | null;
  workerPath: string;
  log: (line: string) => void;
  /** Overrides of the saved settings for this run (command-line flags). */
  overrides?: { source?: string; model?: string; plc?: string | null; integration?: IntegrationOverrides };
  /** Extra folders listed in the model library (e.g. ../shared/models in tests). */
  extraModelsDirs?: string[];
  /** Longest side of preview JPEGs sent to the UI. */
  previewMaxSidePx?: number;
  previewQuality?: number;
  /** Most previews per second sent to the UI. */
  previewMaxFps?: number;
  /** Deadline of one inference before the worker is considered hung and replaced. */
  inferDeadlineMs?: number;
  /** Frames in inference at once (`serve --parallel-frames`); absent: one per core, at most two. */
  parallelFrames?: number;
  clock?: Clock;
  /** What setSource accepts; by default the demo and recordings folders, rtsp and rtsps. */
  sourcePolicy?: SourcePolicy;
  /** Sessions, users, audit (idle logout time; scrypt cost in tests). */
  commissioning?: CommissioningOptions;
}

type StationEventMap = { [E in keyof StationEvents]: [StationEvents[E]] };

const STATS_INTERVAL_MS = 1000;

const pct = (p: CorePercentiles): { p50: number | null; p95: number | null; p99: number | null } => ({
  p50: Number.isFinite(p.p50) ? Number(p.p50.toFixed(2)) : null,
  p95: Number.isFinite(p.p95) ? Number(p.p95.toFixed(2)) : null,
  p99: Number.isFinite(p.p99) ? Number(p.p99.toFixed(2)) : null,
});

const maskUri = (uri: string): string => uri.replace(/\/\/([^/@]*)@/, '//***@');

function decodeParamsOf(p: Settings['params']): DecodeParams {
  return {
    confThreshold: p.confThreshold,
    iouThreshold: p.iouThreshold,
    maxDet: 300,
    classFilter: p.classFilter ? new Set(p.classFilter) : null,
  };
}

function recipesOf(s: Settings): Record<number, string> {
  return Object.fromEntries(Object.entries(s.recipes).map(([slot, id]) => [Number(slot), id]));
}

// The commissioning methods are installed on the prototype (below the class) and answered by
// `this.commissioning`; this declares them on the type.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface Station extends CommissioningApi {}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Station extends EventEmitter<StationEventMap> implements VisionStationApi {
  private settings!: Settings;
  private readonly store: SettingsStore;
  private runtime!: VisionRuntime;
  readonly library: ModelLibrary;
  private readonly alarms: AlarmBook;
  private readonly journal: AlarmJournal;
  private readonly history: RateHistory;
  private readonly clock: Clock;
  private readonly preview: PreviewEncoder;
  /** The live view's rate, lowered while inference has no time to spare (null: no cap). */
  private readonly liveView: LiveViewGovernor | null;
  /** Frames dropped by the pipeline at the last stats tick. */
  private droppedAtTick = 0;
  /** The result and the picture of a frame whose preview came apart from it. */
  private readonly previewPairing: PreviewPairing<FrameResult>;
  private readonly plc: PlcStatusTracker;
  private fpsMonitor!: FpsMonitor;
  private sourceStatus: SourceStatus;
  private modelStatus: ModelStatus = { state: 'loading', active: null, loadingId: null, message: null };
  private statsTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly demo: DemoBundle | null;
  private readonly evaluation: EvaluationControl;
  private readonly counters: CountersStore;
  private tracking!: LiveTrackingStage;
  private readonly pendingCrossings = new PendingCrossings();
  private readonly review: ReviewControl;
  private liveRecording: LiveRecording | null = null;
  /** Sessions, roles, recipes, class limits, calibration, users and audit (commissioning.ts). */
  readonly commissioning: Commissioning;
  private integration!: IntegrationControl;
  private readonly shiftCounts: ShiftCounts;
  private readonly extraCameras: ExtraCameras;
  private readonly mainThumbs: Thumbnailer;

  constructor(private readonly opts: StationOptions) {
    super();
    this.clock = opts.clock ?? systemClock;
    this.demo = findDemoBundle(opts.demoDir);
    this.store = new SettingsStore(join(opts.dataDir, 'settings.json'), opts.log, () => this.clock.now());
    this.library = new ModelLibrary({
      projectDir: opts.projectModelsDir,
      userDir: join(opts.dataDir, 'models'),
      extraDirs: opts.extraModelsDirs,
      demoDir: this.demo?.dir ?? null,
      // Each description loads the model in a throwaway worker, never the serving one.
      inspect: (spec) => this.runtime.engine.inspect(spec),
      cachePath: join(opts.dataDir, 'model-library-cache.json'),
    });
    this.journal = new AlarmJournal(opts.dataDir, this.clock.now(), opts.log);
    this.history = new RateHistory(opts.dataDir, opts.log);
    this.counters = new CountersStore(join(opts.dataDir, 'counters.json'), () => this.clock.now());
    this.shiftCounts = new ShiftCounts(
      join(opts.dataDir, 'shift-counts.json'),
      Intl.DateTimeFormat().resolvedOptions().timeZone,
      opts.log,
      () => this.clock.now(),
    );
    this.library.on('progress', (p) => this.emit('library', p));
    this.alarms = new AlarmBook(
      (list) => {
        this.journal.observe(list);
        this.emit('alarms', list);
      },
      100,
      () => this.clock.now(),
    );
    this.preview = new PreviewEncoder({
      maxSidePx: opts.previewMaxSidePx,
      quality: opts.previewQuality,
      maxFps: opts.previewMaxFps,
    });
    this.preview.on('frame', (m) => this.emit('frame', m));
    const previewCapFps = opts.previewMaxFps ?? DEFAULT_PREVIEW_MAX_FPS;
    this.liveView = previewCapFps > 0 ? new LiveViewGovernor({ capFps: previewCapFps }) : null;
    this.previewPairing = new PreviewPairing(
      (r, picture) => this.offerPreview(r, picture),
      () => this.preview.wants(),
    );
    this.preview.on('error', (e) => opts.log(`preview encoding failed: ${e.message}`));
    this.plc = new PlcStatusTracker(this.alarms, this.clock);
    this.plc.on('status', (s) => this.emit('plc', s));
    this.sourceStatus = {
      uri: '',
      description: '',
      state: 'stopped',
      reason: 'not started',
      stderrTail: [],
      atMs: this.clock.now(),
      demo: false,
    };
    this.evaluation = new EvaluationControl({
      workerPath: opts.workerPath,
      // Labelled sets: where sources may come from, plus the data dir.
      checkDataPath: (p) =>
        checkPathAllowed(p, [...this.sourcePolicy().mediaDirs, opts.dataDir], 'labelled set'),
      resolveModels: (ids) => this.modelFiles(ids),
      log: opts.log,
    });
    this.evaluation.on('state', (s) => this.emit('evaluation', s));
    this.review = new ReviewControl({
      dataDir: opts.dataDir,
      workerPath: opts.workerPath,
      log: opts.log,
      resolveModel: (id) => this.rerunModel(id),
    });
    this.review.on('job', (s) => this.emit('review', s));
    this.extraCameras = new ExtraCameras({
      workerPath: opts.workerPath,
      log: opts.log,
      now: () => this.clock.now(),
      recipes: this.cameraRecipes(),
      onRecipeSwitched: (camera, id) => this.rememberCameraRecipe(camera, id),
    });
    this.mainThumbs = new Thumbnailer(
      MAIN_CAMERA,
      () => this.clock.now(),
      (e) => opts.log(`camera preview failed: ${e.message}`),
    );
    this.commissioning = new Commissioning(
      {
        dataDir: opts.dataDir,
        library: this.library,
        runtime: () => this.runtime,
        snapshot: () => this.getSnapshot(),
        tracking: () => this.getTracking(),
        setTracking: (req) => this.setTracking(req),
        setParams: (p) => this.setParams(p),
        loadModel: async (id) => {
          const info = await this.loadModel(id);
          this.settings.modelId = id;
          this.persist();
          return info;
        },
        modelId: () => this.settings.modelId ?? this.runtime.engine.model?.path ?? null,
        calibration: () => this.settings.plc.homographyPxToMm,
        setCalibration: async (h) => {
          this.settings.plc = { ...this.settings.plc, homographyPxToMm: h };
          this.runtime.setCalibration(h);
          this.persist();
          await this.applyPlc();
        },
        switchLegacySlot: async (slot) => void (await this.switchRecipe(slot)),
        log: opts.log,
        checkCamera: (name) => this.checkCamera(name),
        activateCameraRecipe: (camera, recipe) => this.extraCameras.switchRecipe(camera, recipe),
        camerasOnRecipe: (id) => this.settings.cameras.filter((c) => c.recipe === id).map((c) => c.name),
      },
      opts.commissioning,
    );
  }

  /** The main-side gate every request passes (dispatch.ts): sessions, roles, audit. */
  get gate(): Commissioning['gate'] {
    return this.commissioning.gate;
  }

  /** Previews are encoded only while someone listens. */
  get frameSubscribers(): number {
    return this.preview.subscribers;
  }

  set frameSubscribers(n: number) {
    this.preview.subscribers = n;
  }

  /** Recipe slots configured in the settings. */
  recipeSlots(): number[] {
    return Object.keys(this.settings.recipes).map(Number);
  }

  /** Switches to a recipe slot through the runtime (as the PLC's recipeRequest does). */
  switchRecipe(slot: number): Promise<RecipeOutcome> {
    return this.runtime.switchRecipe(slot);
  }

  /** The runtime under the station (tests, benchmarks, plant integration). */
  get vision(): VisionRuntime {
    return this.runtime;
  }

  // -------------------------------------------------------------------------------------------
  // Life cycle
  // -------------------------------------------------------------------------------------------

  async start(): Promise<void> {
    await this.history.load();
    const loaded = await this.store.load();
    this.settings = loaded.settings;
    if (loaded.problem) {
      // A damaged settings file must not keep the station down: defaults, and say so.
      this.alarms.raise('settings', loaded.problem, true);
      this.opts.log(loaded.problem);
    }
    const o = this.opts.overrides ?? {};
    if (o.source) this.settings.source = o.source;
    if (o.model) this.settings.modelId = o.model;
    if (o.plc !== undefined) this.settings.plc.uri = o.plc;
    this.fpsMonitor = new FpsMonitor(TARGET_FPS, this.settings.fpsAlarmAfterS * 1000);
    await this.shiftCounts.load(this.settings.shifts);
    this.tracking = new LiveTrackingStage(this.settings.tracking, this.counters, await this.loadCounters());

    this.runtime = new VisionRuntime({
      workerPath: this.opts.workerPath,
      log: this.opts.log,
      provider: this.settings.provider,
      params: decodeParamsOf(this.settings.params),
      recipes: recipesOf(this.settings),
      inferDeadlineMs: this.opts.inferDeadlineMs,
      parallelFrames: this.opts.parallelFrames,
      previewMaxSidePx: this.opts.previewMaxSidePx ?? 1280,
      previewFps: this.opts.previewMaxFps ?? DEFAULT_PREVIEW_MAX_FPS,
      previewYields: this.settings.ui.liveViewMode === 'inference-first',
      // The station shares the cores with its screen (and the preview, PLC and UI work): idle
      // intra-op threads that spin take the CPU the screen needs between two inferences. With a
      // browser drawing previews, no spinning processed 14 % more frames on a 2-core machine
      // (22.3 → 25.4 fps, yolo11n-320). VISION_STATION_ORT_SPIN=1 turns it back on.
      intraOpSpinning: spinningOverride() ?? false,
      postprocess: this.tracking,
      onRecipeRequest: (slot) => this.commissioning.onPlcRecipeRequest(slot),
    });
    for (const problem of await this.commissioning.start()) {
      this.alarms.raise('settings', problem, true);
      this.opts.log(problem);
    }
    this.runtime.on('modelStatus', (m) => this.setModelStatus({ ...this.modelStatus, message: m }));
    this.runtime.on('result', (r, frame) => this.onResult(r, frame));
    this.runtime.on('preview', (frameId, picture) => this.previewPairing.preview(frameId, picture));
    this.runtime.on('result', (r, frame) => this.mainThumbs.offer(r, frame));
    this.runtime.on('sourceState', (c) => this.onSourceState(c));
    this.runtime.on('pipelineError', (e) => this.opts.log(`inference failed on a frame: ${e.message}`));
    this.runtime.on('workerLost', (e) => {
      this.alarms.raise('inferenceHung', `${e.message}; reloading the model`);
      this.setModelStatus({ ...this.modelStatus, message: e.message });
    });
    this.runtime.engine.on('swapped', (info) => {
      this.alarms.clear('inferenceHung');
      if (this.modelStatus.state !== 'loading')
        this.setModelStatus({ state: 'ready', active: info, loadingId: null, message: null });
    });
    this.runtime.on('recipe', (r) => {
      if (r.error)
        this.alarms.raise(r.info === null && r.model === '' ? 'plcConfig' : 'modelFailed', r.error, true);
      else if (r.info)
        this.setModelStatus({ state: 'ready', active: r.info, loadingId: null, message: null });
    });

    this.liveRecording = new LiveRecording({
      runtime: this.runtime,
      dir: join(this.review.recordingsDir, LIVE_RECORDING_NAME),
      log: this.opts.log,
      onStopped: (reason) =>
        reason === null
          ? this.alarms.clear('recording')
          : this.alarms.raise('recording', `recording stopped: ${reason}`),
    });
    await this.applyRecording();

    const modelId = this.settings.modelId ?? (await this.bestAvailableModelId());
    try {
      await this.loadModel(modelId);
    } catch (e) {
      // The station still comes up (on the classic detector) and says why.
      this.opts.log(`model ${modelId} did not load (${(e as Error).message}); using the classic detector`);
      await this.loadModel('classic');
    }
    await this.applyPlc().catch((e: unknown) => this.alarms.raise('plcConfig', (e as Error).message, true));
    // No camera chosen yet: the demo clip, looped (or the synthetic scene in a build without it).
    const uri = this.settings.source ?? this.demo?.sourceUri ?? 'synthetic:';
    await this.startSource(uri, this.settings.source === null && this.demo !== null);
    this.statsTimer = setInterval(() => this.tick(), STATS_INTERVAL_MS);
    await this.startIntegration(o.integration);
    // Saved cameras that no longer start (a model gone, a PLC clash) leave the main one running.
    await this.applyCameras(this.settings.cameras).catch((e: unknown) =>
      this.alarms.raise('settings', `additional cameras not started: ${(e as Error).message}`, true),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.plc.close();
    await this.evaluation.cancel();
    await this.review.close();
    await this.library.stop();
    await this.integration?.close();
    await this.extraCameras.close();
    await this.runtime?.close();
    await this.liveRecording?.close();
    await this.store.flush();
    await this.journal.flush();
    await this.history.flush();
    await this.shiftCounts.flush();
    await this.counters.flush().catch((e: unknown) => this.opts.log((e as Error).message));
    await this.commissioning.plcIdle();
    await this.commissioning.flush();
  }

  /** A damaged counters file must not keep the station down either: from zero, and say so. */
  private async loadCounters(): Promise<LineCount[]> {
    try {
      return await this.counters.load();
    } catch (e) {
      this.alarms.raise('settings', (e as Error).message, true);
      this.opts.log((e as Error).message);
      return [];
    }
  }

  /** The project's own models first, then the demo model, then the classic detector. */
  private async bestAvailableModelId(): Promise<string> {
    const entries = await this.library.list();
    for (const location of ['project', 'demo'] as const)
      for (const e of entries) if (e.location === location && e.info) return e.id;
    return 'classic';
  }

  private persist(): void {
    this.store.persist(this.settings);
  }

  // -------------------------------------------------------------------------------------------
  // Source and pipeline
  // -------------------------------------------------------------------------------------------

  private async startSource(uri: string, demo = false): Promise<void> {
    const { source, pipeline } = await this.runtime.replaceSource(uri);
    this.sourceStatus = this.statusOf(uri, source, demo);
    void pipeline
      .start()
      .catch((e: unknown) => this.opts.log(`source did not start: ${(e as Error).message}`));
    this.emit('source', this.sourceStatus);
  }

  private statusOf(uri: string, source: FrameSource, demo: boolean): SourceStatus {
    return {
      uri: maskUri(uri),
      description: source.description,
      state: source.state,
      reason: source.stateReason,
      stderrTail: [],
      atMs: this.clock.now(),
      demo,
    };
  }

  private onSourceState(c: SourceStateChange): void {
    this.sourceStatus = {
      ...this.sourceStatus,
      state: c.state,
      reason: c.reason,
      stderrTail: c.stderrTail ?? this.sourceStatus.stderrTail,
      atMs: c.atMs,
    };
    this.emit('source', this.sourceStatus);
    if (c.state === 'live') this.alarms.clear('sourceLost');
    else if (c.state === 'stalled' || c.state === 'reconnecting' || c.state === 'error')
      this.alarms.raise('sourceLost', `camera ${c.state}: ${c.reason}`);
  }

  private onResult(r: FrameResult, frame: Frame): void {
    this.shiftCounts.observe(r);
    if (r.crossings) this.pendingCrossings.add(r.frameId, r.crossings);
    // The decoder's preview picture of this frame; a model-sized frame without one gets it apart
    // (runtime 'preview'); any other frame is its own picture.
    if (frame.preview) this.offerPreview(r, frame.preview);
    else if (frame.letterbox) this.previewPairing.result(r);
    else this.offerPreview(r, frame);
  }

  private offerPreview(r: FrameResult, picture: FramePicture): void {
    const h = this.calibration;
    const withCrossings = r.counts ? { ...r, crossings: this.pendingCrossings.upTo(r.frameId) } : r;
    const placements = h ? r.detections.map((d) => detectionPlacementMm(d, h)) : null;
    if (this.preview.offer(withCrossings, picture, placements, h)) this.pendingCrossings.sent(r.frameId);
  }

  /** The pixel → mm homography from the settings (validated when they were read). */
  private get calibration(): Homography3x3 | null {
    return this.settings.plc.homographyPxToMm;
  }

  // -------------------------------------------------------------------------------------------
  // Models
  // -------------------------------------------------------------------------------------------

  private setModelStatus(s: ModelStatus): void {
    this.modelStatus = s;
    this.emit('model', s);
  }

  private async loadModel(id: string): Promise<ModelInfo> {
    this.setModelStatus({
      state: 'loading',
      active: this.runtime.engine.model,
      loadingId: id,
      message: null,
    });
    try {
      const info = await this.runtime.loadModel(id);
      this.setModelStatus({ state: 'ready', active: info, loadingId: null, message: null });
      this.alarms.clear('modelFailed');
      return info;
    } catch (e) {
      const message = (e as Error).message;
      this.setModelStatus({ state: 'failed', active: this.runtime.engine.model, loadingId: null, message });
      throw e;
    }
  }

  // -------------------------------------------------------------------------------------------
  // PLC
  // -------------------------------------------------------------------------------------------

  private async applyPlc(): Promise<void> {
    const { uri, handshake, maxObjects, homographyPxToMm } = this.settings.plc;
    // Detach first: writes of the old link must not show as the new one's.
    this.plc.attach(null, { uri: null, handshake, maxObjects });
    const outputs = await this.runtime.setOutputs(
      uri
        ? { plc: uri, plcSettings: { handshake, maxObjects }, calibration: homographyPxToMm ?? undefined }
        : null,
    );
    this.plc.attach(outputs, { uri, handshake, maxObjects });
  }

  // -------------------------------------------------------------------------------------------
  // Periodic stats and the FPS alarm
  // -------------------------------------------------------------------------------------------

  private stats(s = this.runtime?.pipeline?.stats()): StatsSnapshot {
    const t = this.clock.now();
    const empty = { p50: NaN, p95: NaN, p99: NaN };
    const plc = this.plc.percentiles();
    return {
      atMs: t,
      frames: s?.frames ?? 0,
      fps: Number((s?.fps ?? 0).toFixed(2)),
      targetFps: TARGET_FPS,
      dropped: s?.dropped ?? 0,
      errors: s?.errors ?? 0,
      liveView: this.liveView ? this.liveView.rate() : { fps: null, yielding: false },
      latencyMs: pct(s?.latencyMs ?? empty),
      plcLatencyMs: pct(plc.latencyMs),
      stages: {
        captureWaitMs: pct(s?.stages.captureWaitMs ?? empty),
        preMs: pct(s?.stages.preMs ?? empty),
        inferMs: pct(s?.stages.inferMs ?? empty),
        postMs: pct(s?.stages.postMs ?? empty),
        sinkMs: pct(s?.stages.sinkMs ?? empty),
        plcWriteMs: pct(plc.writeMs),
      },
    };
  }

  private tick(): void {
    const pipelineStats = this.runtime?.pipeline?.stats();
    this.yieldLiveView(pipelineStats);
    const stats = this.stats(pipelineStats);
    this.emit('stats', stats);
    this.history.add({
      atMs: stats.atMs,
      fps: stats.fps,
      latencyP95Ms: stats.latencyMs.p95,
      droppedTotal: stats.dropped,
      live: this.sourceStatus.state === 'live',
    });
    this.plc.tick(stats.fps > 0);
    const verdict = this.fpsMonitor.update(stats.fps, this.sourceStatus.state === 'live', stats.atMs);
    if (verdict.kind === 'raise') this.alarms.raise('fpsBelowTarget', verdict.message);
    else if (verdict.kind === 'clear') this.alarms.clear('fpsBelowTarget');
  }

  /** Inference first: the live view slows while frames wait for inference (LiveViewGovernor). */
  private yieldLiveView(s: PipelineStats | undefined): void {
    const dropped = s?.dropped ?? 0;
    // A new pipeline counts from 0 again.
    const droppedNow = dropped > this.droppedAtTick;
    this.droppedAtTick = dropped;
    if (!this.liveView || this.settings.ui.liveViewMode !== 'inference-first') return;
    const running = (s?.fps ?? 0) > 0;
    const saturated = running && (droppedNow || this.runtime?.pacedByInference === true);
    this.preview.setMaxFps(this.liveView.update(saturated, this.clock.now()).fps);
  }

  // -------------------------------------------------------------------------------------------
  // The API
  // -------------------------------------------------------------------------------------------

  async getAppInfo(): Promise<AppInfo> {
    return { name: 'Vision Station', version: this.opts.version, backend: this.opts.backend };
  }

  async getSnapshot(): Promise<StationSnapshot> {
    return {
      app: await this.getAppInfo(),
      source: this.sourceStatus,
      model: this.modelStatus,
      plc: this.plc.status(),
      stats: this.stats(),
      alarms: this.alarms.list(),
      params: this.settings.params,
      previousParams: this.settings.previousParams,
      ui: this.settings.ui,
      classNames: this.runtime.engine.model?.classNames ?? [],
    };
  }

  async detectImage(req: DetectImageRequest): Promise<DetectImageResult> {
    // Bounded: the pixel count is checked from the header before decoding.
    const img = await decodeImageBytes(req.imageBytes);
    const out = await this.runtime.engine.infer(img, {
      ...decodeParamsOf(this.settings.params),
      confThreshold: req.conf ?? this.settings.params.confThreshold,
      iouThreshold: req.iou ?? this.settings.params.iouThreshold,
    });
    return {
      widthPx: img.widthPx,
      heightPx: img.heightPx,
      model: out.model,
      detections: out.detections,
      timings: out.timings,
    };
  }

  /** At once: what is described so far; the rest is described in the background (`library` events). */
  listModels(): Promise<LibraryEntry[]> {
    return this.library.listQuick();
  }

  async swapModel(req: { id: string }): Promise<ModelInfo> {
    // Not waiting for the library to be described: loading the model says whether it works.
    const entries = await this.library.listQuick();
    const entry = entries.find((e) => e.id === req.id);
    if (!entry)
      throw new StationError('modelNotFound', { id: req.id }, `no model with id ${req.id} in the library`);
    if (entry.error)
      throw new StationError(
        'modelUnusable',
        { name: entry.name, reason: entry.error },
        `${entry.name} cannot be used: ${entry.error}`,
      );
    try {
      const info = await this.loadModel(entry.id);
      this.settings.modelId = entry.id;
      this.persist();
      return info;
    } catch (e) {
      this.alarms.raise('modelFailed', `swap to ${entry.name} failed: ${(e as Error).message}`, true);
      throw codedError('modelSwapFailed', { name: entry.name }, e);
    }
  }

  async setParams(req: Partial<TuningParams>): Promise<TuningParams> {
    this.settings.previousParams = this.settings.params;
    this.settings.params = { ...this.settings.params, ...req };
    this.runtime.setParams(decodeParamsOf(this.settings.params));
    this.persist();
    this.emit('params', this.settings.params);
    return this.settings.params;
  }

  async restoreParams(): Promise<{ params: TuningParams; previousParams: TuningParams | null }> {
    const previous = this.settings.previousParams;
    if (!previous) throw new StationError('noPreviousParams', {}, 'no earlier thresholds to restore');
    await this.setParams(previous);
    return { params: this.settings.params, previousParams: this.settings.previousParams };
  }

  /**
   * The new source starts beside the running one and takes over at its first frame; a bad URI or
   * a source that gives no frame is refused with the reason and the running one goes on.
   */
  async setSource(req: SetSourceRequest): Promise<SourceStatus> {
    // A bad or forbidden URI is refused with the reason before anything is started.
    await checkSourceAllowed(req.uri, this.sourcePolicy()).catch((e: unknown) => {
      throw sourceError(req.uri, e);
    });
    const { source } = await this.runtime.switchSource(req.uri).catch((e: unknown) => {
      throw sourceError(req.uri, e);
    });
    this.alarms.clear('sourceLost');
    this.settings.source = req.uri;
    this.persist();
    this.sourceStatus = this.statusOf(req.uri, source, false);
    this.emit('source', this.sourceStatus);
    return this.sourceStatus;
  }

  private sourcePolicy(): SourcePolicy {
    return extendPolicy(this.opts.sourcePolicy ?? defaultSourcePolicy(this.opts), this.settings.media);
  }

  private async modelFiles(ids: string[]): Promise<string[]> {
    const entries = await this.library.listQuick();
    return ids.map((id) => {
      const e = entries.find((x) => x.id === id);
      if (!e) throw new StationError('modelNotFound', { id }, `no model with id ${id} in the library`);
      if (e.error)
        throw new StationError(
          'modelUnusable',
          { name: e.name, reason: e.error },
          `${e.name} cannot be used: ${e.error}`,
        );
      if (!e.path)
        throw new StationError(
          'modelNotFile',
          { name: e.name },
          `${e.name} is not a model file and cannot be evaluated`,
        );
      return e.path;
    });
  }

  /** In the background, in its own worker: the live line keeps running. */
  startEvaluation(req: StartEvaluationRequest): Promise<EvaluationState> {
    return this.evaluation.start(req);
  }

  cancelEvaluation(): Promise<EvaluationState> {
    return this.evaluation.cancel();
  }

  async getEvaluation(): Promise<EvaluationState> {
    return this.evaluation.state;
  }

  async setPlc(req: SetPlcRequest): Promise<PlcStatus> {
    // A bad URI is refused before the running link is touched.
    if (req.uri)
      try {
        parsePlcUri(req.uri);
      } catch (e) {
        throw codedError('plcUriInvalid', {}, e);
      }
    if (req.uri && parsePlcUri(req.uri).kind !== 'sim') {
      // Two cameras writing the same bytes would tell the PLC positions of both as one camera's.
      const blocks = new PlcBlocks(null);
      for (const [i, c] of this.settings.cameras.entries())
        if (c.plc)
          try {
            blocks.add(c.plc, `cameras[${i}] ("${c.name}")`);
          } catch {
            // A saved camera whose PLC does not parse does not run: nothing to overlap.
          }
      try {
        blocks.add(req.uri, 'the main camera');
      } catch (e) {
        throw codedError('plcUriInvalid', {}, e);
      }
    }
    this.settings.plc = {
      ...this.settings.plc,
      uri: req.uri,
      handshake: req.handshake ?? this.settings.plc.handshake,
      maxObjects: req.maxObjects ?? this.settings.plc.maxObjects,
    };
    this.persist();
    await this.applyPlc();
    return this.plc.status();
  }

  getAlarmJournal(): Promise<JournalRow[]> {
    return this.journal.rows();
  }

  async getHistory(): Promise<HistoryMinute[]> {
    return this.history.list();
  }

  async acknowledgeAlarm(req: { id: number }): Promise<Alarm[]> {
    // The acknowledging client's address until roles exist; "local" in the Electron window.
    if (!this.alarms.acknowledge(req.id, requestOrigin.getStore() ?? 'local'))
      throw new Error(`no alarm with id ${req.id}`);
    return this.alarms.list();
  }

  async getTracking(): Promise<TrackingConfig> {
    const { enabled, referencePoint, zones, lines } = this.settings.tracking;
    return { enabled, referencePoint, zones, lines, counts: this.tracking.counts() };
  }

  async setTracking(req: SetTrackingRequest): Promise<TrackingConfig> {
    const r = trackingSettingsSchema.safeParse({ ...this.settings.tracking, ...req });
    if (!r.success) {
      const reason = describeIssue(r.error);
      throw new StationError('trackingInvalid', { reason }, `tracking settings: ${reason}`);
    }
    this.tracking.configure(r.data);
    this.settings.tracking = r.data;
    this.persist();
    return this.getTracking();
  }

  async resetCounters(): Promise<LineCount[]> {
    this.tracking.resetCounts();
    return this.tracking.counts();
  }

  async setUiSettings(req: Partial<UiSettings>): Promise<UiSettings> {
    const modeBefore = this.settings.ui.liveViewMode;
    this.settings.ui = { ...this.settings.ui, ...req };
    this.persist();
    const mode = this.settings.ui.liveViewMode;
    if (mode !== modeBefore) {
      this.opts.log(`live view: ${mode}`);
      if (mode === 'steady' && this.liveView) this.preview.setMaxFps(this.liveView.reset().fps);
      await this.runtime?.setPreviewYields(mode === 'inference-first');
    }
    this.emit('ui', this.settings.ui);
    return this.settings.ui;
  }

  // -------------------------------------------------------------------------------------------
  // Review (ReviewControl) and the live recording
  // -------------------------------------------------------------------------------------------

  /** A re-run loads the library's file, or the classic detector. */
  private async rerunModel(id: string): Promise<string> {
    const e = (await this.library.listQuick()).find((x) => x.id === id);
    if (!e) throw new Error(`no model with id ${id} in the library`);
    if (e.error) throw new Error(`${e.name} cannot be used: ${e.error}`);
    return e.path ?? e.id;
  }

  /** A recorder that cannot start leaves the line running and says why. */
  private async applyRecording(): Promise<void> {
    try {
      await this.liveRecording?.apply(this.settings.recording);
      if (!this.settings.recording.enabled) this.alarms.clear('recording');
    } catch (e) {
      this.alarms.raise('recording', `cannot record: ${(e as Error).message}`);
      this.opts.log(`cannot record: ${(e as Error).message}`);
    }
  }

  listRecordings(): Promise<ReviewRecordingInfo[]> {
    return this.review.list();
  }

  getRecordingInfo(req: { recording: string }): Promise<ReviewRecordingInfo> {
    return this.review.info(req.recording);
  }

  getReviewTimeline(req: ReviewTimelineRequest): Promise<ReviewTimeline> {
    return this.review.timeline(req);
  }

  getReviewEvents(req: ReviewTarget): Promise<ReviewEventInfo[]> {
    return this.review.events(req);
  }

  getReviewFrame(req: ReviewFrameRequest): Promise<ReviewFrame | null> {
    return this.review.frame(req);
  }

  /** In its own worker on one thread: the live line keeps running. */
  startRerun(req: RerunRequestInput): Promise<ReviewJobState> {
    return this.review.startRerun(req);
  }

  cancelRerun(): Promise<ReviewJobState> {
    return this.review.cancelRerun();
  }

  async getRerun(): Promise<ReviewJobState> {
    return this.review.job;
  }

  compareTracks(req: CompareRequest): Promise<ReviewComparison> {
    return this.review.compare(req);
  }

  exportRecording(req: ExportRecordingRequest): Promise<ExportRecordingResult> {
    return this.review.export(req);
  }

  async getRecording(): Promise<RecordingStatus> {
    return this.liveRecording!.status(this.settings.recording, `${RECORDINGS_DIR}/${LIVE_RECORDING_NAME}`);
  }

  async setRecording(req: SetRecordingRequest): Promise<RecordingStatus> {
    this.settings.recording = { ...this.settings.recording, ...req };
    this.persist();
    await this.applyRecording();
    return this.getRecording();
  }

  // -------------------------------------------------------------------------------------------
  // Additional cameras (settings `cameras`; see extra-cameras.ts)
  // -------------------------------------------------------------------------------------------

  private async validateCameras(input: unknown): Promise<Awaited<ReturnType<typeof validateCameras>>> {
    // Listing the library starts describing every model in the background: only when a camera may
    // name one, not on every start of a station without additional cameras.
    const entries = Array.isArray(input) && input.length > 0 ? await this.library.listQuick() : [];
    const paths = new Map(entries.flatMap((e) => (e.path ? [[e.id, e.path] as const] : [])));
    return validateCameras(input, {
      confThreshold: this.settings.params.confThreshold,
      iouThreshold: this.settings.params.iouThreshold,
      resolveModel: modelResolver(paths, this.opts.dataDir),
      mainPlcUri: this.settings.plc.uri,
      checkSource: (uri) => checkSourceAllowed(uri, this.sourcePolicy()),
      recipeExists: async (id) => (await this.cameraRecipes().byId(id)) !== null,
    });
  }

  /** The commissioning recipes, as the additional cameras look them up (extra-cameras.ts). */
  private cameraRecipes(): CameraRecipeSource {
    return {
      byId: (id) =>
        this.commissioning.recipes.get(id).catch((e: unknown) => {
          if (e instanceof RecipeError && e.reason === 'notFound') return null;
          throw e;
        }),
      bySlot: (slot) => this.commissioning.recipes.bySlot(slot),
      resolveModel: async (model) => {
        if (model === 'classic') return model;
        const entries = await this.library.listQuick();
        const paths = new Map(entries.flatMap((e) => (e.path ? [[e.id, e.path] as const] : [])));
        return modelResolver(paths, this.opts.dataDir)(model);
      },
    };
  }

  /** A camera's recipe (switched by the UI or its PLC) is the one it starts with next time. */
  private rememberCameraRecipe(camera: string, id: string): void {
    this.settings.cameras = this.settings.cameras.map((c) => (c.name === camera ? { ...c, recipe: id } : c));
    this.persist();
  }

  private checkCamera(name: string): void {
    const names = [MAIN_CAMERA, ...this.extraCameras.names()];
    if (!names.includes(name))
      throw new StationError(
        'cameraNotFound',
        { camera: name, cameras: names.join(', ') },
        `no camera named "${name}" on this station; its cameras are: ${names.join(', ')} (see listCameras)`,
      );
  }

  private async applyCameras(input: unknown): Promise<void> {
    const { configs } = await this.validateCameras(input);
    await this.extraCameras.replace(configs, this.settings.provider);
  }

  /** The runtime of a running additional camera (tests, plant integration). */
  extraCamera(name: string): VisionRuntime | null {
    return this.extraCameras.runtime(name);
  }

  async listCameras(): Promise<CameraInfo[]> {
    const s = this.stats();
    const plc = this.plc.status();
    const main: CameraInfo = {
      name: MAIN_CAMERA,
      source: this.sourceStatus.uri,
      model: this.modelStatus.active?.name ?? this.settings.modelId ?? 'classic',
      state: this.sourceStatus.state,
      reason: this.sourceStatus.state === 'live' ? null : this.sourceStatus.reason,
      frames: s.frames,
      fps: s.fps,
      latencyP50Ms: s.latencyMs.p50,
      dropped: s.dropped,
      plc:
        plc.state === 'off' ? null : { state: plc.state, endpoint: plc.endpoint, lastError: plc.lastError },
      recipe: await this.commissioning.activeRecipeName(),
    };
    return [main, ...this.extraCameras.list()];
  }

  async getCameraPreview(req: { name: string }): Promise<CameraPreview | null> {
    return req.name === MAIN_CAMERA ? this.mainThumbs.latest : this.extraCameras.preview(req.name);
  }

  /** Refused whole, with the running cameras left as they are, when one camera is invalid. */
  async setCameras(req: { cameras: unknown[] }): Promise<CameraInfo[]> {
    const { entries, configs } = await this.validateCameras(req.cameras);
    this.settings.cameras = entries;
    this.persist();
    this.opts.log(`cameras set: ${entries.map((c) => c.name).join(', ') || 'none beside the main one'}`);
    await this.extraCameras.replace(configs, this.settings.provider);
    return this.listCameras();
  }

  async getCameraSettings(): Promise<CameraSetting[]> {
    return structuredClone(this.settings.cameras);
  }

  // Plant integration: MQTT (and the fleet on its broker), OPC UA; see app/integration-control.ts
  // -------------------------------------------------------------------------------------------

  private async startIntegration(overrides: IntegrationOverrides = {}): Promise<void> {
    this.integration = new IntegrationControl({
      runtime: this.runtime,
      dataDir: this.opts.dataDir,
      log: this.opts.log,
      recipeSlots: () => this.recipeSlots(),
      alarm: (kind, message) =>
        message === null ? this.alarms.clear(kind) : this.alarms.raise(kind, message),
    });
    this.integration.on('state', (s) => this.emit('integration', s));
    this.integration.on('fleet', (f) => this.emit('fleet', f));
    await this.integration.start(this.settings.integration, overrides);
  }

  async getIntegration(): Promise<IntegrationState> {
    return this.integration.state();
  }

  async setIntegration(req: SetIntegrationRequest): Promise<IntegrationState> {
    const { settings, state } = await this.integration.update(req);
    this.settings.integration = settings;
    this.persist();
    return state;
  }

  async getFleet(): Promise<FleetView> {
    return this.integration.fleet();
  }

  async getShiftCounts(): Promise<ShiftCountsView> {
    return this.shiftCounts.view(this.settings.shifts);
  }

  async setShiftSchedule(req: Partial<ShiftSchedule>): Promise<ShiftCountsView> {
    const r = shiftScheduleSchema.safeParse({ ...this.settings.shifts, ...req });
    if (!r.success) {
      const reason = describeIssue(r.error);
      throw new StationError('shiftsInvalid', { reason }, `shift schedule: ${reason}`);
    }
    this.settings.shifts = r.data;
    this.shiftCounts.setSchedule(r.data);
    this.persist();
    return this.getShiftCounts();
  }
}

installCommissioningApi(Station.prototype);
