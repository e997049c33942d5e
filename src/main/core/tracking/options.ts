/** Tracker settings: one strict schema with bounds and descriptions (CLI, settings file, UI). */
import { z } from 'zod';

const fraction = (def: number, text: string) => z.number().min(0).max(1).default(def).describe(text);

export const trackerOptionsSchema = z
  .object({
    highScoreThreshold: fraction(
      0.5,
      'Detections at or above this score are matched first and may start tracks (ByteTrack track_thresh).',
    ),
    lowScoreThreshold: fraction(
      0.1,
      'Detections from this score up to highScoreThreshold only continue tracks that the first stage left unmatched; ' +
        'they never start one. Below it a detection is ignored.',
    ),
    newTrackThreshold: fraction(
      0.5,
      'An unmatched high-score detection starts a tentative track only from this score (>= highScoreThreshold to have effect).',
    ),
    matchIouThreshold: fraction(
      0.2,
      'First stage (high scores against confirmed and lost tracks): a pair needs at least this IoU with the predicted box.',
    ),
    lowScoreMatchIouThreshold: fraction(
      0.5,
      'Second stage (low scores against still unmatched tracks): minimum IoU.',
    ),
    tentativeMatchIouThreshold: fraction(
      0.3,
      'Third stage (remaining high scores against tentative tracks): minimum IoU.',
    ),
    minHits: z
      .number()
      .int()
      .min(1)
      .max(30)
      .default(2)
      .describe(
        'Consecutive matched frames before a tentative track is confirmed (gets its id and is reported). A tentative track missed once is removed.',
      ),
    lostBufferFrames: z
      .number()
      .int()
      .min(0)
      .max(10_000)
      .default(30)
      .describe(
        'Frames a confirmed track may go unseen (lost, predicted on) before it is removed; a re-found lost track keeps its id.',
      ),
    classAware: z
      .boolean()
      .default(false)
      .describe(
        "Only match a detection to a track of the same class. Off by default: a small model may flip a part's label between frames.",
      ),
    classHistoryFrames: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(15)
      .describe(
        "A track's class is the most frequent class among its last this many detections (ties: the most recent).",
      ),
  })
  .strict()
  .refine((o) => o.lowScoreThreshold <= o.highScoreThreshold, {
    message: 'lowScoreThreshold must not exceed highScoreThreshold',
    path: ['lowScoreThreshold'],
  });

export type TrackerOptionsInput = z.input<typeof trackerOptionsSchema>;
export type TrackerOptions = z.output<typeof trackerOptionsSchema>;

/** Validates and fills defaults; throws a RangeError naming the first bad field. */
export function parseTrackerOptions(input: unknown = {}): TrackerOptions {
  const result = trackerOptionsSchema.safeParse(input ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue.path.length > 0 ? issue.path.join('.') : 'options';
    throw new RangeError(`tracker ${where}: ${issue.message}`);
  }
  return result.data;
}
