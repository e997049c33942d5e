/**
 * The `synthetic:` source: the pure conveyor scene from core/synthetic-scene, rendered straight
 * into ring buffers on a timer. No files, no processes: the demo default and a deterministic
 * input for tests (frame id N shows scene frame N - 1).
 */
import { renderSyntheticFrame, type SyntheticPart } from '../core/synthetic-scene';
import { FramePacer, resolveOutputSize, selfPacedOptions, SourceBase } from './source-base';
import { describeSource, type SourceSpec } from './source-uri';
import type { SizePx, SourceOptions } from './types';

export type SyntheticSpec = Extract<SourceSpec, { kind: 'synthetic' }>;

/** Ground truth kept for this many recent frames, enough to cover frames still in the pipeline. */
const GROUND_TRUTH_FRAMES = 64;

export class SyntheticSource extends SourceBase {
  readonly size: SizePx;
  private readonly pacer: FramePacer;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private frameIndex = 0;
  private readonly groundTruthByFrameId = new Map<number, SyntheticPart[]>();

  constructor(
    readonly spec: SyntheticSpec,
    options: SourceOptions = {},
  ) {
    super(describeSource(spec), selfPacedOptions(options, spec.fps));
    this.size = resolveOutputSize(spec.size, options.outputSize);
    this.pacer = new FramePacer(spec.fps);
  }

  /** Parts visible in a recent frame (by frame id), for scoring detections against the truth. */
  groundTruth(frameId: number): SyntheticPart[] | undefined {
    return this.groundTruthByFrameId.get(frameId);
  }

  protected async launch(): Promise<void> {
    try {
      this.ring.configure(this.size.widthPx * this.size.heightPx * 3);
      // Render once up front so a bad size fails here, as a state, not inside a timer.
      renderSyntheticFrame(
        0,
        this.size.widthPx,
        this.size.heightPx,
        new Uint8Array(this.size.widthPx * this.size.heightPx * 3),
      );
    } catch (e) {
      this.setState(
        'error',
        `synthetic scene cannot render ${this.size.widthPx}x${this.size.heightPx}: ${(e as Error).message}`,
      );
      return;
    }
    this.pacer.begin(Date.now());
    this.schedule(0);
  }

  protected async shutdown(): Promise<void> {
    this.clearTimer();
  }

  protected onStallTimeout(): void {
    // Rendering is synchronous: a stall here means the event loop itself is blocked; nothing to restart.
  }

  private schedule(delayMs: number): void {
    if (this.stopping || this.isFinished) return;
    this.timer =
      delayMs === 0 && this.pacer.frameIntervalMs === 0
        ? setImmediate(() => this.tick())
        : setTimeout(() => this.tick(), delayMs);
  }

  private clearTimer(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer as NodeJS.Timeout);
    clearImmediate(this.timer as NodeJS.Immediate);
    this.timer = undefined;
  }

  private tick(): void {
    this.timer = undefined;
    if (this.stopping || this.isFinished) return;
    const slot = this.acquireBuffer();
    const index = this.frameIndex++;
    if (slot) {
      const { parts } = renderSyntheticFrame(index, this.size.widthPx, this.size.heightPx, slot.rgb);
      // Frame ids start at 1 and advance once per tick, dropped frames included: id = index + 1.
      this.groundTruthByFrameId.set(index + 1, parts);
      this.groundTruthByFrameId.delete(index + 1 - GROUND_TRUTH_FRAMES);
      this.publish(slot, this.size.widthPx, this.size.heightPx);
    } else {
      this.markProgress();
    }
    this.schedule(this.pacer.nextDelayMs(Date.now()));
  }
}
