/**
 * The `images:` source: a folder of pictures played as a slideshow, decoded with sharp (already
 * a dependency, N-API, no process per picture). Every picture is delivered at one size: the
 * requested output size, else the first picture's size; others are fitted inside it with black
 * borders so their geometry is not distorted.
 */
import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import sharp from 'sharp';
import { FramePacer, resolveOutputSize, selfPacedOptions, SourceBase } from './source-base';
import { describeSource, type SourceSpec } from './source-uri';
import type { RingWriteSlot } from './frame-ring';
import type { SizePx, SourceOptions } from './types';

export type ImagesSpec = Extract<SourceSpec, { kind: 'images' }>;

export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set([
  '.jpg',
  '.jpeg',
  '.png',
  '.webp',
  '.tif',
  '.tiff',
  '.avif',
  '.gif',
]);
/** A folder of more pictures than this is almost certainly the wrong folder. */
const MAX_IMAGES = 100_000;
const DECODE_TIMEOUT_S = 10;
const LIST_TIMEOUT_MS = 10_000;

export class ImagesSource extends SourceBase {
  private files: string[] = [];
  private size: SizePx | undefined;
  private readonly pacer: FramePacer;
  private timer: NodeJS.Timeout | undefined;
  private index = 0;
  private failuresInARow = 0;
  private lastFailure = '';
  private inFlight: Promise<void> | undefined;

  constructor(
    readonly spec: ImagesSpec,
    options: SourceOptions = {},
  ) {
    super(describeSource(spec), selfPacedOptions(options, spec.fps));
    this.pacer = new FramePacer(spec.fps);
  }

  /** Pictures found, in playback order (natural sort, so img2 comes before img10). */
  get imageFiles(): readonly string[] {
    return this.files;
  }

  protected async launch(): Promise<void> {
    try {
      this.files = await listImages(this.spec.dir);
    } catch (e) {
      this.setState('error', (e as Error).message);
      return;
    }
    if (this.files.length === 0) {
      this.setState('error', `no pictures (${[...IMAGE_EXTENSIONS].join(' ')}) in folder ${this.spec.dir}`);
      return;
    }
    if (this.stopping) return;
    this.pacer.begin(Date.now());
    this.schedule(0);
  }

  protected async shutdown(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    // A decode in progress writes into a ring buffer; let it finish so nothing writes after stop().
    await this.inFlight;
  }

  protected onStallTimeout(): void {
    // Each decode has its own timeout (sharp), so there is no hung process to restart.
  }

  private schedule(delayMs: number): void {
    if (this.stopping || this.isFinished) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.inFlight = this.tick().finally(() => (this.inFlight = undefined));
    }, delayMs);
  }

  private async tick(): Promise<void> {
    if (this.index >= this.files.length) {
      if (!this.spec.loop) {
        this.setState('stopped', 'end of stream');
        return;
      }
      this.index = 0;
    }
    const file = this.files[this.index++];
    let slot: RingWriteSlot | undefined;
    try {
      const image = await this.decode(file);
      if (this.stopping || this.isFinished) return;
      slot = this.acquireBuffer();
      if (slot) {
        slot.rgb.set(image);
        const s = this.size as SizePx;
        const filled = slot;
        slot = undefined;
        this.publish(filled, s.widthPx, s.heightPx);
      } else {
        this.markProgress();
      }
      this.failuresInARow = 0;
    } catch (e) {
      if (slot) this.ring.abandon(slot);
      this.lastFailure = `cannot decode ${file}: ${(e as Error).message}`;
      this.failuresInARow++;
      // One bad picture is skipped; a folder where none decodes is an error someone must fix.
      if (this.failuresInARow >= this.files.length) {
        this.setState('error', this.lastFailure);
        return;
      }
    }
    this.schedule(this.pacer.nextDelayMs(Date.now()));
  }

  private async decode(file: string): Promise<Buffer> {
    if (!this.size) {
      const meta = await sharp(file).timeout({ seconds: DECODE_TIMEOUT_S }).metadata();
      if (!meta.width || !meta.height) throw new Error('picture has no size');
      // EXIF orientations 5..8 swap the sides once rotated upright.
      const swap = (meta.orientation ?? 1) >= 5;
      const native = swap
        ? { widthPx: meta.height, heightPx: meta.width }
        : { widthPx: meta.width, heightPx: meta.height };
      this.size = resolveOutputSize(native, this.options.outputSize);
      this.ring.configure(this.size.widthPx * this.size.heightPx * 3);
    }
    const { widthPx, heightPx } = this.size;
    const { data, info } = await sharp(file)
      .timeout({ seconds: DECODE_TIMEOUT_S })
      .rotate()
      .resize(widthPx, heightPx, { fit: 'contain', background: { r: 0, g: 0, b: 0 } })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.width !== widthPx || info.height !== heightPx || info.channels !== 3) {
      throw new Error(
        `decoded to ${info.width}x${info.height}x${info.channels}, expected ${widthPx}x${heightPx}x3`,
      );
    }
    return data;
  }
}

async function listImages(dir: string): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(`folder ${dir} did not answer within ${LIST_TIMEOUT_MS} ms (unreachable network share?)`),
        ),
      LIST_TIMEOUT_MS,
    );
  });
  try {
    const entries = await Promise.race([readdir(dir, { withFileTypes: true }), timeout]);
    const names = entries
      .filter((e) => e.isFile() && IMAGE_EXTENSIONS.has(extname(e.name).toLowerCase()))
      .map((e) => e.name)
      .sort(new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' }).compare);
    if (names.length > MAX_IMAGES)
      throw new Error(
        `folder ${dir} holds ${names.length} pictures, more than the ${MAX_IMAGES} a slideshow accepts`,
      );
    return names.map((n) => join(dir, n));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`folder not found: ${dir}`, { cause: e });
    if (code === 'ENOTDIR') throw new Error(`not a folder: ${dir}`, { cause: e });
    if (code === 'EACCES') throw new Error(`no permission to read folder ${dir}`, { cause: e });
    throw e;
  } finally {
    clearTimeout(timer);
  }
}
