/** Which frames an export takes: a time range, events, classes, or doubtful candidates only. Pure. */
import type { ExportFrame, StoredDetection } from './types';

export interface Selection {
  fromMs?: number;
  toMs?: number;
  /** Keep frames inside any of these time ranges (events with their pre/post-roll). */
  ranges?: readonly { startMs: number; endMs: number }[];
  /** Keep frames with a detection of one of these classes. */
  classes?: readonly string[];
  /** Keep frames with at least one candidate scoring in [doubtfulMin, confThreshold). */
  doubtful?: { minScore: number; confThreshold: number };
}

const isDoubtful = (d: StoredDetection, band: NonNullable<Selection['doubtful']>): boolean =>
  d.score >= band.minScore && d.score < band.confThreshold;

export function selectFrames(frames: readonly ExportFrame[], sel: Selection): ExportFrame[] {
  return frames.filter((f) => {
    const t = f.captureTimeMs;
    if (sel.fromMs !== undefined && t < sel.fromMs) return false;
    if (sel.toMs !== undefined && t > sel.toMs) return false;
    if (sel.ranges && !sel.ranges.some((r) => t >= r.startMs && t <= r.endMs)) return false;
    if (sel.classes && !f.detections.some((d) => sel.classes!.includes(d.className))) return false;
    if (sel.doubtful && !f.detections.some((d) => isDoubtful(d, sel.doubtful!))) return false;
    return true;
  });
}

/** Detections at or above the threshold: what the line acted on. */
export function confirmedOnly(f: ExportFrame, confThreshold: number): ExportFrame {
  return { ...f, detections: f.detections.filter((d) => d.score >= confThreshold) };
}
