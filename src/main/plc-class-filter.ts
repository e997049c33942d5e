/**
 * The PLC and the serial port receive only detections whose class is sent (`sendToPlc` in the
 * per-class limits); the UI and `run --json` still show every kept detection.
 */
import { detectionsForPlc, type ClassLimits } from './core/class-limits';
import type { ResultSink } from './pipeline/sink';

/** Wraps a PLC/serial sink; `limits` is read at each offer, so live changes apply to the next frame. */
export function onlyClassesSentToPlc(sink: ResultSink, limits: () => ClassLimits | null): ResultSink {
  return {
    name: sink.name,
    offer(result) {
      const l = limits();
      sink.offer(l ? { ...result, detections: detectionsForPlc(result.detections, l) } : result);
    },
    close: () => sink.close(),
  };
}
