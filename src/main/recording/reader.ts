/**
 * Opening a recording for review: its result tracks, frames by time, events, and a frame's picture
 * (ffmpeg seeks to the frame's place in its segment). A plain video file opens as a recording too:
 * its index lives beside it (`VIDEO.review/`), the file itself is the one segment, and its frames
 * and results appear when a re-run processes it.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { resolveFfmpeg } from '../capture/ffmpeg-path';
import type { ExportFrame } from '../core/formats/types';
import { RecordingIndex, type FrameRow, type ResultRow, type SegmentRow } from './index-db';
import { indexPath, segmentsPath } from './layout';
import { extractFrame, probeVideo } from './video-decode';

export class RecordingError extends Error {
  override name = 'RecordingError';
}

export interface FrameView {
  frame: FrameRow;
  /** Results of this frame per track name (null where that track has none). */
  results: Record<string, ResultRow | null>;
}

/** Decoded size of a segment: the encoder padded odd sides to even. */
export const encodedSize = (s: Pick<SegmentRow, 'widthPx' | 'heightPx'>, plainVideo: boolean) =>
  plainVideo
    ? { widthPx: s.widthPx, heightPx: s.heightPx }
    : { widthPx: s.widthPx + (s.widthPx % 2), heightPx: s.heightPx + (s.heightPx % 2) };

export class Recording {
  private constructor(
    /** Folder holding the index (and segments, for a recording). */
    readonly dir: string,
    readonly index: RecordingIndex,
    /** Set when the recording is a plain video file opened for review. */
    readonly videoFile: string | null,
    readonly ffmpegPath: string,
  ) {}

  /**
   * Opens a recording folder (made by `run --record`) or a plain video file. Throws a
   * RecordingError a person can act on when the path is neither.
   */
  static async open(path: string, opts: { ffmpegPath?: string } = {}): Promise<Recording> {
    const abs = resolve(path);
    const ffmpegPath = opts.ffmpegPath ?? resolveFfmpeg().path;
    let st;
    try {
      st = statSync(abs);
    } catch {
      throw new RecordingError(`${path} does not exist`);
    }
    if (st.isDirectory()) {
      if (!existsSync(indexPath(abs)))
        throw new RecordingError(
          `${path} is not a recording: it has no ${basename(indexPath(abs))} (record one with run --record)`,
        );
      return new Recording(abs, new RecordingIndex(indexPath(abs), { create: false }), null, ffmpegPath);
    }
    const info = await probeVideo(ffmpegPath, abs).catch((e: unknown) => {
      throw new RecordingError((e as Error).message);
    });
    const dir = `${abs}.review`;
    mkdirSync(dir, { recursive: true });
    const index = new RecordingIndex(indexPath(dir), { create: true });
    if (!index.segment(1))
      index.addSegment({
        seq: 1,
        file: abs,
        startMs: 0,
        widthPx: info.widthPx,
        heightPx: info.heightPx,
        fps: info.fps,
      });
    return new Recording(dir, index, abs, ffmpegPath);
  }

  close(): void {
    this.index.close();
  }

  get isPlainVideo(): boolean {
    return this.videoFile !== null;
  }

  segmentFile(seg: SegmentRow): string {
    return isAbsolute(seg.file) ? seg.file : join(segmentsPath(this.dir), seg.file);
  }

  tracks() {
    return this.index.tracks();
  }

  /** The track to read when none is named: `live` if there is one, else the newest. */
  defaultTrack(): string {
    const tracks = this.index.tracks();
    if (tracks.length === 0)
      throw new RecordingError(
        this.isPlainVideo
          ? 'this video has no results yet: run rerun --recording VIDEO --model M --out NAME first'
          : 'this recording has no result tracks',
      );
    return (tracks.find((t) => t.name === 'live') ?? tracks[tracks.length - 1]!).name;
  }

  requireTrack(name: string) {
    const t = this.index.track(name);
    if (!t)
      throw new RecordingError(
        `no result track '${name}' (tracks: ${
          this.index
            .tracks()
            .map((x) => x.name)
            .join(', ') || 'none'
        })`,
      );
    return t;
  }

  frameAt(timeMs: number): FrameView | null {
    const frame = this.index.frameAt(timeMs);
    if (!frame) return null;
    return {
      frame,
      results: Object.fromEntries(
        this.index.tracks().map((t) => [t.name, this.index.result(t.name, frame.frameNo)]),
      ),
    };
  }

  events(track?: string) {
    return this.index.events(track);
  }

  /** Frames of a track as the exporters take them (only frames the track has results for). */
  exportFrames(track: string, fromMs?: number, toMs?: number): ExportFrame[] {
    const results = this.index.results(track, fromMs, toMs);
    return this.index
      .frames(fromMs, toMs)
      .filter((f) => results.has(f.frameNo))
      .map((f) => ({
        frameNo: f.frameNo,
        frameId: f.frameId,
        captureTimeMs: f.captureTimeMs,
        widthPx: f.widthPx,
        heightPx: f.heightPx,
        imageName: `frame-${String(f.frameNo).padStart(8, '0')}.jpg`,
        detections: results.get(f.frameNo)!.detections,
      }));
  }

  /** Whether the picture of a frame is still on disk (not dropped, not removed by retention). */
  hasPicture(f: FrameRow): boolean {
    if (f.segmentSeq === null || f.indexInSegment === null) return false;
    const seg = this.index.segment(f.segmentSeq);
    return seg !== null && !seg.deleted && existsSync(this.segmentFile(seg));
  }

  /**
   * The picture of a frame, as JPEG or packed RGB24, at the camera size its detections are
   * measured in (so boxes drawn on it need no scaling).
   */
  async picture(f: FrameRow, format: 'jpeg' | 'rgb'): Promise<Buffer> {
    if (f.segmentSeq === null || f.indexInSegment === null)
      throw new RecordingError(
        `frame ${f.frameNo} has no picture (the encoder was behind, or recording had stopped)`,
      );
    const seg = this.index.segment(f.segmentSeq);
    if (!seg || seg.deleted)
      throw new RecordingError(`the picture of frame ${f.frameNo} was removed by retention`);
    return extractFrame(this.ffmpegPath, this.segmentFile(seg), {
      timeSec: f.indexInSegment / seg.fps,
      frameSec: 1 / seg.fps,
      format,
      size: { widthPx: f.widthPx, heightPx: f.heightPx },
    });
  }
}
