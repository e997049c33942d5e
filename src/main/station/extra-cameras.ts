/**
 * The station's cameras beside its main one (settings `cameras`): validated as a cameras file,
 * run by the multi-camera runtime (inference shared fairly), stopped and replaced as a whole. Keeps
 * per camera its state and one small preview JPEG (newest only, at most THUMB_MAX_FPS a second),
 * so the camera grid costs a bounded share of the CPU and memory.
 */
import { basename, isAbsolute, resolve } from 'node:path';
import sharp from 'sharp';
import { z } from 'zod';
import { MAX_PREVIEW_OBJECTS, type CameraInfo, type CameraPreview, type CameraState } from '../../shared/api';
import type { ExecutionProvider } from '../../shared/detection';
import type { FrameResult } from '../../shared/frame';
import { describeIssue } from '../../shared/schema';
import { checkCameras, trackingStageFor } from '../app/camera-checks';
import {
  createMultiCameraRuntime,
  type CameraRun,
  type CameraSettings,
  type MultiCameraRuntime,
} from '../app/multi-camera';
import type { VisionRuntime } from '../app/runtime';
import type { Frame } from '../capture/types';
import {
  CamerasFileError,
  MAX_CAMERAS,
  parseCamerasFile,
  stationCameraSchema,
  type CameraConfig,
} from '../core/cameras-file';
import { classLimitsFromFlags } from '../core/class-limits';
import type { Recipe } from '../core/recipe';
import { applyRecipe, effectiveLimits, recipeRequestHandler, type RecipeTarget } from '../app/recipe-switch';

/** The main camera's name in listCameras; no additional camera may take it. */
export const MAIN_CAMERA = 'main';
const THUMB_MAX_SIDE_PX = 320;
const THUMB_MAX_FPS = 2;

export type StationCameraEntry = z.output<typeof stationCameraSchema>;
const entriesSchema = z
  .array(stationCameraSchema)
  .max(MAX_CAMERAS - 1, `at most ${MAX_CAMERAS - 1} cameras beside the main one`);

const maskUri = (uri: string): string => uri.replace(/\/\/([^/@]*)@/, '//***@');

/** Newest-only JPEG thumbnails of one camera's processed frames. */
export class Thumbnailer {
  private busy = false;
  private lastStartMs = -Infinity;
  latest: CameraPreview | null = null;

  constructor(
    private readonly name: string,
    private readonly now: () => number,
    private readonly onError: (e: Error) => void,
  ) {}

  /** The picture being shrunk (reused; one at a time). */
  private pixels: Buffer | null = null;

  /** The picture of `frame` and the objects of `result` (the same frame), unless one is being made. */
  offer(result: FrameResult, frame: Frame): void {
    const t = this.now();
    if (this.busy || t - this.lastStartMs < 1000 / THUMB_MAX_FPS) return;
    this.busy = true;
    this.lastStartMs = t;
    // Copied, not retained: a held ring buffer would stall an fps=max decoder (see PreviewEncoder).
    if (this.pixels?.length !== frame.rgb.byteLength) this.pixels = Buffer.allocUnsafe(frame.rgb.byteLength);
    this.pixels.set(frame.rgb);
    // A model-sized frame is the camera picture letterboxed into the model input: the tile shows
    // the picture without the padding, so that boxes in camera pixels fall where they belong.
    const lb = frame.letterbox;
    const region =
      lb && lb.scaleY === undefined
        ? { left: lb.padLeftPx, top: lb.padTopPx, width: lb.resizedWidthPx, height: lb.resizedHeightPx }
        : null;
    // Objects are in camera pixels: the tile scales the picture to the camera's size.
    const { frameId, widthPx, heightPx } = result;
    // Copied now: the result's detections are the same objects later stages may annotate.
    const objects = result.detections.slice(0, MAX_PREVIEW_OBJECTS).map((d) => ({
      classId: d.classId,
      className: d.className,
      score: d.score,
      box: [d.box[0], d.box[1], d.box[2], d.box[3]] as [number, number, number, number],
      ...(d.trackId !== undefined && d.trackId >= 1 ? { trackId: d.trackId } : {}),
    }));
    let img = sharp(this.pixels, { raw: { width: frame.widthPx, height: frame.heightPx, channels: 3 } });
    if (region) img = img.extract(region);
    void img
      .resize(THUMB_MAX_SIDE_PX, THUMB_MAX_SIDE_PX, { fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 70 })
      .toBuffer()
      .then(
        (jpeg) => {
          this.latest = {
            name: this.name,
            frameId,
            atMs: Date.now(),
            jpegDataUrl: `data:image/jpeg;base64,${jpeg.toString('base64')}`,
            widthPx,
            heightPx,
            objects,
          };
        },
        (e: unknown) => this.onError(e as Error),
      )
      .finally(() => {
        this.busy = false;
      });
  }
}

/** The station's recipes, as the additional cameras use them. */
export interface CameraRecipeSource {
  /** The recipe with this id, or null. */
  byId(id: string): Promise<Recipe | null>;
  /** The recipe the PLC means by `recipeRequest = slot`, or null. */
  bySlot(slot: number): Promise<Recipe | null>;
  /** A recipe's model (library id, `classic` or a path) → what a camera loads. */
  resolveModel(model: string): Promise<string>;
}

export interface ExtraCamerasOptions {
  workerPath: string;
  log: (line: string) => void;
  now: () => number;
  /** Without it, no camera may name a recipe and their PLCs' recipe requests are only logged. */
  recipes?: CameraRecipeSource | null;
  /** A camera now runs this recipe (from the UI or its PLC). */
  onRecipeSwitched?: (camera: string, recipeId: string) => void;
}

/** `cameras[i] ("name").recipe: ...`: a camera entry naming a recipe the station does not have. */
export function missingRecipeMessage(index: number, camera: string, id: string): string {
  return `cameras[${index}] ("${camera}").recipe: no recipe with id "${id}" in the station's recipes; create it in the Setup tab (Recipes) or remove "recipe" from this camera`;
}

/**
 * What applyRecipe needs of one additional camera: its runtime's model, thresholds, class limits
 * and PLC. A recipe's model is a library id, resolved here; the one running is not loaded again.
 */
export function cameraRecipeTarget(
  cam: Pick<CameraRun, 'runtime'>,
  resolveModel: (model: string) => Promise<string>,
): RecipeTarget {
  const rt = cam.runtime;
  return {
    engine: rt.engine,
    loadModel: async (model) => {
      const path = model === 'classic' ? model : await resolveModel(model);
      const running = rt.engine.model;
      if (running && path !== 'classic' && running.path === path) return running;
      return rt.loadModel(path);
    },
    setParams: (p) => rt.setParams(p),
    setClassLimits: (l) => rt.setClassLimits(l),
    get outputs() {
      return rt.outputs;
    },
  };
}

interface CameraLive {
  state: CameraState;
  reason: string | null;
  thumbs: Thumbnailer;
}

export interface ValidateContext {
  /** Confidence and IoU of a camera that names none (the main camera's). */
  confThreshold: number;
  iouThreshold: number;
  /** Library id or path → model file. */
  resolveModel: (model: string) => string;
  /** The main camera's PLC link, which no additional camera may overlap. */
  mainPlcUri: string | null;
  /** Throws when the station may not open this source. */
  checkSource: (uri: string) => Promise<void>;
  /** Whether the station has a recipe with this id (absent: no camera may name one). */
  recipeExists?: (id: string) => Promise<boolean>;
}

/**
 * The settings' entries and what to run, or CamerasFileError with one line naming the camera and
 * the field. Nothing is started or stopped here.
 */
export async function validateCameras(
  input: unknown,
  ctx: ValidateContext,
): Promise<{ entries: StationCameraEntry[]; configs: CameraConfig[] }> {
  if (!Array.isArray(input)) throw new CamerasFileError('cameras: must be a list of cameras');
  if (input.length === 0) return { entries: [], configs: [] };
  // Every camera without a model runs the classic detector (no model file needed).
  const configs = parseCamerasFile(
    { model: 'classic', cameras: input },
    {
      confThreshold: ctx.confThreshold,
      iouThreshold: ctx.iouThreshold,
      resolveModel: ctx.resolveModel,
    },
  );
  const r = entriesSchema.safeParse(input);
  if (!r.success)
    throw new CamerasFileError(
      describeIssue(r.error, (p) => (p.length ? `cameras.${p.map(String).join('.')}` : 'cameras')),
    );
  for (const [i, c] of configs.entries())
    if (c.name === MAIN_CAMERA)
      throw new CamerasFileError(
        `cameras[${i}] ("main").name: "main" is the station's own camera; choose another name`,
      );
  await checkCameras(configs, {
    otherPlc: ctx.mainPlcUri ? { uri: ctx.mainPlcUri, where: 'the main camera' } : null,
    simRefusal:
      "'sim' is the main camera's PLC simulator (one S7 server per process); give this camera an s7:// URI with its own db",
  });
  for (const [i, c] of configs.entries())
    if (c.recipe !== null && !(await ctx.recipeExists?.(c.recipe)))
      throw new CamerasFileError(missingRecipeMessage(i, c.name, c.recipe));
  for (const [i, c] of configs.entries()) {
    try {
      await ctx.checkSource(c.source);
    } catch (e) {
      throw new CamerasFileError(`cameras[${i}] ("${c.name}").source: ${(e as Error).message}`);
    }
  }
  return { entries: r.data, configs };
}

/** Library id when it is one, else a path relative to `baseDir`. */
export function modelResolver(libraryPaths: ReadonlyMap<string, string>, baseDir: string) {
  return (model: string): string =>
    libraryPaths.get(model) ?? (isAbsolute(model) ? model : resolve(baseDir, model));
}

/** The recipe a camera runs and the model file it brought (what listCameras shows). */
interface ActiveRecipe {
  recipe: Recipe;
  model: string;
}

export class ExtraCameras {
  private mc: MultiCameraRuntime | null = null;
  private configs: CameraConfig[] = [];
  private provider: ExecutionProvider = 'cpu';
  private readonly live = new Map<string, CameraLive>();
  private readonly active = new Map<string, ActiveRecipe>();
  /** Per camera, its PLC's recipe requests: one at a time, the newest waiting one wins. */
  private readonly plcRequests = new Map<string, { onRequest(slot: number): void; idle(): Promise<void> }>();
  /** Changes run one after the other: a second setCameras waits for the first. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: ExtraCamerasOptions) {}

  /** Stops the running cameras and starts these (none: only stops). */
  replace(configs: CameraConfig[], provider: ExecutionProvider): Promise<void> {
    const run = this.chain.then(() => this.doReplace(configs, provider));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async doReplace(configs: CameraConfig[], provider: ExecutionProvider): Promise<void> {
    await this.stopAll();
    this.configs = configs;
    this.provider = provider;
    if (configs.length === 0) return;
    for (const c of configs)
      this.live.set(c.name, {
        state: 'starting',
        reason: 'starting',
        thumbs: new Thumbnailer(c.name, this.opts.now, (e) =>
          this.opts.log(`camera '${c.name}': preview failed: ${e.message}`),
        ),
      });
    try {
      const cameras: CameraSettings[] = [];
      for (const [i, c] of configs.entries()) cameras.push(await this.settingsFor(c, i));
      this.mc = await createMultiCameraRuntime({
        cameras,
        provider,
        workerPath: this.opts.workerPath,
        log: this.opts.log,
      });
      for (const cam of this.mc.cameras) {
        const slot = this.active.get(cam.name)?.recipe.plc.slot ?? null;
        if (slot !== null) cam.outputs.plc?.setRecipeActive(slot);
        const live = this.live.get(cam.name)!;
        cam.runtime.on('sourceState', (s) => {
          live.state = s.state;
          live.reason = s.state === 'live' ? null : s.reason;
        });
        cam.runtime.on('result', (r, frame) => live.thumbs.offer(r, frame));
      }
      await this.mc.start();
    } catch (e) {
      for (const l of this.live.values()) {
        l.state = 'error';
        l.reason = (e as Error).message;
      }
      await this.mc?.close();
      this.mc = null;
      throw e;
    }
  }

  /** What the multi-camera runtime runs for one entry: its recipe's model and thresholds over the entry's. */
  private async settingsFor(c: CameraConfig, index: number): Promise<CameraSettings> {
    const base: CameraSettings = {
      name: c.name,
      source: c.source,
      model: c.model,
      params: {
        confThreshold: c.confThreshold,
        iouThreshold: c.iouThreshold,
        maxDet: 300,
        classFilter: null,
      },
      classLimits: c.classes || c.classConf.length > 0 ? classLimitsFromFlags(c.classes, c.classConf) : null,
      postprocess: trackingStageFor(c),
      plc: c.plc,
      serial: c.serial,
      onRecipeRequest: (slot) => this.onPlcRecipeRequest(c.name, slot),
    };
    if (c.recipe === null) return base;
    const recipes = this.opts.recipes;
    const recipe = recipes ? await recipes.byId(c.recipe) : null;
    if (!recipes || !recipe) throw new CamerasFileError(missingRecipeMessage(index, c.name, c.recipe));
    const model = recipe.modelId === null ? c.model : await recipes.resolveModel(recipe.modelId);
    this.active.set(c.name, { recipe, model });
    return {
      ...base,
      model,
      params: {
        ...base.params,
        confThreshold: recipe.params.confThreshold,
        iouThreshold: recipe.params.iouThreshold,
        maxDet: recipe.params.maxDet,
      },
      classLimits: effectiveLimits(recipe.classLimits),
    };
  }

  private onPlcRecipeRequest(name: string, slot: number): void {
    const recipes = this.opts.recipes;
    const log = (line: string): void => this.opts.log(`camera '${name}': ${line}`);
    if (!recipes) return log(`the PLC asked for recipe slot ${slot}, but this station keeps no recipes`);
    let handler = this.plcRequests.get(name);
    if (!handler) {
      handler = recipeRequestHandler(
        async (recipe) => {
          // A new PLC link reads the request it already made: confirm it, switch nothing.
          if (this.active.get(name)?.recipe.id === recipe.id && recipe.plc.slot !== null)
            return this.mc?.cameras
              .find((c) => c.name === name)
              ?.outputs.plc?.setRecipeActive(recipe.plc.slot);
          await this.switchRecipe(name, recipe);
        },
        recipes,
        { log },
      );
      this.plcRequests.set(name, handler);
    }
    handler.onRequest(slot);
  }

  /** Resolves once no PLC recipe request of any camera is being handled or waiting. */
  async recipesIdle(): Promise<void> {
    await Promise.all([...this.plcRequests.values()].map((h) => h.idle()));
  }

  /** Names of the cameras this holds (running or not). */
  names(): string[] {
    return this.configs.map((c) => c.name);
  }

  /**
   * Switches one camera to a recipe: its model (hot swap; a failure keeps the running one and
   * changes nothing else), thresholds, class limits, and recipeActive in its PLC DB. A camera
   * sharing its model's worker with others cannot swap that worker under them: the cameras are
   * restarted with this camera on the recipe's model (and restarted as they were if that fails).
   * Zones, lines and calibration stay the camera entry's.
   */
  switchRecipe(name: string, recipe: Recipe): Promise<void> {
    const run = this.chain.then(() => this.doSwitch(name, recipe));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async doSwitch(name: string, recipe: Recipe): Promise<void> {
    const recipes = this.opts.recipes;
    const cam = this.mc?.cameras.find((c) => c.name === name);
    const index = this.configs.findIndex((c) => c.name === name);
    if (!recipes || !cam || index < 0) throw new Error(`camera '${name}' is not running`);
    const model = recipe.modelId === null ? null : await recipes.resolveModel(recipe.modelId);
    const sharesWorker = this.mc!.cameras.some((o) => o !== cam && o.runtime.engine === cam.runtime.engine);
    const running = cam.runtime.engine.model;
    const sameModel =
      model === null || (model === 'classic' ? running?.family === 'classic' : running?.path === model);
    if (sharesWorker && !sameModel) {
      const before = this.configs;
      const next = before.map((c) => (c.name === name ? { ...c, recipe: recipe.id } : c));
      try {
        await this.doReplace(next, this.provider);
      } catch (e) {
        this.opts.log(
          `camera '${name}': recipe '${recipe.name}' did not start (${(e as Error).message}); restarting the cameras as they were`,
        );
        await this.doReplace(before, this.provider).catch((again: unknown) =>
          this.opts.log(`additional cameras could not be restarted: ${(again as Error).message}`),
        );
        throw e;
      }
      this.opts.log(
        `camera '${name}': now running recipe '${recipe.name}' (cameras restarted: its model's worker was shared)`,
      );
      this.opts.onRecipeSwitched?.(name, recipe.id);
      return;
    }
    await applyRecipe(cameraRecipeTarget(cam, recipes.resolveModel), recipe);
    this.configs[index] = { ...this.configs[index]!, recipe: recipe.id };
    this.active.set(name, {
      recipe,
      model: model ?? this.active.get(name)?.model ?? this.configs[index]!.model,
    });
    this.opts.log(`camera '${name}': now running recipe '${recipe.name}'`);
    this.opts.onRecipeSwitched?.(name, recipe.id);
  }

  private async stopAll(): Promise<void> {
    const mc = this.mc;
    this.mc = null;
    this.live.clear();
    this.active.clear();
    this.configs = [];
    await mc?.close();
  }

  list(): CameraInfo[] {
    return this.configs.map((c) => {
      const live = this.live.get(c.name);
      const cam = this.mc?.cameras.find((x) => x.name === c.name);
      const s = cam?.pipeline.stats();
      const p50 = s?.latencyMs.p50 ?? NaN;
      const link = cam?.outputs.plc?.status() ?? null;
      const active = this.active.get(c.name);
      const model = active?.model ?? c.model;
      return {
        name: c.name,
        source: maskUri(c.source),
        model: model === 'classic' ? 'classic' : basename(model),
        state: live?.state ?? 'stopped',
        reason: live ? live.reason : 'stopped',
        frames: s?.frames ?? 0,
        fps: Number((s?.fps ?? 0).toFixed(2)),
        latencyP50Ms: Number.isFinite(p50) ? Number(p50.toFixed(2)) : null,
        dropped: (s?.dropped ?? 0) + (cam?.share().dropped ?? 0),
        plc: link ? { state: link.state, endpoint: link.endpoint, lastError: link.lastError } : null,
        recipe: active?.recipe.name ?? null,
      };
    });
  }

  /** The runtime of a running camera (tests, plant integration). */
  runtime(name: string): VisionRuntime | null {
    return this.mc?.cameras.find((c) => c.name === name)?.runtime ?? null;
  }

  preview(name: string): CameraPreview | null {
    return this.live.get(name)?.thumbs.latest ?? null;
  }

  async close(): Promise<void> {
    await this.recipesIdle();
    await this.chain;
    await this.stopAll();
  }
}
