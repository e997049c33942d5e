/**
 * The stage between inference and the sinks: tracking, zones and counting lines applied to one
 * FrameResult. Pure and synchronous; the pipeline calls `process` once per frame, in order.
 *
 * - Without tracking every detection gets trackId −1. With tracking the detections are those of
 *   confirmed tracks (see ByteTracker), each with its id and the track's class.
 * - Zones set `eligibleForOutput` on each detection (the PLC and serial port skip ineligible ones).
 * - Counting lines need tracking; the result carries this frame's crossings and the counters.
 */
import type { Detection } from '../../../shared/detection';
import type { FrameResult, LineCount } from '../../../shared/frame';
import { ByteTracker, type TrackerOptionsInput } from '../tracking';
import { referencePointXy, type ReferencePoint } from './geometry';
import { LineCounter } from './line-counter';
import { lineListSchema, zoneListSchema, type LineSpec, type ZoneSpec } from './specs';
import { eligibleForOutput } from './zones';

export interface TrackingStageOptions {
  /** Off: trackId −1 everywhere. True or options: ByteTrack with these settings (see TrackingSettings for the settings-file form). */
  tracking: boolean | TrackerOptionsInput;
  zones?: readonly ZoneSpec[];
  lines?: readonly LineSpec[];
  referencePoint?: ReferencePoint;
}

export class TrackingStage {
  private readonly tracker: ByteTracker | null;
  private counter: LineCounter | null;
  private zones: readonly ZoneSpec[];
  private ref: ReferencePoint;
  private lastFrameId: number | null = null;

  constructor(opts: TrackingStageOptions) {
    const zones = zoneListSchema.safeParse(opts.zones ?? []);
    if (!zones.success) throw new RangeError(`zones: ${zones.error.issues[0].message}`);
    const lines = lineListSchema.safeParse(opts.lines ?? []);
    if (!lines.success) throw new RangeError(`counting lines: ${lines.error.issues[0].message}`);
    if (lines.data.length > 0 && opts.tracking === false)
      throw new RangeError('counting lines need tracking (a crossing is a track changing side)');
    this.tracker =
      opts.tracking === false ? null : new ByteTracker(opts.tracking === true ? {} : opts.tracking);
    this.counter = lines.data.length > 0 ? new LineCounter(lines.data) : null;
    this.zones = zones.data;
    this.ref = opts.referencePoint ?? 'centre';
  }

  /**
   * New zones, lines and reference point with the same tracker, so track ids go on (a new stage
   * would start again at id 1 and the UI would join old and new tracks of the same id). Counters
   * of lines whose name stays are kept. Throws a RangeError and changes nothing when invalid.
   */
  relayout(opts: Omit<TrackingStageOptions, 'tracking'>): void {
    const zones = zoneListSchema.safeParse(opts.zones ?? []);
    if (!zones.success) throw new RangeError(`zones: ${zones.error.issues[0].message}`);
    const lines = lineListSchema.safeParse(opts.lines ?? []);
    if (!lines.success) throw new RangeError(`counting lines: ${lines.error.issues[0].message}`);
    if (lines.data.length > 0 && !this.tracker)
      throw new RangeError('counting lines need tracking (a crossing is a track changing side)');
    const kept = this.counts();
    this.counter = lines.data.length > 0 ? new LineCounter(lines.data) : null;
    this.counter?.restoreCounts(kept);
    this.zones = zones.data;
    this.ref = opts.referencePoint ?? 'centre';
  }

  get tracking(): boolean {
    return this.tracker !== null;
  }

  process(result: FrameResult): FrameResult {
    let detections: Detection[];
    if (this.tracker) {
      // Frames dropped before inference still moved the parts: predict over the gap (bounded, so
      // a source restart that jumps ids does not spin the filter).
      const gap = this.lastFrameId === null ? 1 : result.frameId - this.lastFrameId;
      const elapsed = Math.min(Math.max(1, gap), this.tracker.options.lostBufferFrames + 1);
      this.lastFrameId = result.frameId;
      detections = this.tracker.update(result.detections, elapsed).detections;
    } else {
      detections = result.detections.map((d) => ({ ...d, trackId: -1 }));
    }
    if (this.zones.length > 0)
      detections = detections.map((d) => ({
        ...d,
        eligibleForOutput: eligibleForOutput(d.box, this.zones, this.ref),
      }));
    if (!this.counter) return { ...result, detections };
    const crossings = this.counter.update(
      detections.map((d) => ({ trackId: d.trackId ?? -1, point: referencePointXy(d.box, this.ref) })),
    );
    return { ...result, detections, crossings, counts: this.counter.snapshot() };
  }

  counts(): LineCount[] {
    return this.counter?.snapshot() ?? [];
  }

  resetCounts(): void {
    this.counter?.resetCounts();
  }

  restoreCounts(saved: readonly LineCount[]): void {
    this.counter?.restoreCounts(saved);
  }
}
