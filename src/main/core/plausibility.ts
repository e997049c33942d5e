/**
 * Whether decoded detections can be right at all. A decoder given another family's outputs (a
 * sidecar naming the wrong family) still produces numbers: scores of 3.4 or 637, class ids in the
 * thousands. Those are refused with the reason instead of being sent to a PLC.
 */
import type { Detection } from '../../shared/detection';

/** Null when every detection is plausible, else one sentence naming the first problem. */
export function implausibleDetections(dets: readonly Detection[], classCount: number): string | null {
  for (const d of dets) {
    if (!(d.score >= 0 && d.score <= 1)) return `a detection has score ${d.score}, outside 0..1`;
    if (!Number.isInteger(d.classId) || d.classId < 0 || d.classId >= classCount)
      return `a detection has class id ${d.classId}, the model has ${classCount} classes`;
    if (!d.box.every((v) => Number.isFinite(v)))
      return `a detection has a box with a non-finite coordinate (${d.box.join(', ')})`;
  }
  return null;
}

export class ImplausibleOutputError extends Error {
  override name = 'ImplausibleOutputError';
}

/** The message given when a model's decoded output is implausible. */
export function implausibleMessage(problem: string, family: string): string {
  return `the model's output does not decode as ${family}: ${problem}; check the family in its sidecar or metadata`;
}
