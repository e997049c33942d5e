/**
 * `recording-info --recording DIR|VIDEO [--track NAME]`
 * What a recording holds, as one JSON object: time span, segments, result tracks, and events
 * (their ids are what `export --event ID` takes).
 */
import { z } from 'zod';
import { Recording } from '../recording/reader';
import { parseFlags, validateFlags, writeLine } from './args';
import { trackName } from './rerun';

const Flags = z.object({
  recording: z.string({ message: 'is required (a recording folder or a video file)' }).min(1),
  track: trackName.optional(),
});

export async function main(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { recording: { type: 'string' }, track: { type: 'string' } }, false);
  const flags = validateFlags(Flags, values);
  const rec = await Recording.open(flags.recording);
  try {
    if (flags.track) rec.requireTrack(flags.track);
    const frames = rec.index.frames();
    const segments = rec.index.segments(true);
    writeLine(
      process.stdout,
      JSON.stringify({
        path: rec.videoFile ?? rec.dir,
        startMs: frames[0]?.captureTimeMs ?? null,
        endMs: frames.at(-1)?.captureTimeMs ?? null,
        frames: frames.length,
        framesWithPicture: frames.filter((f) => f.segmentSeq !== null).length,
        segments: {
          kept: segments.filter((s) => !s.deleted).length,
          removed: segments.filter((s) => s.deleted).length,
        },
        tracks: rec.tracks().map((t) => ({
          name: t.name,
          kind: t.kind,
          model: t.model,
          conf: t.conf,
          candidateConf: t.candidateConf,
          frames: t.frames,
          complete: t.complete,
          fps: t.elapsedMs > 0 ? Number(((t.frames * 1000) / t.elapsedMs).toFixed(2)) : null,
        })),
        events: rec.events(flags.track).map((e) => ({
          id: e.id,
          track: e.track,
          kind: e.kind,
          label: e.label,
          startMs: e.startMs,
          endMs: e.endMs,
          frames: e.frames,
          peakScore: e.peakScore,
        })),
      }),
    );
    return 0;
  } finally {
    rec.close();
  }
}
