/**
 * The built-in classic detector (DESIGN.md, "Built-in classic detector"): for a fixed camera under
 * fixed light, anything that differs enough from the learned empty scene is an object. No weights.
 *
 * Per frame: block-average the frame down to at most `maxProcessingWidthPx` wide → colour distance
 * to the background → threshold → open, close → 8-connected components → area filter → each
 * component becomes a Detection with its box and mask in full-frame pixels.
 *
 * The background is the per-pixel median of the first `learnFrames` frames (parts passing through
 * do not stick to it, unlike a mean), or a reference frame given explicitly. A real camera's
 * exposure and the hall's light drift, so afterwards it follows them two ways:
 *  - gain compensation: each frame, the background is scaled per channel by the median ratio of
 *    frame to background (a global change moves every pixel; objects are a minority);
 *  - running average: pixels not covered by an object (after morphology) blend `adaptRate` of the
 *    frame into the background.
 *    Covered pixels are never updated, so a part that stops on the belt is not absorbed.
 */
import type { BoxXyxy, Detection } from '../../../shared/detection';
import { maskInfoFromBinary } from '../mask-geometry';
import { ComponentLabeller, type ComponentStats } from './components';
import {
  blendBackground,
  downscaleRgb,
  estimateChannelGains,
  makeProcessingGrid,
  medianOfStack,
  Morphology,
  scaleBackground,
  thresholdDifference,
  type ProcessingGrid,
} from './image-ops';
import {
  parseClassicDetectorOptions,
  type ClassicDetectorOptions,
  type ClassicDetectorOptionsInput,
} from './options';

/** Frames larger than this on a side are refused rather than allocated. */
export const CLASSIC_MAX_FRAME_SIDE_PX = 16384;

export interface ClassicDetectorState {
  /** True until the background is known. */
  learning: boolean;
  /** Frames collected towards the background so far. */
  learnedFrames: number;
  /** Size of the frames the background belongs to, or null before the first frame. */
  frameWidthPx: number | null;
  frameHeightPx: number | null;
  /** Processing grid size and the integer block size it was averaged by. */
  processingWidthPx: number | null;
  processingHeightPx: number | null;
  downscaleFactor: number | null;
}

export class ClassicDetector {
  readonly options: ClassicDetectorOptions;

  private grid: ProcessingGrid | null = null;
  /** Float so that a running average of small steps does not round away. */
  private background: Float32Array | null = null;
  /** Downscaled learning frames back to back; dropped once the median is taken. */
  private learnStack: Uint8Array | null = null;
  private learnedFrames = 0;
  private lastFrameLearning = false;

  // Per-frame scratch, sized with the grid.
  private small = new Uint8Array(0);
  private acc = new Uint32Array(0);
  private fg = new Uint8Array(0);
  private raw = new Uint8Array(0);
  private compensated = new Uint8Array(0);
  private covered = new Uint8Array(0);
  private readonly gains = new Float64Array([1, 1, 1]);
  private readonly gainHist = new Uint32Array(3 * 512);
  private readonly morphology = new Morphology();
  private readonly labeller = new ComponentLabeller();

  constructor(options: ClassicDetectorOptionsInput = {}) {
    this.options = parseClassicDetectorOptions(options);
  }

  get state(): ClassicDetectorState {
    const g = this.grid;
    return {
      learning: this.background === null,
      learnedFrames: this.learnedFrames,
      frameWidthPx: g?.widthPx ?? null,
      frameHeightPx: g?.heightPx ?? null,
      processingWidthPx: g?.smallWidthPx ?? null,
      processingHeightPx: g?.smallHeightPx ?? null,
      downscaleFactor: g?.factor ?? null,
    };
  }

  /** Forgets the background; the next `learnFrames` frames learn it again. */
  reset(): void {
    this.grid = null;
    this.background = null;
    this.learnStack = null;
    this.learnedFrames = 0;
  }

  /** Uses this frame (the empty scene) as the background; detection starts with the next frame. */
  setReferenceFrame(rgb: Uint8Array, widthPx: number, heightPx: number): void {
    checkFrame(rgb, widthPx, heightPx);
    this.reset();
    const grid = this.ensureGrid(widthPx, heightPx);
    const background = new Uint8Array(grid.smallWidthPx * grid.smallHeightPx * 3);
    downscaleRgb(rgb, grid, background, this.acc);
    this.background = Float32Array.from(background);
  }

  /** The learned background on the processing grid (RGB24), or null while learning. */
  backgroundImage(): { rgb: Uint8Array; widthPx: number; heightPx: number } | null {
    if (!this.background || !this.grid) return null;
    return {
      rgb: Uint8Array.from(this.background, (v) => Math.round(v)),
      widthPx: this.grid.smallWidthPx,
      heightPx: this.grid.smallHeightPx,
    };
  }

  /**
   * Objects in one packed RGB24 frame, largest first; [] while the background is being learned.
   * A frame of a different size than the background restarts learning (the camera changed).
   */
  detect(rgb: Uint8Array, widthPx: number, heightPx: number): Detection[] {
    checkFrame(rgb, widthPx, heightPx);
    if (this.grid && (this.grid.widthPx !== widthPx || this.grid.heightPx !== heightPx)) this.reset();
    const grid = this.ensureGrid(widthPx, heightPx);
    const planeLength = grid.smallWidthPx * grid.smallHeightPx * 3;

    this.lastFrameLearning = !this.background;
    if (!this.background) {
      const frames = this.options.learnFrames;
      if (!this.learnStack) this.learnStack = new Uint8Array(planeLength * frames);
      downscaleRgb(
        rgb,
        grid,
        this.learnStack.subarray(this.learnedFrames * planeLength, (this.learnedFrames + 1) * planeLength),
        this.acc,
      );
      this.learnedFrames++;
      if (this.learnedFrames === frames) {
        const background = new Uint8Array(planeLength);
        medianOfStack(this.learnStack, frames, planeLength, background);
        this.background = Float32Array.from(background);
        this.learnStack = null;
      }
      return [];
    }

    const { smallWidthPx, smallHeightPx } = grid;
    const pixelCount = smallWidthPx * smallHeightPx;
    downscaleRgb(rgb, grid, this.small, this.acc);
    if (this.options.gainCompensation)
      estimateChannelGains(this.small, this.background, pixelCount, this.gains, this.gainHist);
    else this.gains.fill(1);
    scaleBackground(this.background, this.gains, pixelCount, this.compensated);
    const setCount = thresholdDifference(
      this.small,
      this.compensated,
      pixelCount,
      this.options.diffThreshold,
      this.fg,
    );
    let detections: Detection[] = [];
    if (setCount > 0) {
      this.raw.set(this.fg.subarray(0, pixelCount));
      this.morphology.openThenClose(
        this.fg,
        smallWidthPx,
        smallHeightPx,
        this.options.openKernelPx,
        this.options.closeKernelPx,
      );
      const components = this.labeller.label(this.fg, this.raw, smallWidthPx, smallHeightPx);
      detections = this.toDetections(components, grid);
    }
    if (this.options.adaptRate > 0) this.adaptBackground(pixelCount, setCount > 0);
    return detections;
  }

  /** Whether the last detect() call went into learning the background (its result is empty). */
  get lastFrameWasLearning(): boolean {
    return this.lastFrameLearning;
  }

  /** Gains of the last frame (R, G, B): frame brightness relative to the background. */
  get channelGains(): [number, number, number] {
    return [this.gains[0], this.gains[1], this.gains[2]];
  }

  private adaptBackground(pixelCount: number, anyForeground: boolean): void {
    // Only the object pixels themselves are held: holding a ring around them too would keep that
    // ring from following the drift until it turned foreground and widened the ring, so a parked
    // part's blob would creep outwards.
    if (anyForeground) this.covered.set(this.fg.subarray(0, pixelCount));
    else this.covered.fill(0);
    blendBackground(this.background!, this.small, this.covered, pixelCount, this.options.adaptRate);
  }

  private ensureGrid(widthPx: number, heightPx: number): ProcessingGrid {
    if (this.grid) return this.grid;
    const grid = makeProcessingGrid(widthPx, heightPx, this.options.maxProcessingWidthPx);
    const n = grid.smallWidthPx * grid.smallHeightPx;
    this.small = new Uint8Array(n * 3);
    this.acc = new Uint32Array(grid.smallWidthPx * 3);
    this.fg = new Uint8Array(n);
    this.raw = new Uint8Array(n);
    this.compensated = new Uint8Array(n * 3);
    this.covered = new Uint8Array(n);
    this.grid = grid;
    return grid;
  }

  private toDetections(components: ComponentStats[], grid: ProcessingGrid): Detection[] {
    const { minAreaPx, maxAreaPx, maxDetections, classId, className, includeRle } = this.options;
    const blockAreaPx = grid.factor * grid.factor;
    // Cheap bounds first (a component's full-frame area lies between these), exact area after.
    const candidates = components
      .filter((c) => c.pixelCount * blockAreaPx >= minAreaPx)
      .sort((a, b) => b.pixelCount - a.pixelCount || a.label - b.label);
    const detections: Detection[] = [];
    for (const c of candidates) {
      if (detections.length >= maxDetections) break;
      const { mask, box } = this.fullResolutionMask(c, grid);
      const widthPx = box[2] - box[0];
      const heightPx = box[3] - box[1];
      const info = maskInfoFromBinary(mask, widthPx, heightPx, [box[0], box[1]], { includeRle });
      if (!info || info.areaPx < minAreaPx || info.areaPx > maxAreaPx) continue;
      detections.push({
        classId,
        className,
        // How much of the blob is real difference rather than gap filled in by closing.
        score: c.rawForegroundCount / c.pixelCount,
        box,
        mask: info,
      });
    }
    return detections;
  }

  /** The component's mask cropped to its box, each processing pixel expanded back to its block. */
  private fullResolutionMask(c: ComponentStats, grid: ProcessingGrid): { mask: Uint8Array; box: BoxXyxy } {
    const { factor, widthPx, heightPx, smallWidthPx, colWidthPx, rowHeightPx } = grid;
    const x1 = c.minX * factor;
    const y1 = c.minY * factor;
    const x2 = Math.min(widthPx, (c.maxX + 1) * factor);
    const y2 = Math.min(heightPx, (c.maxY + 1) * factor);
    const cropWidthPx = x2 - x1;
    const mask = new Uint8Array(cropWidthPx * (y2 - y1));
    const labels = this.labeller.labelImage;
    let rowStart = 0;
    for (let r = c.minY; r <= c.maxY; r++) {
      const labelRow = r * smallWidthPx;
      for (let col = c.minX; col <= c.maxX; col++) {
        if (labels[labelRow + col] !== c.label) continue;
        const from = rowStart + (col - c.minX) * factor;
        mask.fill(1, from, from + colWidthPx[col]);
      }
      // The block's other rows are copies of its first.
      const rowHeight = rowHeightPx[r];
      for (let k = 1; k < rowHeight; k++)
        mask.copyWithin(rowStart + k * cropWidthPx, rowStart, rowStart + cropWidthPx);
      rowStart += rowHeight * cropWidthPx;
    }
    return { mask, box: [x1, y1, x2, y2] };
  }
}

function checkFrame(rgb: Uint8Array, widthPx: number, heightPx: number): void {
  if (
    !Number.isInteger(widthPx) ||
    !Number.isInteger(heightPx) ||
    widthPx < 1 ||
    heightPx < 1 ||
    widthPx > CLASSIC_MAX_FRAME_SIDE_PX ||
    heightPx > CLASSIC_MAX_FRAME_SIDE_PX
  ) {
    throw new RangeError(
      `classic detector: frame size must be integers in [1, ${CLASSIC_MAX_FRAME_SIDE_PX}], got ${widthPx}x${heightPx}`,
    );
  }
  if (rgb.length < widthPx * heightPx * 3) {
    throw new RangeError(
      `classic detector: frame has ${rgb.length} bytes, RGB24 ${widthPx}x${heightPx} needs ${widthPx * heightPx * 3}`,
    );
  }
}
