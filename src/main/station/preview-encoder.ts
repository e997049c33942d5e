/**
 * Turns processed frames into what the UI draws: a JPEG of the picture plus the frame's results.
 * Newest only: while one preview is being encoded, later frames are skipped, never queued, and at
 * most `maxFps` previews a second are made (default 10), so a viewer costs the pipeline a bounded
 * share of the CPU. Previews are made only while someone watches. The picture is the frame's
 * preview-sized one when the decoder made it (nothing is resized here), else the frame itself; it
 * is encoded by libvips on libuv's thread pool, never on the main thread.
 *
 * The picture is copied (one reused buffer, ~1 ms for 1280×720) rather than the ring buffer being
 * retained: a file read at fps=max decodes a frame only when a ring buffer is free, so a buffer
 * held by the encoder would either stall the decoder or (with a larger ring) let it decode frames
 * that only replace the waiting one, decoding several frames per frame processed.
 */
import { EventEmitter } from 'node:events';
import sharp from 'sharp';
import type { FrameMessage, PlacementMm } from '../../shared/api';
import type { FrameResult } from '../../shared/frame';
import type { FramePicture } from '../capture/types';
import type { Homography3x3 } from '../core/calibration';
import { semanticAreasMm2 } from '../core/semantic-area';
import { DEFAULT_PREVIEW_MAX_FPS } from '../../shared/schema';

export interface PreviewEncoderOptions {
  /** Longest side of the JPEG. */
  maxSidePx?: number;
  quality?: number;
  /**
   * Upper bound on previews per second (default 10: an operator reads a verdict, not a video;
   * each JPEG costs a share of the cores that inference needs). 0: no cap.
   */
  maxFps?: number;
  now?: () => number;
}

export class PreviewEncoder extends EventEmitter<{ frame: [FrameMessage]; error: [Error] }> {
  private busy = false;
  /**
   * The rate cap's grid: when the next preview is due. Pictures that come at about the cap's rate
   * (a decoder making one every n-th frame) are taken up to a quarter interval early instead of
   * being skipped every other time for arriving a little before the grid, and the cap still holds
   * on average.
   */
  private dueMs = -Infinity;
  /** Previews are encoded only while this is above 0. */
  subscribers = 0;
  /** Frames not encoded because one was in progress or the rate cap said wait. */
  skipped = 0;
  private readonly maxSidePx: number;
  private readonly quality: number;
  private minIntervalMs: number;
  private readonly now: () => number;
  /** The picture being encoded (reused; one encode at a time). */
  private pixels: Buffer | null = null;

  constructor(opts: PreviewEncoderOptions = {}) {
    super();
    this.maxSidePx = opts.maxSidePx ?? 1280;
    this.quality = opts.quality ?? 70;
    const maxFps = opts.maxFps ?? DEFAULT_PREVIEW_MAX_FPS;
    this.minIntervalMs = maxFps > 0 ? 1000 / maxFps : 0;
    this.now = opts.now ?? (() => performance.now());
  }

  /** Another cap (the live view yields to inference: LiveViewGovernor); 0: none. */
  setMaxFps(maxFps: number): void {
    const interval = maxFps > 0 ? 1000 / maxFps : 0;
    if (interval === this.minIntervalMs) return;
    // The next preview is due an interval of the new rate after the last one.
    if (Number.isFinite(this.dueMs)) this.dueMs += interval - this.minIntervalMs;
    this.minIntervalMs = interval;
  }

  /** Whether a picture offered now would be encoded (someone watches, not busy, not rate-capped). */
  wants(): boolean {
    return this.subscribers > 0 && !this.busy && this.onTime(this.now());
  }

  /**
   * Called synchronously with the picture of `r`'s frame (valid during the call); returns whether
   * a preview was started.
   */
  offer(
    r: FrameResult,
    pic: FramePicture,
    placementsMm: PlacementMm[] | null,
    /** Pixel → mm calibration, for the semantic class areas in mm². */
    homography: Homography3x3 | null = null,
  ): boolean {
    if (this.subscribers === 0) return false;
    const t = this.now();
    if (this.busy || !this.onTime(t)) {
      this.skipped++;
      return false;
    }
    this.busy = true;
    // On the grid (a little early or late): the next one is due an interval after this slot; far
    // behind it (the first, or after a pause): the grid starts again now.
    const onGrid = t <= this.dueMs + this.minIntervalMs / 2;
    this.dueMs = (onGrid ? this.dueMs : t) + this.minIntervalMs;
    if (this.pixels?.length !== pic.rgb.byteLength) this.pixels = Buffer.allocUnsafe(pic.rgb.byteLength);
    this.pixels.set(pic.rgb);
    const copy = { widthPx: pic.widthPx, heightPx: pic.heightPx, rgb: this.pixels };
    const done = (): void => {
      this.busy = false;
    };
    void this.encode(r, copy, placementsMm, homography).then(
      (msg) => {
        done();
        this.emit('frame', msg);
      },
      (e: unknown) => {
        done();
        this.emit('error', e as Error);
      },
    );
    return true;
  }

  private onTime(t: number): boolean {
    return t >= this.dueMs - this.minIntervalMs / 4;
  }

  private async encode(
    r: FrameResult,
    pic: FramePicture,
    placementsMm: PlacementMm[] | null,
    homography: Homography3x3 | null,
  ): Promise<FrameMessage> {
    let img = sharp(pic.rgb, { raw: { width: pic.widthPx, height: pic.heightPx, channels: 3 } });
    if (Math.max(pic.widthPx, pic.heightPx) > this.maxSidePx)
      img = img.resize(this.maxSidePx, this.maxSidePx, { fit: 'inside' });
    const jpeg = await img.jpeg({ quality: this.quality, mozjpeg: false }).toBuffer();
    return {
      frameId: r.frameId,
      captureTimeMs: r.captureTimeMs,
      // Detections are in camera pixels whatever size the decoder delivered the frame at.
      widthPx: r.widthPx,
      heightPx: r.heightPx,
      previewJpeg: new Uint8Array(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength),
      detections: r.detections,
      modelName: r.modelName,
      provider: r.provider,
      timings: r.timings,
      placementsMm,
      ...(r.segmentation ? { segmentation: r.segmentation } : {}),
      ...(r.segmentation && homography
        ? { semanticAreasMm2: semanticAreasMm2(r.segmentation, homography) }
        : {}),
      ...(r.crossings ? { crossings: r.crossings } : {}),
      ...(r.counts ? { counts: r.counts } : {}),
    };
  }
}
