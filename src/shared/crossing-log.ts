/** A bounded, newest-first log of counting-line crossings, built from frame results (UI). */
import type { CrossingDirection, FrameResult } from './frame';

export interface CrossingEvent {
  frameId: number;
  captureTimeMs: number;
  line: string;
  trackId: number;
  direction: CrossingDirection;
}

export const MAX_CROSSING_EVENTS = 200;

/** Returns the log with this frame's crossings in front, cut to `max` (a new array when it changed). */
export function addCrossings(
  log: readonly CrossingEvent[],
  result: Pick<FrameResult, 'frameId' | 'captureTimeMs' | 'crossings'>,
  max = MAX_CROSSING_EVENTS,
): readonly CrossingEvent[] {
  const fresh = result.crossings ?? [];
  if (fresh.length === 0) return log;
  const events = fresh
    .map((c) => ({ frameId: result.frameId, captureTimeMs: result.captureTimeMs, ...c }))
    .reverse();
  return [...events, ...log].slice(0, max);
}
