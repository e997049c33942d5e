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
import { createMultiCameraRuntime, type MultiCameraRuntime } from '../app/multi-camera';
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

export interface ExtraCamerasOptions {
  workerPath: string;
  log: (line: string) => void;
  now: () => number;
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

export class ExtraCameras {
  private mc: MultiCameraRuntime | null = null;
  private configs: CameraConfig[] = [];
  private readonly live = new Map<string, CameraLive>();
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
      this.mc = await createMultiCameraRuntime({
        cameras: configs.map((c) => ({
          name: c.name,
          source: c.source,
          model: c.model,
          params: {
            confThreshold: c.confThreshold,
            iouThreshold: c.iouThreshold,
            maxDet: 300,
            classFilter: null,
          },
          classLimits:
            c.classes || c.classConf.length > 0 ? classLimitsFromFlags(c.classes, c.classConf) : null,
          postprocess: trackingStageFor(c),
          plc: c.plc,
          serial: c.serial,
        })),
        provider,
        workerPath: this.opts.workerPath,
        log: this.opts.log,
      });
      for (const cam of this.mc.cameras) {
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

  private async stopAll(): Promise<void> {
    const mc = this.mc;
    this.mc = null;
    this.live.clear();
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
      return {
        name: c.name,
        source: maskUri(c.source),
        model: c.model === 'classic' ? 'classic' : basename(c.model),
        state: live?.state ?? 'stopped',
        reason: live ? live.reason : 'stopped',
        frames: s?.frames ?? 0,
        fps: Number((s?.fps ?? 0).toFixed(2)),
        latencyP50Ms: Number.isFinite(p50) ? Number(p50.toFixed(2)) : null,
        dropped: (s?.dropped ?? 0) + (cam?.share().dropped ?? 0),
        plc: link ? { state: link.state, endpoint: link.endpoint, lastError: link.lastError } : null,
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
    await this.chain;
    await this.stopAll();
  }
}
