/**
 * `export --recording DIR [--results NAME] --format csv|jsonl|coco|yolo|labelstudio
 *   [--from T --to T] [--event ID] [--class NAME]... [--doubtful [--doubtful-min X]] --out PATH`
 * Results of a recording for spreadsheets (csv, jsonl: a file) or for retraining (coco, yolo,
 * labelstudio: a folder with the pictures).
 */
import { z } from 'zod';
import { exportRecording } from '../recording/export';
import { Recording } from '../recording/reader';
import { intFlag, numberFlag, parseFlags, UsageError, validateFlags, writeLine } from './args';
import { trackName } from './rerun';

/** A time: ms since the Unix epoch, or an ISO 8601 date-time. */
const timeFlag = z.string().transform((s, ctx): number => {
  const t = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
  if (!Number.isFinite(t)) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be ms since 1970 or an ISO date-time (2026-11-27T14:32:00Z)',
    });
    return z.NEVER;
  }
  return t;
});

const Flags = z.object({
  recording: z.string({ message: 'is required (a recording folder or a video file)' }).min(1),
  results: trackName.optional(),
  format: z.enum(['csv', 'jsonl', 'coco', 'yolo', 'labelstudio'], {
    message: "must be one of 'csv', 'jsonl', 'coco', 'yolo', 'labelstudio'",
  }),
  from: timeFlag.optional(),
  to: timeFlag.optional(),
  event: intFlag(1, Number.MAX_SAFE_INTEGER).optional(),
  class: z.array(z.string().min(1)).optional(),
  doubtful: z.boolean().default(false),
  'doubtful-min': numberFlag(0, 1).optional(),
  out: z.string({ message: 'is required (a file for csv/jsonl, a folder otherwise)' }).min(1),
  'image-url-prefix': z.string().default('/data/local-files/?d=images/'),
});

export async function main(argv: string[]): Promise<number> {
  const { values } = parseFlags(
    argv,
    {
      recording: { type: 'string' },
      results: { type: 'string' },
      format: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      event: { type: 'string' },
      class: { type: 'string', multiple: true },
      doubtful: { type: 'boolean' },
      'doubtful-min': { type: 'string' },
      out: { type: 'string' },
      'image-url-prefix': { type: 'string' },
    },
    false,
  );
  const flags = validateFlags(Flags, values);
  if (flags.from !== undefined && flags.to !== undefined && flags.from > flags.to)
    throw new UsageError('--from: must not be after --to');
  const rec = await Recording.open(flags.recording);
  try {
    const r = await exportRecording(rec, {
      track: flags.results,
      format: flags.format,
      out: flags.out,
      fromMs: flags.from,
      toMs: flags.to,
      eventId: flags.event,
      classes: flags.class,
      doubtful: flags.doubtful,
      doubtfulMin: flags['doubtful-min'],
      imageUrlPrefix: flags['image-url-prefix'],
    });
    writeLine(
      process.stderr,
      `export: ${r.frames} frames, ${r.detections} detections from track '${r.track}' → ${flags.out}` +
        (r.withoutPicture > 0 ? ` (${r.withoutPicture} frames without a picture left out)` : ''),
    );
    return 0;
  } finally {
    rec.close();
  }
}
