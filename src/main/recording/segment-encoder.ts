/**
 * One ffmpeg child that turns raw RGB frames on stdin into H.264 MP4 segments of a fixed number
 * of frames (segment muxer). Keyframes are forced exactly every segment, so frame n of this
 * encoder lands in segment `startSeq + floor(n / framesPerSegment)` at index `n % framesPerSegment`:
 * the recorder knows where every frame is without asking ffmpeg. Fragmented MP4 (empty moov, a
 * fragment every second) keeps a segment cut short by a crash or a full disk playable up to its
 * last fragment.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { join } from 'node:path';

export interface SegmentEncoderOptions {
  ffmpegPath: string;
  segmentsDir: string;
  widthPx: number;
  heightPx: number;
  /** Nominal frame rate written into the video (playback speed); the index keeps real times. */
  fps: number;
  framesPerSegment: number;
  startSeq: number;
  /** Bytes waiting in ffmpeg's stdin beyond which frames are dropped instead of queued. */
  maxQueuedBytes: number;
  /** Grace after closing stdin before ffmpeg is killed. */
  closeTimeoutMs?: number;
}

export interface FramePlace {
  seq: number;
  indexInSegment: number;
}

export const segmentFileName = (seq: number): string => `seg-${String(seq).padStart(6, '0')}.mp4`;

export function segmentEncoderArgs(o: SegmentEncoderOptions): string[] {
  const g = o.framesPerSegment;
  return [
    '-hide_banner',
    '-nostdin',
    '-nostats',
    '-loglevel',
    'error',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    '-s',
    `${o.widthPx}x${o.heightPx}`,
    '-r',
    String(o.fps),
    '-i',
    'pipe:0',
    '-an',
    // yuv420p needs even sides; pad odd ones by a pixel rather than fail.
    '-vf',
    'pad=ceil(iw/2)*2:ceil(ih/2)*2',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-tune',
    'zerolatency',
    '-pix_fmt',
    'yuv420p',
    '-x264-params',
    `keyint=${g}:min-keyint=${g}:scenecut=0`,
    '-f',
    'segment',
    '-segment_time',
    String(g / o.fps),
    '-segment_start_number',
    String(o.startSeq),
    '-reset_timestamps',
    '1',
    '-segment_format',
    'mp4',
    '-segment_format_options',
    'movflags=+frag_keyframe+empty_moov+default_base_moof:frag_duration=1000000',
    join(o.segmentsDir, 'seg-%06d.mp4'),
  ];
}

export class SegmentEncoder extends EventEmitter<{
  /** ffmpeg ended on its own (not by close()): a write error such as a full disk, or a crash. */
  failed: [Error];
}> {
  private readonly child: ChildProcessByStdio<Writable, null, Readable>;
  private readonly exited: Promise<number | null>;
  private stderrTail: string[] = [];
  private framesAccepted = 0;
  private closing = false;
  private dead = false;
  private readonly frameBytes: number;
  dropped = 0;

  constructor(private readonly o: SegmentEncoderOptions) {
    super();
    this.frameBytes = o.widthPx * o.heightPx * 3;
    this.child = spawn(o.ffmpegPath, segmentEncoderArgs(o), {
      stdio: ['pipe', 'ignore', 'pipe'],
      windowsHide: true,
    });
    this.child.stderr.setEncoding('utf8').on('data', (d: string) => {
      this.stderrTail = [...this.stderrTail, ...d.split(/\r?\n/).filter((l) => l.trim())].slice(-10);
    });
    // EPIPE after ffmpeg died: the exit handler reports why.
    this.child.stdin.on('error', () => {});
    this.exited = new Promise((resolve) => {
      this.child.on('error', (e) => {
        this.dead = true;
        if (!this.closing) this.emit('failed', new Error(`cannot run ffmpeg: ${e.message}`));
        resolve(null);
      });
      this.child.on('exit', (code, signal) => {
        this.dead = true;
        if (!this.closing) {
          const why = this.stderrTail.at(-1) ?? `exit code ${code ?? signal}`;
          this.emit('failed', new Error(`ffmpeg stopped recording: ${why}`));
        }
        resolve(code);
      });
    });
  }

  get nextPlace(): FramePlace {
    return this.placeOf(this.framesAccepted);
  }

  /** Bytes written to ffmpeg that it has not read yet. */
  get backlogBytes(): number {
    return this.dead ? 0 : this.child.stdin.writableLength;
  }

  get framesWritten(): number {
    return this.framesAccepted;
  }

  /** The last stderr lines of ffmpeg (why it failed). */
  get stderr(): readonly string[] {
    return this.stderrTail;
  }

  /**
   * Queue one frame (copied). Returns where it will be in the recording, or null when it was
   * dropped because ffmpeg is behind (or gone): a slow disk never holds the pipeline up.
   */
  write(rgb: Uint8Array): FramePlace | null {
    if (this.dead || this.closing || rgb.length !== this.frameBytes) return null;
    if (this.child.stdin.writableLength + this.frameBytes > this.o.maxQueuedBytes) {
      this.dropped++;
      return null;
    }
    const place = this.placeOf(this.framesAccepted++);
    this.child.stdin.write(Buffer.from(rgb));
    return place;
  }

  /** Finish the current segment and wait for ffmpeg to exit (killed after the grace period). */
  async close(): Promise<void> {
    if (this.closing) return void (await this.exited);
    this.closing = true;
    if (this.dead) return;
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), this.o.closeTimeoutMs ?? 10_000);
    try {
      await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  private placeOf(n: number): FramePlace {
    return {
      seq: this.o.startSeq + Math.floor(n / this.o.framesPerSegment),
      indexInSegment: n % this.o.framesPerSegment,
    };
  }
}
