/**
 * The station's tracking stage, changeable while frames flow: the runtime holds this one object as
 * its postprocess stage for its whole life, and a new zone/line layout replaces the TrackingStage
 * inside it between two frames. Counters are kept across a layout change for lines whose name
 * stays, and saved (atomically, newest wins) after every frame that changed them and after a reset.
 */
import type { FrameResult, LineCount } from '../../shared/frame';
import { TrackingStage, type TrackingSettings } from '../core/counting';
import type { PostprocessStage } from '../app/runtime';
import type { CountersStore } from '../storage/counters-store';

export class LiveTrackingStage implements PostprocessStage {
  private stage: TrackingStage;
  private trackerKey: unknown;

  constructor(
    settings: TrackingSettings,
    private readonly store: CountersStore,
    saved: readonly LineCount[] = [],
  ) {
    this.stage = LiveTrackingStage.build(settings);
    this.trackerKey = LiveTrackingStage.trackerKeyOf(settings);
    this.stage.restoreCounts(saved);
  }

  private static build(s: TrackingSettings): TrackingStage {
    return new TrackingStage({
      tracking: s.enabled ? s.tracker : false,
      zones: s.zones,
      lines: s.lines,
      referencePoint: s.referencePoint,
    });
  }

  /**
   * Throws a RangeError (the running layout stays) when the settings do not make a stage. A new
   * layout keeps the running tracker (ids go on); other tracker settings start a new one.
   */
  configure(settings: TrackingSettings): void {
    if (JSON.stringify(this.trackerKey) === JSON.stringify(LiveTrackingStage.trackerKeyOf(settings))) {
      this.stage.relayout(settings);
    } else {
      const next = LiveTrackingStage.build(settings);
      next.restoreCounts(this.stage.counts());
      this.stage = next;
      this.trackerKey = LiveTrackingStage.trackerKeyOf(settings);
    }
    this.store.save(this.stage.counts());
  }

  private static trackerKeyOf(s: TrackingSettings): unknown {
    return s.enabled ? s.tracker : false;
  }

  process(result: FrameResult): FrameResult {
    const out = this.stage.process(result);
    if (out.crossings && out.crossings.length > 0) this.store.save(out.counts ?? []);
    return out;
  }

  counts(): LineCount[] {
    return this.stage.counts();
  }

  /** From the UI and from the PLC's reset request (the runtime calls it). */
  resetCounts(): void {
    this.stage.resetCounts();
    this.store.save(this.stage.counts());
  }
}
