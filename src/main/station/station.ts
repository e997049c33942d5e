/**
 * The running station behind the UI: one implementation of the shared API, used by the Electron
 * IPC handlers and the WebSocket server alike. It owns the inference engine (long-lived, models are
 * hot-swapped), the source and pipeline (replaced when the user picks another source), the outputs
 * (replaced when the PLC settings change), the model library, the alarms and the saved settings.
 */
import { EventEmitter } from 'node:events';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type {
  Alarm,
  AppInfo,
  Backend,
  DetectImageRequest,
  DetectImageResult,
  FrameMessage,
  LibraryEntry,
  ModelStatus,
  PlcStatus,
  SetPlcRequest,
  SetSourceRequest,
  SourceStatus,
  StationEvents,
  StationSnapshot,
  StatsSnapshot,
  TuningParams,
  UiSettings,
} from '../../shared/api';
import { TARGET_FPS } from '../../shared/api';
import type { ModelInfo } from '../../shared/detection';
import type { FrameResult } from '../../shared/frame';
import { createSource } from '../capture/create-source';
import { parseSourceUri } from '../capture/source-uri';
import type { Frame, FrameSource, SourceStateChange } from '../capture/types';
import { detectionPlacementMm, type Homography3x3 } from '../core/calibration';
import { RollingWindow, type Percentiles as CorePercentiles } from '../core/rolling-stats';
import type { DecodeParams } from '../core/decoders/types';
import { InferenceEngine } from '../inference/engine';
import type { ModelSpec } from '../inference/model';
import { providerOrder } from '../inference/providers';
import { ModelLibrary } from '../models/library';
import { createOutputSinks, type OutputSinks } from '../outputs';
import { Pipeline } from '../pipeline/pipeline';
import { parsePlcUri } from '../plc/plc-config';
import { loadSettings, saveSettings, SettingsSchema, type Settings } from '../storage/settings';
import { AlarmBook } from './alarms';
import { plcBlockFields } from './plc-view';

export interface StationOptions {
  version: string;
  /** Settings and imported models live here. */
  dataDir: string;
  /** The project's models/ folder. */
  projectModelsDir: string;
  workerPath: string;
  log: (line: string) => void;
  /** Overrides of the saved settings for this run (command-line flags). */
  overrides?: { source?: string; model?: string; plc?: string | null };
  /** Extra folders listed in the model library (e.g. ../shared/models in tests). */
  extraModelsDirs?: string[];
  /** Longest side of preview JPEGs sent to the UI. */
  previewMaxSidePx?: number;
  previewQuality?: number;
}

type StationEventMap = { [E in keyof StationEvents]: [StationEvents[E]] };

const STATS_INTERVAL_MS = 1000;
const PLC_DOWN_GRACE_MS = 3000;

const pct = (p: CorePercentiles): { p50: number | null; p95: number | null; p99: number | null } => ({
  p50: Number.isFinite(p.p50) ? Number(p.p50.toFixed(2)) : null,
  p95: Number.isFinite(p.p95) ? Number(p.p95.toFixed(2)) : null,
  p99: Number.isFinite(p.p99) ? Number(p.p99.toFixed(2)) : null,
});

const maskUri = (uri: string): string => uri.replace(/\/\/([^/@]*)@/, '//***@');

export class Station extends EventEmitter<StationEventMap> {
  private settings!: Settings;
  private readonly settingsPath: string;
  readonly engine: InferenceEngine;
  readonly library: ModelLibrary;
  private readonly alarms: AlarmBook;
  private source: FrameSource | null = null;
  private pipeline: Pipeline | null = null;
  private outputs: OutputSinks | null = null;
  private sourceStatus: SourceStatus;
  private modelStatus: ModelStatus = { state: 'loading', active: null, loadingId: null, message: null };
  private plcStatus: PlcStatus;
  private readonly plcLatency = new RollingWindow(10_000);
  private readonly plcWriteMs = new RollingWindow(10_000);
  private statsTimer: NodeJS.Timeout | null = null;
  private previewBusy = false;
  private belowTargetSinceMs: number | null = null;
  private plcDownTimer: NodeJS.Timeout | null = null;
  private saveChain: Promise<void> = Promise.resolve();
  private closed = false;
  /** Previews are encoded only while someone listens. */
  frameSubscribers = 0;
  /** Extra result consumers (plant integration: OPC UA); called for every result, must not block. */
  readonly resultTaps = new Set<(r: FrameResult) => void>();

  constructor(private readonly opts: StationOptions) {
    super();
    this.settingsPath = join(opts.dataDir, 'settings.json');
    this.engine = new InferenceEngine({ workerPath: opts.workerPath });
    this.engine.on('status', (m) => this.setModelStatus({ ...this.modelStatus, message: m }));
    this.library = new ModelLibrary({
      projectDir: opts.projectModelsDir,
      userDir: join(opts.dataDir, 'models'),
      extraDirs: opts.extraModelsDirs,
      inspect: (spec) => this.engine.inspect(spec),
      cachePath: join(opts.dataDir, 'model-library-cache.json'),
    });
    this.alarms = new AlarmBook((list) => this.emit('alarms', list));
    this.sourceStatus = {
      uri: '',
      description: '',
      state: 'stopped',
      reason: 'not started',
      stderrTail: [],
      atMs: Date.now(),
    };
    this.plcStatus = {
      state: 'off',
      endpoint: '',
      handshake: 'free-run',
      lifeCounter: 0,
      writesPerSec: 0,
      lastWriteTimeMs: null,
      lastError: null,
      lastBlock: null,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Life cycle
  // -------------------------------------------------------------------------------------------

  async start(): Promise<void> {
    try {
      this.settings = await loadSettings(this.settingsPath);
    } catch (e) {
      // A damaged settings file must not keep the station down: start on defaults, keep the file
      // aside for a person to look at, and say so.
      const aside = `${this.settingsPath}.invalid-${Date.now()}`;
      await rename(this.settingsPath, aside).catch(() => {});
      this.settings = SettingsSchema.parse({});
      this.alarms.raise(
        'settings',
        `${(e as Error).message}; started on defaults, the file was kept as ${aside}`,
        true,
      );
      this.opts.log(`${(e as Error).message}; using defaults (file kept as ${aside})`);
    }
    const o = this.opts.overrides ?? {};
    if (o.source) this.settings.source = o.source;
    if (o.model) this.settings.modelId = o.model;
    if (o.plc !== undefined) this.settings.plc.uri = o.plc;

    const modelId = this.settings.modelId ?? (await this.bestAvailableModelId());
    try {
      await this.loadModel(modelId);
    } catch (e) {
      // The station still comes up (on the classic detector) and says why.
      this.opts.log(`model ${modelId} did not load (${(e as Error).message}); using the classic detector`);
      await this.loadModel('classic');
    }
    await this.applyPlc(this.settings.plc.uri).catch((e: unknown) =>
      this.alarms.raise('plcConfig', (e as Error).message, true),
    );
    this.startSource(this.settings.source);
    this.statsTimer = setInterval(() => this.tick(), STATS_INTERVAL_MS);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.statsTimer) clearInterval(this.statsTimer);
    if (this.plcDownTimer) clearTimeout(this.plcDownTimer);
    await this.stopSource();
    await this.outputs?.close();
    await this.engine.close();
    await this.saveChain;
  }

  private async bestAvailableModelId(): Promise<string> {
    for (const e of await this.library.list()) if (e.location === 'project' && e.info) return e.id;
    return 'classic';
  }

  private persist(): void {
    const snapshot = structuredClone(this.settings);
    this.saveChain = this.saveChain
      .then(() => saveSettings(this.settingsPath, snapshot))
      .catch((e: unknown) => this.opts.log(`cannot save settings: ${(e as Error).message}`));
  }

  // -------------------------------------------------------------------------------------------
  // Source and pipeline
  // -------------------------------------------------------------------------------------------

  private get decodeParams(): DecodeParams {
    const p = this.settings.params;
    return {
      confThreshold: p.confThreshold,
      iouThreshold: p.iouThreshold,
      maxDet: 300,
      classFilter: p.classFilter ? new Set(p.classFilter) : null,
    };
  }

  private startSource(uri: string): void {
    // One more ring buffer than the pipeline needs, for the preview encoder.
    const source = createSource(uri, { ringSize: 4 });
    this.source = source;
    this.sourceStatus = {
      uri: maskUri(uri),
      description: source.description,
      state: source.state,
      reason: source.stateReason,
      stderrTail: [],
      atMs: Date.now(),
    };
    source.on('state', (c: SourceStateChange) => this.onSourceState(source, c));
    const sinks = [
      {
        name: 'outputs',
        offer: (r: FrameResult) => this.outputs?.sinks.forEach((s) => s.offer(r)),
        close: async () => {},
      },
    ];
    const pipeline = new Pipeline({ source, engine: this.engine, sinks, params: this.decodeParams });
    this.pipeline = pipeline;
    pipeline.on('result', (r, frame) => {
      for (const tap of this.resultTaps) tap(r);
      this.onResult(r, frame);
    });
    pipeline.on('error', (e) => this.opts.log(`inference failed on a frame: ${e.message}`));
    void pipeline
      .start()
      .catch((e: unknown) => this.opts.log(`source did not start: ${(e as Error).message}`));
    this.emit('source', this.sourceStatus);
  }

  private async stopSource(): Promise<void> {
    const p = this.pipeline;
    this.pipeline = null;
    this.source = null;
    await p?.stop();
  }

  private onSourceState(source: FrameSource, c: SourceStateChange): void {
    if (source !== this.source) return;
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
    if (c.state !== 'stopped') this.outputs?.setHealth({ cameraOk: c.state === 'live' });
  }

  private onResult(r: FrameResult, frame: Frame): void {
    if (this.frameSubscribers === 0 || this.previewBusy) return;
    // Newest only: while one preview is being encoded, later frames are not queued behind it.
    this.previewBusy = true;
    frame.retain();
    void this.encodePreview(r, frame)
      .then((msg) => this.emit('frame', msg))
      .catch((e: unknown) => this.opts.log(`preview encoding failed: ${(e as Error).message}`))
      .finally(() => {
        frame.release();
        this.previewBusy = false;
      });
  }

  private async encodePreview(r: FrameResult, frame: Frame): Promise<FrameMessage> {
    const maxSide = this.opts.previewMaxSidePx ?? 1280;
    let img = sharp(frame.rgb, { raw: { width: frame.widthPx, height: frame.heightPx, channels: 3 } });
    if (Math.max(frame.widthPx, frame.heightPx) > maxSide)
      img = img.resize(maxSide, maxSide, { fit: 'inside' });
    const jpeg = await img.jpeg({ quality: this.opts.previewQuality ?? 70, mozjpeg: false }).toBuffer();
    return {
      frameId: r.frameId,
      captureTimeMs: r.captureTimeMs,
      widthPx: r.widthPx,
      heightPx: r.heightPx,
      previewJpeg: new Uint8Array(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength),
      detections: r.detections,
      modelName: r.modelName,
      provider: r.provider,
      timings: r.timings,
      placementsMm: this.calibration
        ? r.detections.map((d) => detectionPlacementMm(d, this.calibration!))
        : null,
    };
  }

  /** The pixel → mm homography from the settings (validated when they were read). */
  private get calibration(): Homography3x3 | null {
    return this.settings.plc.homographyPxToMm;
  }

  // -------------------------------------------------------------------------------------------
  // Models
  // -------------------------------------------------------------------------------------------

  private specFor(id: string): ModelSpec {
    return id === 'classic'
      ? { kind: 'classic' }
      : { kind: 'onnx', path: id, providers: providerOrder(this.settings.provider), intraOpThreads: 0 };
  }

  private setModelStatus(s: ModelStatus): void {
    this.modelStatus = s;
    this.emit('model', s);
  }

  private async loadModel(id: string): Promise<ModelInfo> {
    this.setModelStatus({ state: 'loading', active: this.engine.model, loadingId: id, message: null });
    try {
      const info = await this.engine.load(this.specFor(id));
      this.setModelStatus({ state: 'ready', active: info, loadingId: null, message: null });
      this.alarms.clear('modelFailed');
      this.outputs?.setHealth({ modelOk: true });
      return info;
    } catch (e) {
      const message = (e as Error).message;
      this.setModelStatus({ state: 'failed', active: this.engine.model, loadingId: null, message });
      throw e;
    }
  }

  // -------------------------------------------------------------------------------------------
  // PLC
  // -------------------------------------------------------------------------------------------

  private async applyPlc(uri: string | null): Promise<void> {
    const old = this.outputs;
    this.outputs = null;
    await old?.close();
    if (this.plcDownTimer) clearTimeout(this.plcDownTimer);
    this.alarms.clear('plcDown');
    const { handshake, maxObjects } = this.settings.plc;
    if (!uri) {
      this.plcStatus = { ...this.plcStatus, state: 'off', endpoint: '', lastBlock: null, lastError: null };
      this.emit('plc', this.plcStatus);
      return;
    }
    const outputs = await createOutputSinks({
      plc: uri,
      plcSettings: { handshake, maxObjects },
      calibration: this.settings.plc.homographyPxToMm ?? undefined,
      log: this.opts.log,
      engine: this.engine,
    });
    this.outputs = outputs;
    const sim = outputs.sim;
    const endpointOf = (e: string): string => (sim ? `simulator on 127.0.0.1:${sim.port}` : e);
    this.plcStatus = {
      ...this.plcStatus,
      state: 'connecting',
      endpoint: endpointOf(uri),
      handshake,
      lastBlock: null,
      lastError: null,
    };
    this.emit('plc', this.plcStatus);
    outputs.setHealth({ modelOk: this.engine.model !== null, cameraOk: this.sourceStatus.state === 'live' });
    outputs.on('plcLink', (s) => {
      if (outputs !== this.outputs) return;
      this.plcStatus = {
        ...this.plcStatus,
        state: s.state,
        endpoint: endpointOf(s.endpoint),
        lifeCounter: s.lifeCounter,
        writesPerSec: s.writesPerSec,
        lastWriteTimeMs: s.lastWriteTimeMs,
        lastError: s.lastError,
      };
      this.emit('plc', this.plcStatus);
      if (s.state === 'connected') {
        if (this.plcDownTimer) clearTimeout(this.plcDownTimer);
        this.plcDownTimer = null;
        this.alarms.clear('plcDown');
      } else if (!this.plcDownTimer) {
        // A reconnect that succeeds within the grace time is not worth an alarm.
        this.plcDownTimer = setTimeout(() => {
          this.plcDownTimer = null;
          if (outputs === this.outputs && this.plcStatus.state !== 'connected') {
            this.alarms.raise(
              'plcDown',
              `PLC ${this.plcStatus.endpoint} not reachable: ${this.plcStatus.lastError ?? this.plcStatus.state}`,
            );
          }
        }, PLC_DOWN_GRACE_MS);
      }
    });
    outputs.on('plcAlarm', (a) => {
      if (a.kind === 'ackTimeout') this.alarms.raise('ackTimeout', a.message, true);
      else this.alarms.raise('plcConfig', a.message, true);
    });
    outputs.on('plcWrite', (w) => {
      if (outputs !== this.outputs) return;
      const t = Date.now();
      this.plcWriteMs.add(t, w.durationMs);
      if (w.captureTimeMs !== null) this.plcLatency.add(t, w.writeTimeMs + w.durationMs - w.captureTimeMs);
      this.plcStatus = {
        ...this.plcStatus,
        lifeCounter: w.lifeCounter,
        lastWriteTimeMs: w.writeTimeMs,
        lastBlock: {
          frameId: w.frameId,
          fields: plcBlockFields(w.bytes, this.settings.plc.maxObjects, 0, w.count),
        },
      };
    });
    outputs.on('recipeRequest', (slot) => void this.onRecipeRequest(slot));
  }

  private async onRecipeRequest(slot: number): Promise<void> {
    const id = this.settings.recipes[String(slot)];
    if (!id) {
      this.alarms.raise(
        'plcConfig',
        `the PLC asked for recipe slot ${slot}, but no model is configured for it`,
        true,
      );
      return;
    }
    try {
      await this.loadModel(id);
      this.outputs?.plc?.setRecipeActive(slot);
    } catch (e) {
      this.alarms.raise('modelFailed', `recipe slot ${slot}: ${(e as Error).message}`, true);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Periodic stats and the FPS alarm
  // -------------------------------------------------------------------------------------------

  private stats(): StatsSnapshot {
    const t = Date.now();
    const s = this.pipeline?.stats();
    const empty = { p50: NaN, p95: NaN, p99: NaN };
    return {
      atMs: t,
      frames: s?.frames ?? 0,
      fps: Number((s?.fps ?? 0).toFixed(2)),
      targetFps: TARGET_FPS,
      dropped: s?.dropped ?? 0,
      errors: s?.errors ?? 0,
      latencyMs: pct(s?.latencyMs ?? empty),
      plcLatencyMs: pct(this.plcLatency.percentiles(t)),
      stages: {
        captureWaitMs: pct(s?.stages.captureWaitMs ?? empty),
        preMs: pct(s?.stages.preMs ?? empty),
        inferMs: pct(s?.stages.inferMs ?? empty),
        postMs: pct(s?.stages.postMs ?? empty),
        sinkMs: pct(s?.stages.sinkMs ?? empty),
        plcWriteMs: pct(this.plcWriteMs.percentiles(t)),
      },
    };
  }

  private tick(): void {
    const stats = this.stats();
    this.emit('stats', stats);
    if (this.outputs?.plc) this.emit('plc', this.plcStatus);
    if (this.sourceStatus.state === 'live' && stats.fps < TARGET_FPS) {
      this.belowTargetSinceMs ??= stats.atMs;
      if (stats.atMs - this.belowTargetSinceMs >= this.settings.fpsAlarmAfterS * 1000) {
        this.alarms.raise(
          'fpsBelowTarget',
          `${stats.fps} fps, below the ${TARGET_FPS} fps target for ${this.settings.fpsAlarmAfterS} s or more`,
        );
      }
    } else {
      this.belowTargetSinceMs = null;
      this.alarms.clear('fpsBelowTarget');
    }
  }

  // -------------------------------------------------------------------------------------------
  // The API
  // -------------------------------------------------------------------------------------------

  getAppInfo(backend: Backend): AppInfo {
    return { name: 'Vision Station', version: this.opts.version, backend };
  }

  getSnapshot(backend: Backend): StationSnapshot {
    return {
      app: this.getAppInfo(backend),
      source: this.sourceStatus,
      model: this.modelStatus,
      plc: this.plcStatus,
      stats: this.stats(),
      alarms: this.alarms.list(),
      params: this.settings.params,
      ui: this.settings.ui,
      classNames: this.engine.model?.classNames ?? [],
    };
  }

  async detectImage(req: DetectImageRequest): Promise<DetectImageResult> {
    const { data, info } = await sharp(req.imageBytes, { failOn: 'error' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    const out = await this.engine.infer(
      {
        rgb: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
        widthPx: info.width,
        heightPx: info.height,
      },
      {
        ...this.decodeParams,
        confThreshold: req.conf ?? this.settings.params.confThreshold,
        iouThreshold: req.iou ?? this.settings.params.iouThreshold,
      },
    );
    return {
      widthPx: info.width,
      heightPx: info.height,
      model: out.model,
      detections: out.detections,
      timings: out.timings,
    };
  }

  listModels(): Promise<LibraryEntry[]> {
    return this.library.list();
  }

  async swapModel(req: { id: string }): Promise<ModelInfo> {
    const entries = await this.library.list();
    const entry = entries.find((e) => e.id === req.id);
    if (!entry) throw new Error(`no model with id ${req.id} in the library`);
    if (entry.error) throw new Error(`${entry.name} cannot be used: ${entry.error}`);
    try {
      const info = await this.loadModel(entry.id);
      this.settings.modelId = entry.id;
      this.persist();
      return info;
    } catch (e) {
      this.alarms.raise('modelFailed', `swap to ${entry.name} failed: ${(e as Error).message}`, true);
      throw e;
    }
  }

  setParams(req: Partial<TuningParams>): TuningParams {
    this.settings.params = { ...this.settings.params, ...req };
    this.pipeline?.setParams(this.decodeParams);
    this.persist();
    this.emit('params', this.settings.params);
    return this.settings.params;
  }

  async setSource(req: SetSourceRequest): Promise<SourceStatus> {
    parseSourceUri(req.uri); // a bad URI is refused with the reason before the running source stops
    await this.stopSource();
    this.alarms.clear('sourceLost');
    this.settings.source = req.uri;
    this.persist();
    this.startSource(req.uri);
    return this.sourceStatus;
  }

  async setPlc(req: SetPlcRequest): Promise<PlcStatus> {
    if (req.uri) parsePlcUri(req.uri); // a bad URI is refused before the running link is touched
    this.settings.plc = {
      ...this.settings.plc,
      uri: req.uri,
      handshake: req.handshake ?? this.settings.plc.handshake,
      maxObjects: req.maxObjects ?? this.settings.plc.maxObjects,
    };
    this.persist();
    await this.applyPlc(req.uri);
    return this.plcStatus;
  }

  acknowledgeAlarm(req: { id: number }): Alarm[] {
    if (!this.alarms.acknowledge(req.id)) throw new Error(`no alarm with id ${req.id}`);
    return this.alarms.list();
  }

  setUiSettings(req: Partial<UiSettings>): UiSettings {
    this.settings.ui = { ...this.settings.ui, ...req };
    this.persist();
    this.emit('ui', this.settings.ui);
    return this.settings.ui;
  }
}
