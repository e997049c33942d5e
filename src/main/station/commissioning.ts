/**
 * The commissioning part of the Station: sessions (through the AccessGate), recipes, per-class
 * limits, calibration, users, the audit trail and model deletion, behind the shared API. The
 * Station holds one and delegates these methods to it (see `installCommissioningApi`).
 *
 * What it keeps itself lives in `<dataDir>/commissioning.json` (active recipe, class limits, the
 * calibration's points); the homography itself is the settings' PLC calibration, as before.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import type {
  ApiMethod,
  LibraryEntry,
  SetTrackingRequest,
  StationSnapshot,
  TrackingConfig,
  TuningParams,
  VisionStationApi,
} from '../../shared/api';
import type {
  CalibrationStateView,
  CommissioningStateView,
  RecipeListView,
  RecipeSummaryView,
  SessionView,
  SolveCalibrationView,
  UserView,
} from '../../shared/commissioning';
import type { ModelInfo } from '../../shared/detection';
import { AuditLog } from '../audit/audit-log';
import { UserStore } from '../auth/users';
import { applyRecipe, type RecipeTarget } from '../app/recipe-switch';
import type { VisionRuntime } from '../app/runtime';
import type { Homography3x3 } from '../core/calibration';
import {
  CalibrationPointSchema,
  millimetreGrid,
  solveHomography,
  type CalibrationPoint,
} from '../core/calibration-solver';
import { classLimitProblems, ClassLimitsSchema, type ClassLimits } from '../core/class-limits';
import { canActivateRecipe } from '../core/permissions';
import type { Recipe, RecipeInput } from '../core/recipe';
import type { ModelLibrary } from '../models/library';
import { writeFileAtomic } from '../storage/atomic-file';
import { commissioningPaths } from '../storage/data-paths';
import { RecipeStore, type RecipeDraft, type RecipeSummary } from '../storage/recipes';
import { AccessError, AccessGate, requestClient, type ClientContext } from './access-gate';
import { MAIN_CAMERA } from './extra-cameras';

/** What the commissioning part needs of the Station. */
export interface CommissioningHost {
  readonly dataDir: string;
  readonly library: ModelLibrary;
  runtime(): VisionRuntime;
  snapshot(): Promise<StationSnapshot>;
  tracking(): Promise<TrackingConfig>;
  setTracking(req: SetTrackingRequest): Promise<TrackingConfig>;
  setParams(p: Partial<TuningParams>): Promise<TuningParams>;
  /** Through the hot swap; remembered as the station's model. */
  loadModel(id: string): Promise<ModelInfo>;
  modelId(): string | null;
  calibration(): Homography3x3 | null;
  /** Saved in the settings and applied to the PLC and serial outputs. */
  setCalibration(h: Homography3x3 | null): Promise<void>;
  /** The settings' older slot → model map (no stored recipe has the slot). */
  switchLegacySlot(slot: number): Promise<void>;
  log(line: string): void;
  /** Throws a coded error when the station has no camera of this name (besides the main one). */
  checkCamera(name: string): void;
  /** Switches an additional camera (not the main one) to a recipe. */
  activateCameraRecipe(camera: string, recipe: Recipe): Promise<void>;
  /** The additional cameras whose settings entry names this recipe. */
  camerasOnRecipe(id: string): string[];
}

export interface CommissioningOptions {
  idleTimeoutMs?: number;
  nowMs?: () => number;
  /** scrypt cost; tests lower it to stay fast. */
  scryptCost?: { N: number; r: number; p: number };
}

const StateSchema = z
  .object({
    version: z.literal(1),
    activeRecipeId: z.string().nullable().default(null),
    classLimits: ClassLimitsSchema.prefault({}),
    calibrationPoints: z.array(CalibrationPointSchema).max(200).default([]),
    rmsMm: z.number().finite().min(0).nullable().default(null),
  })
  .strict();
type State = z.output<typeof StateSchema>;

/** The methods of the shared API the commissioning part answers (the Station delegates them). */
export const COMMISSIONING_API = [
  'login',
  'logout',
  'whoAmI',
  'getCommissioning',
  'listRecipes',
  'getRecipe',
  'activateRecipe',
  'createRecipe',
  'saveRecipe',
  'renameRecipe',
  'duplicateRecipe',
  'deleteRecipe',
  'exportRecipe',
  'importRecipe',
  'approveRecipe',
  'assignRecipeSlot',
  'setClassLimits',
  'setZones',
  'setCountingLines',
  'solveCalibration',
  'setCalibration',
  'listUsers',
  'createUser',
  'setUserRole',
  'setUserSecret',
  'deleteUser',
  'queryAudit',
  'exportAuditCsv',
  'verifyAudit',
  'deleteModel',
  'leaveKiosk',
  'importModel',
] as const satisfies readonly ApiMethod[];
export type CommissioningApi = Pick<VisionStationApi, (typeof COMMISSIONING_API)[number]>;

/** Limits that change nothing are no limits (saves a pass per frame). */
const effective = (l: ClassLimits): ClassLimits | null =>
  Object.keys(l.classes).length === 0 && l.othersEnabled ? null : l;

const summaryOf = (r: Recipe | RecipeSummary): RecipeSummaryView =>
  'plc' in r
    ? {
        id: r.id,
        name: r.name,
        approved: r.approved,
        modelId: r.modelId,
        slot: r.plc.slot,
        updatedAtMs: r.updatedAtMs,
      }
    : r;

/** Recipe line names are stricter than the live ones (PLC layout). */
const recipeLineName = (name: string, i: number): string =>
  name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 32) || `line${i + 1}`;

export class Commissioning implements CommissioningApi {
  readonly gate: AccessGate;
  readonly recipes: RecipeStore;
  private readonly users: UserStore;
  private audit: AuditLog | null = null;
  private state: State = StateSchema.parse({ version: 1 });
  private readonly statePath: string;
  private kioskHandler: ((action: 'exitKiosk' | 'quit') => void) | null = null;
  private plcWaiting: number | null = null;
  private plcRunning: Promise<void> | null = null;
  private stateChain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly host: CommissioningHost,
    opts: CommissioningOptions = {},
  ) {
    const paths = commissioningPaths(host.dataDir);
    this.statePath = join(host.dataDir, 'commissioning.json');
    this.recipes = new RecipeStore(paths.recipesDir, { nowMs: opts.nowMs });
    this.users = new UserStore(paths.usersFile, { nowMs: opts.nowMs, scryptCost: opts.scryptCost });
    this.gate = new AccessGate({
      users: this.users,
      audit: null,
      idleTimeoutMs: opts.idleTimeoutMs,
      nowMs: opts.nowMs,
      log: (l) => host.log(l),
      before: (method, args) => this.before(method, args),
    });
  }

  /** Opens the audit log and restores the saved state. Problems are returned (the station still runs). */
  async start(): Promise<string[]> {
    const problems: string[] = [];
    try {
      this.audit = await AuditLog.open(commissioningPaths(this.host.dataDir).auditLog);
      this.gate.setAudit(this.audit);
    } catch (e) {
      problems.push(`audit log: ${(e as Error).message}; changes are not recorded until it is repaired`);
    }
    try {
      const text = await readFile(this.statePath, 'utf8').catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return null;
        throw e;
      });
      if (text !== null) this.state = StateSchema.parse(JSON.parse(text));
    } catch (e) {
      problems.push(`commissioning state ${this.statePath} not used: ${(e as Error).message}`);
    }
    this.host.runtime().setClassLimits(effective(this.state.classLimits));
    this.host.runtime().setCalibration(this.host.calibration());
    return problems;
  }

  private persist(): Promise<void> {
    const text = JSON.stringify(this.state, null, 2) + '\n';
    const run = this.stateChain.then(() => writeFileAtomic(this.statePath, text));
    this.stateChain = run.catch((e: unknown) =>
      this.host.log(`cannot save ${this.statePath}: ${(e as Error).message}`),
    );
    return run;
  }

  async flush(): Promise<void> {
    await this.stateChain;
  }

  /** The Electron shell sets this; without it (serve) leaveKiosk is refused. */
  setKioskHandler(fn: ((action: 'exitKiosk' | 'quit') => void) | null): void {
    this.kioskHandler = fn;
  }

  private client(): ClientContext {
    return requestClient.getStore() ?? this.gate.transient('local');
  }

  // -------------------------------------------------------------------------------------------
  // Sessions
  // -------------------------------------------------------------------------------------------

  login(req: { username: string; secret: string }): Promise<SessionView> {
    return this.gate.login(this.client(), req.username, req.secret);
  }

  logout(): Promise<SessionView> {
    return this.gate.logout(this.client());
  }

  whoAmI(): Promise<SessionView> {
    return this.gate.view(this.client());
  }

  // -------------------------------------------------------------------------------------------
  // State, class limits, zones, calibration
  // -------------------------------------------------------------------------------------------

  private calibrationState(): CalibrationStateView {
    return {
      homographyPxToMm: this.host.calibration(),
      points: this.state.calibrationPoints,
      rmsMm: this.state.rmsMm,
    };
  }

  async getCommissioning(): Promise<CommissioningStateView> {
    return {
      activeRecipeId: this.state.activeRecipeId,
      classLimits: this.state.classLimits,
      calibration: this.calibrationState(),
      kiosk: this.kioskHandler !== null,
    };
  }

  private applyLimits(limits: ClassLimits): void {
    this.state.classLimits = limits;
    this.host.runtime().setClassLimits(effective(limits));
  }

  async setClassLimits(
    req: z.input<typeof ClassLimitsSchema>,
  ): Promise<CommissioningStateView['classLimits']> {
    const r = ClassLimitsSchema.safeParse(req);
    if (!r.success) {
      const i = r.error.issues[0]!;
      throw new Error(`class limits: ${i.path.join('.') || '(root)'}: ${i.message}`);
    }
    const classNames = this.host.runtime().engine.model?.classNames ?? [];
    const problems = classLimitProblems(r.data, classNames, this.host.calibration() !== null);
    if (problems.length > 0) throw new Error(`class limits not applied: ${problems.join('; ')}`);
    this.applyLimits(r.data);
    await this.persist();
    return this.state.classLimits;
  }

  setZones(req: { zones: TrackingConfig['zones'] }): Promise<TrackingConfig> {
    return this.host.setTracking({ zones: req.zones });
  }

  setCountingLines(req: { lines: TrackingConfig['lines'] }): Promise<TrackingConfig> {
    return this.host.setTracking({ lines: req.lines });
  }

  async solveCalibration(req: {
    points: CalibrationPoint[];
    grid?: { widthPx: number; heightPx: number; spacingMm: number };
  }): Promise<SolveCalibrationView> {
    const result = solveHomography(req.points);
    let grid: SolveCalibrationView['grid'] = null;
    if (result.ok && req.grid) {
      try {
        grid = millimetreGrid(result.homography, req.grid, req.grid.spacingMm);
      } catch {
        grid = null; // too many lines at this spacing: the picture shows none rather than a wall
      }
    }
    return { result, grid };
  }

  async setCalibration(req: { points: CalibrationPoint[] | null }): Promise<CommissioningStateView> {
    if (req.points === null || req.points.length === 0) {
      await this.host.setCalibration(null);
      this.state.calibrationPoints = [];
      this.state.rmsMm = null;
    } else {
      // Solved again here: the station never takes a homography a client computed.
      const r = solveHomography(req.points);
      if (!r.ok) throw new Error(`calibration not saved: ${r.message}`);
      await this.host.setCalibration(r.homography);
      this.state.calibrationPoints = req.points;
      this.state.rmsMm = r.rmsMm;
    }
    await this.persist();
    return this.getCommissioning();
  }

  // -------------------------------------------------------------------------------------------
  // Recipes
  // -------------------------------------------------------------------------------------------

  listRecipes(): Promise<RecipeListView> {
    return this.recipes.list();
  }

  getRecipe(req: { id: string }): Promise<Recipe> {
    return this.recipes.get(req.id);
  }

  /** The station's current state as a recipe's content. */
  private async current(name: string): Promise<RecipeDraft> {
    const snap = await this.host.snapshot();
    const tracking = await this.host.tracking();
    const h = this.host.calibration();
    const draft: RecipeDraft = {
      name,
      approved: false,
      modelId: this.host.modelId(),
      params: {
        confThreshold: snap.params.confThreshold,
        iouThreshold: snap.params.iouThreshold,
        maxDet: this.host.runtime().decodeParams.maxDet,
      },
      classLimits: this.state.classLimits as RecipeInput['classLimits'],
      zones: tracking.zones.map((z) => ({ kind: z.kind, pointsPx: z.polygon })),
      lines: tracking.lines.map((l, i) => ({
        name: recipeLineName(l.name, i),
        p1: [l.x1, l.y1],
        p2: [l.x2, l.y2],
      })),
      calibration: {
        homographyPxToMm: h ? [...h] : null,
        points: h ? this.state.calibrationPoints : [],
        rmsMm: h ? this.state.rmsMm : null,
      },
      plc: { slot: null },
      recording: {},
    };
    return draft;
  }

  async createRecipe(req: { name: string }): Promise<RecipeSummaryView> {
    return summaryOf(await this.recipes.create(await this.current(req.name)));
  }

  async saveRecipe(req: { id: string }): Promise<RecipeSummaryView> {
    const old = await this.recipes.get(req.id);
    const now = await this.current(old.name);
    const next = { ...old, ...now, approved: old.approved, plc: old.plc } as Recipe;
    return summaryOf(await this.recipes.save(next));
  }

  async renameRecipe(req: { id: string; name: string }): Promise<RecipeSummaryView> {
    return summaryOf(await this.recipes.rename(req.id, req.name));
  }

  async duplicateRecipe(req: { id: string; name?: string }): Promise<RecipeSummaryView> {
    return summaryOf(await this.recipes.duplicate(req.id, req.name));
  }

  async deleteRecipe(req: { id: string }): Promise<RecipeListView> {
    if (req.id === this.state.activeRecipeId)
      throw new Error('the active recipe cannot be deleted; switch to another one first');
    const cameras = this.host.camerasOnRecipe(req.id);
    if (cameras.length > 0)
      throw new Error(
        `the recipe is in use by the additional camera(s) ${cameras.map((c) => `'${c}'`).join(', ')} (they start on it); switch them to another recipe first`,
      );
    await this.recipes.delete(req.id);
    return this.recipes.list();
  }

  async exportRecipe(req: { id: string }): Promise<{ fileName: string; text: string }> {
    return { fileName: `${req.id}.recipe.json`, text: await this.recipes.exportText(req.id) };
  }

  async importRecipe(req: { text: string }): Promise<RecipeSummaryView> {
    return summaryOf(await this.recipes.importText(req.text, 'the file'));
  }

  async approveRecipe(req: { id: string; approved: boolean }): Promise<RecipeSummaryView> {
    const r = await this.recipes.get(req.id);
    return summaryOf(await this.recipes.save({ ...r, approved: req.approved }));
  }

  async assignRecipeSlot(req: { id: string; slot: number | null }): Promise<RecipeSummaryView> {
    return summaryOf(await this.recipes.assignSlot(req.id, req.slot));
  }

  async activateRecipe(req: { id: string; camera?: string }): Promise<CommissioningStateView> {
    const camera = req.camera ?? MAIN_CAMERA;
    if (camera !== MAIN_CAMERA) this.host.checkCamera(camera);
    const recipe = await this.recipes.get(req.id);
    const role = await this.gate.roleOf(this.client());
    // Direct calls (tests, the shell) carry no client and are not limited here.
    if (requestClient.getStore() && !canActivateRecipe(role, recipe.approved))
      throw new AccessError(
        'recipeNotApproved',
        { recipe: recipe.name },
        `forbidden: '${recipe.name}' is not approved; switching to it needs the engineer role`,
      );
    if (camera !== MAIN_CAMERA) await this.host.activateCameraRecipe(camera, recipe);
    else await this.activate(recipe);
    return this.getCommissioning();
  }

  /** The main camera's recipe name (null: none, or its file is gone). */
  async activeRecipeName(): Promise<string | null> {
    const id = this.state.activeRecipeId;
    return id === null
      ? null
      : this.recipes.get(id).then(
          (r) => r.name,
          () => null,
        );
  }

  /**
   * Switches the running station to a recipe: calibration (when it differs: the outputs restart),
   * then the model through the hot swap, thresholds and class limits, recipeActive to the PLC, and
   * the zones and lines. A model that fails to load leaves everything as it was.
   */
  private async activate(recipe: Recipe): Promise<void> {
    const rt = this.host.runtime();
    const wantH = recipe.calibration.homographyPxToMm;
    const haveH = this.host.calibration();
    const sameH = JSON.stringify(wantH ?? null) === JSON.stringify(haveH ?? null);
    const target: RecipeTarget = {
      engine: rt.engine,
      loadModel: (m) => this.host.loadModel(m),
      setParams: (p) => {
        void this.host.setParams({ confThreshold: p.confThreshold, iouThreshold: p.iouThreshold });
        if (p.maxDet !== undefined) rt.setParams({ maxDet: p.maxDet });
      },
      setClassLimits: () => this.applyLimits(recipe.classLimits),
      get outputs() {
        return rt.outputs;
      },
    };
    // The model first (the hot swap): if it fails, nothing else changes.
    if (recipe.modelId !== null && recipe.modelId !== this.host.modelId())
      await this.host.loadModel(recipe.modelId);
    if (!sameH) {
      await this.host.setCalibration(wantH);
      this.state.calibrationPoints = recipe.calibration.points;
      this.state.rmsMm = recipe.calibration.rmsMm;
    }
    await applyRecipe(target, recipe);
    await this.host.setTracking({
      zones: recipe.zones.map((z) => ({ kind: z.kind, polygon: z.pointsPx })),
      lines: recipe.lines.map((l) => ({ name: l.name, x1: l.p1[0], y1: l.p1[1], x2: l.p2[0], y2: l.p2[1] })),
    });
    this.state.activeRecipeId = recipe.id;
    await this.persist();
  }

  /**
   * The PLC's recipeRequest: the stored recipe with that slot (else the settings' older slot →
   * model map). One at a time; while one loads only the newest request waits (the PLC's latest
   * wish wins, nothing queues).
   */
  onPlcRecipeRequest(slot: number): void {
    this.plcWaiting = slot;
    this.plcRunning ??= this.drainPlc();
  }

  /** Resolves once no PLC recipe request is being handled or waiting. */
  async plcIdle(): Promise<void> {
    while (this.plcRunning) await this.plcRunning;
  }

  private async drainPlc(): Promise<void> {
    while (this.plcWaiting !== null) {
      const slot = this.plcWaiting;
      this.plcWaiting = null;
      await this.switchForPlc(slot).catch((e: unknown) =>
        this.host.log(`recipe slot ${slot}: cannot switch: ${(e as Error).message}`),
      );
    }
    this.plcRunning = null;
  }

  private async switchForPlc(slot: number): Promise<void> {
    const recipe = await this.recipes.bySlot(slot);
    if (!recipe) return this.host.switchLegacySlot(slot);
    const before = this.state.activeRecipeId;
    if (recipe.id === before) {
      // A new PLC link reads the request it already made: confirm it, keep the live changes since.
      this.host.runtime().outputs?.plc?.setRecipeActive(slot);
      return;
    }
    await this.activate(recipe);
    this.host.log(`recipe slot ${slot}: now running recipe '${recipe.name}'`);
    await this.audit?.append({
      user: 'plc',
      role: null,
      client: 'plc',
      method: 'recipeRequest',
      target: recipe.id,
      before,
      after: recipe.id,
    });
  }

  // -------------------------------------------------------------------------------------------
  // Users and audit
  // -------------------------------------------------------------------------------------------

  listUsers(): Promise<UserView[]> {
    return this.users.list();
  }

  async createUser(req: {
    username: string;
    role: UserView['role'];
    kind: UserView['kind'];
    secret: string;
  }): Promise<UserView> {
    const u = await this.users.add(req.username, req.role, req.kind, req.secret);
    await this.gate.isOpen(); // the first user ends open commissioning: every client is told now
    return u;
  }

  async setUserRole(req: { username: string; role: UserView['role'] }): Promise<UserView> {
    const u = await this.users.setRole(req.username, req.role);
    await this.gate.endUser(req.username);
    return u;
  }

  setUserSecret(req: { username: string; kind: UserView['kind']; secret: string }): Promise<UserView> {
    return this.users.setSecret(req.username, req.kind, req.secret);
  }

  async deleteUser(req: { username: string }): Promise<UserView[]> {
    await this.users.remove(req.username);
    await this.gate.endUser(req.username);
    await this.gate.isOpen();
    return this.users.list();
  }

  private requireAudit(): AuditLog {
    if (!this.audit) throw new Error('the audit log could not be opened (see the alarms)');
    return this.audit;
  }

  queryAudit(req: { user?: string; method?: string; fromMs?: number; toMs?: number; limit?: number }) {
    return this.requireAudit().query(req);
  }

  async exportAuditCsv(req: {
    user?: string;
    method?: string;
    fromMs?: number;
    toMs?: number;
  }): Promise<{ fileName: string; csv: string }> {
    const csv = await this.requireAudit().exportCsv({ ...req, limit: 100_000 });
    return { fileName: `audit-${new Date().toISOString().slice(0, 10)}.csv`, csv };
  }

  verifyAudit() {
    return this.requireAudit().verify();
  }

  // -------------------------------------------------------------------------------------------
  // Models, kiosk
  // -------------------------------------------------------------------------------------------

  /**
   * An uploaded model: written to a private folder under its own name, imported by the library
   * (loaded once; refused with the reason), and the upload removed either way.
   */
  async importModel(req: { fileName: string; bytes: Uint8Array }): Promise<LibraryEntry> {
    const dir = await mkdtemp(join(this.host.dataDir, '.upload-'));
    const path = join(dir, basename(req.fileName));
    try {
      await writeFile(path, req.bytes);
      return await this.host.library.import(path);
    } catch (e) {
      throw new Error((e as Error).message.split(path).join(req.fileName), { cause: e });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async deleteModel(req: { id: string }): Promise<LibraryEntry[]> {
    const entry = (await this.host.library.listQuick()).find((e) => e.id === req.id);
    if (!entry) throw new Error(`no model with id ${req.id} in the library`);
    if (entry.location !== 'user' || !entry.path)
      throw new Error(`${entry.name} is not an imported model; only imported models can be deleted`);
    if (this.host.runtime().engine.model?.path === entry.path)
      throw new Error(`${entry.name} is running; switch to another model first`);
    await rm(entry.path, { force: true });
    return this.host.library.listQuick();
  }

  async leaveKiosk(req: { action: 'exitKiosk' | 'quit' }): Promise<{ done: true }> {
    if (!this.kioskHandler) throw new Error('this station has no kiosk window (it runs in a browser)');
    this.kioskHandler(req.action);
    return { done: true };
  }

  // -------------------------------------------------------------------------------------------
  // Audit: the value a change replaces
  // -------------------------------------------------------------------------------------------

  private async before(
    method: ApiMethod,
    args: readonly unknown[],
  ): Promise<{ before: unknown; target: string | null }> {
    const arg = (args[0] ?? {}) as Record<string, unknown>;
    const id = typeof arg['id'] === 'string' ? arg['id'] : null;
    const username = typeof arg['username'] === 'string' ? arg['username'] : null;
    switch (method) {
      case 'setParams':
      case 'restoreParams':
        return { before: (await this.host.snapshot()).params, target: null };
      case 'setPlc': {
        const plc = (await this.host.snapshot()).plc;
        return {
          before: { endpoint: plc.endpoint, handshake: plc.handshake, state: plc.state },
          target: null,
        };
      }
      case 'setSource':
        return { before: (await this.host.snapshot()).source.uri, target: null };
      case 'swapModel':
        return { before: this.host.modelId(), target: id };
      case 'setUiSettings':
        return { before: (await this.host.snapshot()).ui, target: null };
      case 'acknowledgeAlarm': {
        const a = (await this.host.snapshot()).alarms.find((x) => x.id === arg['id']);
        return {
          before: a ? { kind: a.kind, message: a.message, acknowledged: a.acknowledged } : null,
          target: String(arg['id']),
        };
      }
      case 'setTracking':
      case 'setZones':
      case 'setCountingLines':
      case 'resetCounters': {
        const t = await this.host.tracking();
        return {
          before: { zones: t.zones, lines: t.lines, counts: t.counts, referencePoint: t.referencePoint },
          target: null,
        };
      }
      case 'setClassLimits':
        return { before: this.state.classLimits, target: null };
      case 'setCalibration':
        return { before: this.calibrationState(), target: null };
      case 'activateRecipe':
        // Another camera's switch names the camera in the target: `camera/recipe`.
        return typeof arg['camera'] === 'string' && arg['camera'] !== MAIN_CAMERA
          ? { before: null, target: `${arg['camera']}/${id}` }
          : { before: this.state.activeRecipeId, target: id };
      case 'saveRecipe':
      case 'renameRecipe':
      case 'duplicateRecipe':
      case 'deleteRecipe':
      case 'approveRecipe':
      case 'assignRecipeSlot':
        return { before: id ? summaryOf(await this.recipes.get(id)) : null, target: id };
      case 'setUserRole':
      case 'setUserSecret':
      case 'deleteUser':
        return {
          before: (await this.users.list()).find((u) => u.username === username) ?? null,
          target: username,
        };
      case 'createUser':
        return { before: null, target: username };
      case 'deleteModel':
        return { before: id, target: id };
      case 'importModel':
        return { before: null, target: typeof arg['fileName'] === 'string' ? arg['fileName'] : null };
      default:
        return { before: null, target: id };
    }
  }
}

/**
 * Gives a class the commissioning methods of the API, each delegating to its `commissioning`
 * part (so station.ts carries one line per concern instead of one method per API row).
 */
export function installCommissioningApi(proto: { commissioning: Commissioning }): void {
  for (const m of COMMISSIONING_API)
    Object.defineProperty(proto, m, {
      value: function (this: { commissioning: Commissioning }, ...args: unknown[]) {
        return (this.commissioning[m] as (...a: unknown[]) => unknown)(...args);
      },
      writable: true,
      configurable: true,
    });
}
