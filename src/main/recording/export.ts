/**
 * Writing a selection of a recording's results in an export format: shared by the `export`
 * command and the review service.
 */
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { toCoco } from '../core/formats/coco';
import { labelStudioConfig, toLabelStudioTasks } from '../core/formats/labelstudio';
import { confirmedOnly, selectFrames, type Selection } from '../core/formats/selection';
import { toCsv, toJsonLines } from '../core/formats/tabular';
import type { ExportFrame } from '../core/formats/types';
import { yoloDataYaml, yoloLabelName, yoloLabelText } from '../core/formats/yolo';
import { writeFileAtomic } from '../storage/atomic-file';
import type { FrameRow } from './index-db';
import { RecordingError, type Recording } from './reader';
import { extractFramesToJpeg } from './video-decode';

export const EXPORT_FORMATS = ['csv', 'jsonl', 'coco', 'yolo', 'labelstudio'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportRequest {
  /** Result track; the recording's default track when absent. */
  track?: string;
  format: ExportFormat;
  /** A file for csv/jsonl, a folder otherwise. */
  out: string;
  fromMs?: number;
  toMs?: number;
  eventId?: number;
  classes?: string[];
  /** Only frames with doubtful candidates, which are exported with them. */
  doubtful?: boolean;
  doubtfulMin?: number;
  imageUrlPrefix?: string;
  signal?: AbortSignal;
}

export interface ExportSummary {
  track: string;
  frames: number;
  detections: number;
  /** Selected frames left out of an image export because their picture is gone. */
  withoutPicture: number;
}

export async function exportRecording(rec: Recording, req: ExportRequest): Promise<ExportSummary> {
  const track = rec.requireTrack(req.track ?? rec.defaultTrack());
  const sel: Selection = { fromMs: req.fromMs, toMs: req.toMs };
  if (req.eventId !== undefined) {
    const ev = rec.events().find((e) => e.id === req.eventId);
    if (!ev) throw new RecordingError(`no event ${req.eventId} in this recording`);
    sel.ranges = [{ startMs: ev.startMs, endMs: ev.endMs }];
  }
  if (req.classes && req.classes.length > 0) sel.classes = req.classes;
  if (req.doubtful) {
    const minScore = req.doubtfulMin ?? track.candidateConf;
    if (minScore >= track.conf)
      throw new RecordingError(
        `track '${track.name}' kept no candidates below its threshold ${track.conf}; re-run with --doubtful-min, or give --doubtful-min below it`,
      );
    sel.doubtful = { minScore, confThreshold: track.conf };
  }
  const frames = selectFrames(rec.exportFrames(track.name, req.fromMs, req.toMs), sel).map((f) =>
    // Doubtful exports keep the candidates: they are what the labeller is asked to decide on.
    confirmedOnly(f, sel.doubtful ? sel.doubtful.minScore : track.conf),
  );
  let written: ExportFrame[] = frames;
  switch (req.format) {
    case 'csv':
      await writeFileAtomic(req.out, toCsv(frames));
      break;
    case 'jsonl':
      await writeFileAtomic(req.out, toJsonLines(frames));
      break;
    default:
      written = await writeImages(rec, frames, join(req.out, 'images'), req.signal);
  }
  const names = track.classNames;
  if (req.format === 'coco') {
    const coco = toCoco(written, names, `${rec.dir} track ${track.name} (${track.model})`);
    await writeFileAtomic(join(req.out, 'annotations.json'), JSON.stringify(coco));
  } else if (req.format === 'yolo') {
    for (const f of written)
      await writeFileAtomic(join(req.out, 'labels', yoloLabelName(f.imageName)), yoloLabelText(f));
    await writeFileAtomic(join(req.out, 'data.yaml'), yoloDataYaml(names));
  } else if (req.format === 'labelstudio') {
    const tasks = toLabelStudioTasks(written, {
      modelVersion: track.model,
      imageUrlPrefix: req.imageUrlPrefix ?? '/data/local-files/?d=images/',
    });
    await writeFileAtomic(join(req.out, 'tasks.json'), JSON.stringify(tasks, null, 1));
    const seen = [...new Set(written.flatMap((f) => f.detections.map((d) => d.className)))];
    await writeFileAtomic(
      join(req.out, 'labeling-config.xml'),
      labelStudioConfig(
        names.length > 0 ? names : seen,
        written.some((f) => f.detections.some((d) => d.polygon)),
      ),
    );
  }
  return {
    track: track.name,
    frames: written.length,
    detections: written.reduce((s, f) => s + f.detections.length, 0),
    withoutPicture: frames.length - written.length,
  };
}

/**
 * Extract each frame's picture as JPEG, one ffmpeg run per segment; frames whose picture is gone
 * are left out.
 */
async function writeImages(
  rec: Recording,
  frames: ExportFrame[],
  dir: string,
  signal?: AbortSignal,
): Promise<ExportFrame[]> {
  const rows = new Map(rec.index.frames().map((f) => [f.frameNo, f]));
  const bySegment = new Map<number, { frame: ExportFrame; row: FrameRow }[]>();
  for (const f of frames) {
    const row = rows.get(f.frameNo)!;
    if (!rec.hasPicture(row)) continue;
    const list = bySegment.get(row.segmentSeq!) ?? [];
    list.push({ frame: f, row });
    bySegment.set(row.segmentSeq!, list);
  }
  await mkdir(dir, { recursive: true });
  const tmp = await mkdtemp(join(dir, '.extract-'));
  const written = new Set<number>();
  try {
    for (const [seq, list] of bySegment) {
      if (signal?.aborted) throw new Error('export cancelled');
      const seg = rec.index.segment(seq)!;
      // One size per run: the camera size of the first frame (a camera does not change size mid-segment).
      const size = { widthPx: list[0]!.row.widthPx, heightPx: list[0]!.row.heightPx };
      list.sort((a, b) => a.row.indexInSegment! - b.row.indexInSegment!);
      const files = await extractFramesToJpeg(
        rec.ffmpegPath,
        rec.segmentFile(seg),
        list.map((x) => x.row.indexInSegment!),
        size,
        tmp,
      );
      // Renames within one folder are atomic: a reader never sees half a picture.
      for (let k = 0; k < list.length; k++) {
        await rename(files[k]!, join(dir, list[k]!.frame.imageName));
        written.add(list[k]!.frame.frameNo);
      }
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return frames.filter((f) => written.has(f.frameNo));
}
