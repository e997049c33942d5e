/**
 * `export --recording DIR [--results NAME] --format csv|jsonl|coco|yolo|labelstudio
 *   [--from T --to T] [--event ID] [--class NAME]... [--doubtful [--doubtful-min X]] --out PATH`
 * Results of a recording for spreadsheets (csv, jsonl: a file) or for retraining (coco, yolo,
 * labelstudio: a folder with the pictures).
 */
import { join } from 'node:path';
import { z } from 'zod';
import { toCoco } from '../core/formats/coco';
import { labelStudioConfig, toLabelStudioTasks } from '../core/formats/labelstudio';
import { confirmedOnly, selectFrames, type Selection } from '../core/formats/selection';
import { toCsv, toJsonLines } from '../core/formats/tabular';
import type { ExportFrame } from '../core/formats/types';
import { yoloDataYaml, yoloLabelName, yoloLabelText } from '../core/formats/yolo';
import { Recording, RecordingError } from '../recording/reader';
import { writeFileAtomic } from '../storage/atomic-file';
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
    const track = rec.requireTrack(flags.results ?? rec.defaultTrack());
    const sel: Selection = { fromMs: flags.from, toMs: flags.to };
    if (flags.event !== undefined) {
      const ev = rec.events().find((e) => e.id === flags.event);
      if (!ev) throw new RecordingError(`no event ${flags.event} in this recording`);
      sel.ranges = [{ startMs: ev.startMs, endMs: ev.endMs }];
    }
    if (flags.class) sel.classes = flags.class;
    if (flags.doubtful) {
      const minScore = flags['doubtful-min'] ?? track.candidateConf;
      if (minScore >= track.conf)
        throw new RecordingError(
          `track '${track.name}' kept no candidates below its threshold ${track.conf}; re-run with --doubtful-min, or give --doubtful-min below it`,
        );
      sel.doubtful = { minScore, confThreshold: track.conf };
    }
    const frames = selectFrames(rec.exportFrames(track.name, flags.from, flags.to), sel).map((f) =>
      // Doubtful exports keep the candidates: they are what the labeller is asked to decide on.
      flags.doubtful ? confirmedOnly(f, sel.doubtful!.minScore) : confirmedOnly(f, track.conf),
    );
    let written: ExportFrame[] = frames;
    switch (flags.format) {
      case 'csv':
        await writeFileAtomic(flags.out, toCsv(frames));
        break;
      case 'jsonl':
        await writeFileAtomic(flags.out, toJsonLines(frames));
        break;
      default:
        written = await writeImages(rec, frames, join(flags.out, 'images'));
    }
    const names = track.classNames;
    if (flags.format === 'coco') {
      const coco = toCoco(written, names, `${rec.dir} track ${track.name} (${track.model})`);
      await writeFileAtomic(join(flags.out, 'annotations.json'), JSON.stringify(coco));
    } else if (flags.format === 'yolo') {
      for (const f of written)
        await writeFileAtomic(join(flags.out, 'labels', yoloLabelName(f.imageName)), yoloLabelText(f));
      await writeFileAtomic(join(flags.out, 'data.yaml'), yoloDataYaml(names));
    } else if (flags.format === 'labelstudio') {
      const tasks = toLabelStudioTasks(written, {
        modelVersion: track.model,
        imageUrlPrefix: flags['image-url-prefix'],
      });
      await writeFileAtomic(join(flags.out, 'tasks.json'), JSON.stringify(tasks, null, 1));
      const seen = [...new Set(written.flatMap((f) => f.detections.map((d) => d.className)))];
      await writeFileAtomic(
        join(flags.out, 'labeling-config.xml'),
        labelStudioConfig(
          names.length > 0 ? names : seen,
          written.some((f) => f.detections.some((d) => d.polygon)),
        ),
      );
    }
    writeLine(
      process.stderr,
      `export: ${written.length} frames, ${written.reduce((s, f) => s + f.detections.length, 0)} detections from track '${track.name}' → ${flags.out}` +
        (written.length < frames.length
          ? ` (${frames.length - written.length} frames without a picture left out)`
          : ''),
    );
    return 0;
  } finally {
    rec.close();
  }
}

/** Extract each frame's picture as JPEG; frames whose picture is gone are left out. */
async function writeImages(rec: Recording, frames: ExportFrame[], dir: string): Promise<ExportFrame[]> {
  const rows = new Map(rec.index.frames().map((f) => [f.frameNo, f]));
  const out: ExportFrame[] = [];
  for (const f of frames) {
    const row = rows.get(f.frameNo)!;
    if (!rec.hasPicture(row)) continue;
    await writeFileAtomic(join(dir, f.imageName), await rec.picture(row, 'jpeg'));
    out.push(f);
  }
  return out;
}
