/**
 * Several camera pipelines sharing one inference engine fairly (see core/fair-share).
 *
 * Each camera's source is wrapped in a gate: frames from the camera wait in its one-frame slot in
 * the shared scheduler (newest only, replaced ones dropped and counted per camera) and are passed
 * on to the camera's pipeline only when it is that camera's turn on the worker. The turn lasts
 * until the pipeline has let go of the frame (every `retain` released: inference, tracking and the
 * sinks are done), so the gate needs nothing from the pipeline or the engine but the frame
 * ownership rule of capture/types.ts. The frame is held back rather than the inference request so
 * that a camera's turn always starts with its newest frame, however long it waited.
 */
import { FairShare, type CameraShareStats } from '../core/fair-share';
import type {
  Frame,
  FrameListener,
  FrameSource,
  SourceState,
  SourceStateChange,
  SourceStats,
  StateListener,
} from '../capture/types';

const TERMINAL: ReadonlySet<SourceState> = new Set(['stopped', 'error']);

/** One inference engine's share of the work, between the cameras that use its model. */
export class FairInference {
  private readonly share: FairShare<Frame>;
  private readonly gates = new Map<string, GatedSource>();
  /** Final counts of cameras that stopped. */
  private readonly removed = new Map<string, CameraShareStats>();
  private pumping = false;

  /** `inFlight`: frames handed to pipelines at once (1: the worker never holds two). */
  constructor(inFlight = 1) {
    this.share = new FairShare<Frame>(inFlight);
  }

  /** Wraps a camera's source; the pipeline is given the wrapper instead. */
  gate(camera: string, source: FrameSource): GatedSource {
    if (this.gates.has(camera)) throw new Error(`camera '${camera}' already has a source on this engine`);
    this.share.addCamera(camera);
    this.removed.delete(camera);
    const g = new GatedSource(camera, source, this);
    this.gates.set(camera, g);
    return g;
  }

  /** Frames offered, passed on and dropped (replaced while waiting their turn) for the camera. */
  stats(camera: string): CameraShareStats {
    return this.removed.get(camera) ?? this.share.stats(camera);
  }

  get cameras(): string[] {
    return this.share.cameras;
  }

  /** @internal A new frame from a camera: it waits for its turn, the frame it replaces is freed. */
  offer(camera: string, frame: Frame): void {
    if (!this.gates.has(camera)) return; // stopping: a last frame of the decoder
    frame.retain();
    this.share.offer(camera, frame)?.release();
    this.pump();
  }

  /** @internal The camera's frame is done with. */
  finish(camera: string): void {
    if (this.share.finish(camera)) this.pump();
  }

  /** @internal The camera stops: its waiting frame is freed and its turn, if any, ends. */
  remove(camera: string): void {
    if (!this.gates.delete(camera)) return;
    const stats = this.share.stats(camera);
    const waiting = this.share.removeCamera(camera);
    waiting?.release();
    // Kept for the report after the run; the waiting frame counts as dropped.
    this.removed.set(camera, { ...stats, dropped: stats.dropped + (waiting ? 1 : 0) });
    this.pump();
  }

  /** @internal */
  hasPending(camera: string): boolean {
    return this.gates.has(camera) && this.share.hasPending(camera);
  }

  /** Hands out turns while the worker has room. Re-entrant calls (a turn ending inside a delivery) are folded in. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let g = this.share.next(); g; g = this.share.next()) {
        // Cameras leave the share and the gate map together.
        this.gates.get(g.camera)!.deliver(g.item);
      }
    } finally {
      this.pumping = false;
    }
  }
}

/** A camera's source as its pipeline sees it: frames arrive only on the camera's turn. */
export class GatedSource implements FrameSource {
  private readonly frameListeners = new Set<FrameListener>();
  private readonly stateListeners = new Set<StateListener>();
  /** A terminal state held back until the frame still waiting has been passed on. */
  private deferredEnd: SourceStateChange | null = null;
  private attached = false;
  private readonly onInnerFrame = (frame: Frame): void => this.owner.offer(this.camera, frame);
  private readonly onInnerState = (c: SourceStateChange): void => {
    // The last frame of a clip still gets its turn: the pipeline ends when it hears `stopped`.
    if (TERMINAL.has(c.state) && this.owner.hasPending(this.camera)) this.deferredEnd = c;
    else this.emitState(c);
  };

  constructor(
    readonly camera: string,
    readonly inner: FrameSource,
    private readonly owner: FairInference,
  ) {}

  get description(): string {
    return this.inner.description;
  }
  get state(): SourceState {
    return this.inner.state;
  }
  get stateReason(): string {
    return this.inner.stateReason;
  }
  get stats(): Readonly<SourceStats> {
    return this.inner.stats;
  }
  get pid(): number | undefined {
    return this.inner.pid;
  }

  async start(): Promise<void> {
    this.attachInner();
    await this.inner.start();
  }

  async stop(): Promise<void> {
    this.owner.remove(this.camera);
    this.attachInner();
    await this.inner.stop();
    this.flushDeferred();
  }

  on(event: 'frame', listener: FrameListener): this;
  on(event: 'state', listener: StateListener): this;
  on(event: 'frame' | 'state', listener: FrameListener | StateListener): this {
    if (event === 'frame') this.frameListeners.add(listener as FrameListener);
    else this.stateListeners.add(listener as StateListener);
    // A source adopted after it started (switchSource) must still be heard.
    this.attachInner();
    return this;
  }

  off(event: 'frame', listener: FrameListener): this;
  off(event: 'state', listener: StateListener): this;
  off(event: 'frame' | 'state', listener: FrameListener | StateListener): this {
    if (event === 'frame') this.frameListeners.delete(listener as FrameListener);
    else this.stateListeners.delete(listener as StateListener);
    return this;
  }

  /** @internal The camera's turn: pass the frame on; the turn ends when every holder let go. */
  deliver(frame: Frame): void {
    const turn = new TurnFrame(frame, () => this.owner.finish(this.camera));
    try {
      for (const l of [...this.frameListeners]) {
        try {
          l(turn);
        } catch {
          // A listener's bug must not end the turn early or stop the other cameras.
        }
      }
    } finally {
      frame.release(); // the gate's own hold, taken when the frame was offered
      turn.delivered();
    }
    if (this.deferredEnd && !this.owner.hasPending(this.camera)) this.flushDeferred();
  }

  private attachInner(): void {
    if (this.attached) return;
    this.attached = true;
    this.inner.on('frame', this.onInnerFrame);
    this.inner.on('state', this.onInnerState);
  }

  private flushDeferred(): void {
    const c = this.deferredEnd;
    this.deferredEnd = null;
    if (c) this.emitState(c);
  }

  private emitState(c: SourceStateChange): void {
    for (const l of [...this.stateListeners]) l(c);
  }
}

/**
 * The frame as handed to a camera's pipeline: the same pixels, with the holds its listeners take
 * counted, so the gate learns when the last one is given back.
 */
class TurnFrame implements Frame {
  private holds = 0;
  private delivering = true;
  private over = false;

  constructor(
    private readonly inner: Frame,
    private readonly onOver: () => void,
  ) {}

  get frameId(): number {
    return this.inner.frameId;
  }
  get captureTimeMs(): number {
    return this.inner.captureTimeMs;
  }
  get widthPx(): number {
    return this.inner.widthPx;
  }
  get heightPx(): number {
    return this.inner.heightPx;
  }
  get rgb(): Uint8Array {
    return this.inner.rgb;
  }
  get sourceSize(): Frame['sourceSize'] {
    return this.inner.sourceSize;
  }

  retain(): void {
    this.holds++;
    this.inner.retain();
  }

  /** Extra calls are ignored, as for every frame. */
  release(): void {
    if (this.holds === 0) return;
    this.holds--;
    this.inner.release();
    this.check();
  }

  /** The synchronous hand-over to the listeners is over. */
  delivered(): void {
    this.delivering = false;
    this.check();
  }

  private check(): void {
    if (this.over || this.delivering || this.holds > 0) return;
    this.over = true;
    this.onOver();
  }
}
