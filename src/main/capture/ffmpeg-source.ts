/**
 * Frames from ffmpeg: one child process per source decodes (file, network stream, camera),
 * scales to the size the pipeline asks for, and writes packed RGB24 to stdout. This module
 * assembles stdout into whole frames in the ring, watches the stream's health, and restarts
 * ffmpeg with backoff when it exits.
 *
 * The frame size is read from ffmpeg's own description of its output stream on stderr, so the
 * source needs no separate ffprobe run (one process, one connection to the camera).
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { Backoff } from '../core/backoff';
import type { Letterbox } from '../core/geometry';
import { modelFrameLetterbox, type ModelFrameFormat } from '../core/model-frame';
import { ffmpegCapabilities, resolveFfmpeg, type FfmpegCapabilities } from './ffmpeg-path';
import { DEFAULT_KILL_TIMEOUT_MS, SourceBase } from './source-base';
import { describeSource, maskCredentials, type SourceSpec } from './source-uri';
import type { RingWriteSlot } from './frame-ring';
import type { SizePx, SourceOptions } from './types';

export type FfmpegSpec = Extract<
  SourceSpec,
  { kind: 'file' | 'network' | 'v4l2' | 'dshow' | 'avfoundation' }
>;

export const DEFAULT_NETWORK_TIMEOUT_MS = 5000;
export const DEFAULT_STDERR_TAIL_LINES = 20;
/** Enough for cameras that send a keyframe every second; doubled after a probe too short to find the format. */
export const DEFAULT_PROBE_DURATION_MS = 1000;
const MAX_PROBE_DURATION_MS = 10_000;
/** A run that stayed live this long counts as healthy: the next failure starts backoff from the beginning. */
export const BACKOFF_RESET_AFTER_LIVE_MS = 10_000;
/** Longest stderr line kept; ffmpeg can print very long lines (metadata, SDP). */
const MAX_STDERR_LINE_CHARS = 2000;
/** Video bytes held while the output size is not yet known. Far more than the header delay needs. */
const MAX_PENDING_BYTES = 64 * 1024 * 1024;
const FILE_ACCESS_TIMEOUT_MS = 5000;

export interface FfmpegArgsContext {
  outputSize?: Partial<SizePx>;
  fitInside?: SizePx;
  /** Make the model-sized frame (wins over outputSize/fitInside). */
  modelFrame?: ModelFrameFormat;
  /** With modelFrame: a second output, the preview picture, on pipe 3. */
  previewFitInside?: SizePx;
  /** With previewFitInside: the preview of every n-th frame only (1 or absent: every frame). */
  previewEvery?: number;
  networkTimeoutMs: number;
  /** How much of a network stream ffmpeg reads to learn its format (`-analyzeduration`). */
  probeDurationMs: number;
  caps: Pick<FfmpegCapabilities, 'rtspTimeoutOption' | 'fpsModeOption'>;
}

/**
 * The protocols ffmpeg may open for a source, and nothing else: a file cannot pull in a network
 * URL (e.g. an HLS playlist or concat list naming http://internal/...), and a stream cannot make
 * ffmpeg read local files.
 */
export const PROTOCOL_WHITELIST: Record<'file' | FfmpegNetworkProtocol, string> = {
  file: 'file',
  rtsp: 'rtsp,rtp,tcp,udp',
  rtsps: 'rtsps,rtsp,rtp,tcp,udp,tls',
  tcp: 'tcp',
  udp: 'udp',
  http: 'http,tcp',
  https: 'https,tls,tcp',
};
type FfmpegNetworkProtocol = Extract<FfmpegSpec, { kind: 'network' }>['protocol'];

/** The ffmpeg command line for a source. Pure, exported for tests and for logging the exact command. */
export function buildFfmpegArgs(spec: FfmpegSpec, ctx: FfmpegArgsContext): string[] {
  const input: string[] = [];
  const filters: string[] = [];
  const timeoutUs = String(Math.round(ctx.networkTimeoutMs * 1000));
  switch (spec.kind) {
    case 'file':
      // -re paces reading at the file's own frame rate, like a camera; without it ffmpeg decodes flat out.
      if (spec.fps !== 'max') input.push('-re');
      if (spec.loop) input.push('-stream_loop', '-1');
      input.push('-protocol_whitelist', PROTOCOL_WHITELIST.file, '-i', spec.path);
      if (typeof spec.fps === 'number') filters.push(`fps=${spec.fps}`);
      break;
    case 'network': {
      if (spec.protocol === 'rtsp' || spec.protocol === 'rtsps') {
        // TCP interleaving: UDP RTP loses packets on busy plant networks and gives smeared frames.
        input.push('-rtsp_transport', 'tcp', ctx.caps.rtspTimeoutOption, timeoutUs);
      } else {
        input.push('-rw_timeout', timeoutUs);
      }
      // Do not buffer input for smoother playback: we want the newest picture, not a smooth one.
      // ffmpeg's default 5 s of probing would delay every (re)connect by 5 s on MPEG-TS.
      const probeUs = String(Math.round(ctx.probeDurationMs * 1000));
      input.push('-fflags', 'nobuffer', '-flags', 'low_delay', '-analyzeduration', probeUs);
      input.push('-protocol_whitelist', PROTOCOL_WHITELIST[spec.protocol], '-i', spec.url);
      break;
    }
    case 'v4l2':
    case 'dshow':
    case 'avfoundation':
      input.push('-f', spec.kind);
      if (spec.size) input.push('-video_size', `${spec.size.widthPx}x${spec.size.heightPx}`);
      if (spec.fps !== undefined) input.push('-framerate', String(spec.fps));
      // avfoundation takes "video:audio"; name no audio device so it does not open the microphone.
      input.push(
        '-i',
        spec.kind === 'avfoundation' && !spec.device.includes(':') ? `${spec.device}:none` : spec.device,
      );
      break;
  }
  if (ctx.modelFrame) return [...head(input), ...modelFrameOutputs(filters, ctx)];
  const size = ctx.outputSize;
  if (size && (size.widthPx !== undefined || size.heightPx !== undefined)) {
    // -2 keeps the aspect ratio (rounded to even) for the side that was not given.
    filters.push(`scale=${size.widthPx ?? -2}:${size.heightPx ?? -2}:flags=bilinear`);
  } else if (ctx.fitInside) {
    // Shrink to fit the box, aspect kept; a picture already smaller is left alone.
    const { widthPx: w, heightPx: h } = ctx.fitInside;
    filters.push(
      `scale=w='min(${w},iw)':h='min(${h},ih)':force_original_aspect_ratio=decrease:flags=bilinear`,
    );
  }
  return [
    ...head(input),
    '-map',
    '0:v:0',
    ...NO_OTHER_STREAMS,
    ...(filters.length > 0 ? ['-vf', filters.join(',')] : []),
    ...rawOutput(ctx, 'pipe:1'),
  ];
}

function head(input: string[]): string[] {
  return ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info', ...input];
}

const NO_OTHER_STREAMS = ['-an', '-sn', '-dn'];

function rawOutput(ctx: FfmpegArgsContext, target: string): string[] {
  return [
    // Passthrough: one output frame per decoded frame, no duplicates or drops invented by ffmpeg.
    ctx.caps.fpsModeOption,
    'passthrough',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    target,
  ];
}

/** Frames whose detached preview may still come (it comes one preview interval late). */
const MAX_PREVIEWS_AWAITED = 64;

/** Extra stdio slot of the preview output (`pipe:3`). */
export const PREVIEW_FD = 3;

/**
 * The model-input picture, as `computeLetterbox`/`computeStretch` place it, so the numbers the
 * source computes for mapping positions back are the ones ffmpeg used: resized to
 * round(camera × scale), padded at round(pad / 2 − 0.1) (Ultralytics) or top-left (YOLOX). The
 * pad is applied to RGB, where ffmpeg does not round offsets to a chroma grid.
 */
export function modelFrameFilter(f: ModelFrameFormat): string {
  const { widthPx: w, heightPx: h } = f;
  if (f.resize === 'stretch') return `scale=${w}:${h}:flags=bilinear,format=rgb24`;
  const s = `min(${w}/iw\\,${h}/ih)`;
  const pad = f.padValue.toString(16).padStart(2, '0');
  const at = (side: number, dim: 'iw' | 'ih'): string =>
    f.padCentred ? `'max(0\\,round((${side}-${dim})/2-0.1))'` : '0';
  return (
    `scale=w='round(iw*${s})':h='round(ih*${s})':flags=bilinear,format=rgb24,` +
    `pad=w=${w}:h=${h}:x=${at(w, 'iw')}:y=${at(h, 'ih')}:color=0x${pad}${pad}${pad}`
  );
}

function previewFilter(box: SizePx, every: number): string {
  // Chosen before scaling, so the frames without a preview cost ffmpeg nothing on this branch.
  const select = every > 1 ? `select='not(mod(n\\,${every}))',` : '';
  return (
    `${select}scale=w='min(${box.widthPx}\\,iw)':h='min(${box.heightPx}\\,ih)':` +
    `force_original_aspect_ratio=decrease:flags=bilinear,format=rgb24`
  );
}

/** The model frame on pipe 1 and, when asked, the preview picture of the same frame on pipe 3. */
function modelFrameOutputs(filters: string[], ctx: FfmpegArgsContext): string[] {
  const model = modelFrameFilter(ctx.modelFrame!);
  const pre = filters.length > 0 ? `${filters.join(',')},` : '';
  if (!ctx.previewFitInside)
    return ['-map', '0:v:0', ...NO_OTHER_STREAMS, '-vf', pre + model, ...rawOutput(ctx, 'pipe:1')];
  const graph = `[0:v:0]${pre}split=2[m][p];[m]${model}[mo];[p]${previewFilter(ctx.previewFitInside, ctx.previewEvery ?? 1)}[po]`;
  return [
    '-filter_complex',
    graph,
    '-map',
    '[mo]',
    ...NO_OTHER_STREAMS,
    ...rawOutput(ctx, 'pipe:1'),
    '-map',
    '[po]',
    ...NO_OTHER_STREAMS,
    ...rawOutput(ctx, `pipe:${PREVIEW_FD}`),
  ];
}

/**
 * An ffmpeg stderr line that reports trouble (also used to pick the line that explains a failure).
 * An HTTP status counts only beside the words ffmpeg prints with it: a bare number, such as the
 * metadata line `minor_version : 512`, is no error.
 */
export function looksLikeError(line: string): boolean {
  return /error|fail|refused|no such|invalid|denied|timed? ?out|not found|unreachable|unauthori[sz]ed|forbidden|(?:http|returned|status)\D{0,20}\b[45]\d\d\b|could not|cannot|unable|end of file|unspecified|corrupt|partial file|truncat/i.test(
    line,
  );
}

/** ffmpeg's words for a file that ends before its own index says it should. */
const TRUNCATED_RE = /partial file|truncated|moov atom not found|unexpected end of file/i;

/**
 * Line splitter over ffmpeg's stderr: keeps the last lines for error messages and finds the size
 * of the raw video output in the "Output #0 ... Stream #0:0: Video: rawvideo ..., WxH" block.
 */
export class FfmpegStderr {
  private readonly lines: string[] = [];
  /** The first line saying the input is cut short, if any. */
  truncatedLine: string | undefined;
  private partial = '';
  /** Index of the "Output #N" block being read; -1 before the first. */
  private outputIndex = -1;
  /** Size of each raw video output, by output index. */
  readonly outputSizes: (SizePx | undefined)[] = [];
  /** Size of the decoded input video ("Input #0 ... Stream #0:0: Video: h264 ..., WxH"). */
  inputSize: SizePx | undefined;

  constructor(
    private readonly maxLines = DEFAULT_STDERR_TAIL_LINES,
    /** Called with each line that reads like trouble, credentials masked. */
    private readonly onTrouble?: (line: string) => void,
    /** Raw video outputs the command line has (2 with a preview). */
    private readonly outputs = 1,
  ) {}

  /** Size of the (first) raw video output. */
  get outputSize(): SizePx | undefined {
    return this.outputSizes[0];
  }

  /** True once every output's size is known. */
  get allOutputSizes(): boolean {
    for (let i = 0; i < this.outputs; i++) if (!this.outputSizes[i]) return false;
    return true;
  }

  feed(text: string): void {
    const parts = (this.partial + text).split(/\r\n|\n|\r/);
    this.partial = (parts.pop() ?? '').slice(0, MAX_STDERR_LINE_CHARS);
    for (const line of parts) this.addLine(line);
  }

  /** Last lines, oldest first, credentials masked. */
  tail(): string[] {
    const out = this.partial.trim() ? [...this.lines, this.partial] : [...this.lines];
    return out.slice(-this.maxLines).map(maskCredentials);
  }

  /** The line most likely to explain a failure: the last one that reads like an error, if any. */
  errorLine(): string | undefined {
    const t = this.tail();
    for (let i = t.length - 1; i >= 0; i--) {
      if (looksLikeError(t[i])) return t[i].trim();
    }
    return undefined;
  }

  private addLine(raw: string): void {
    const line = raw.slice(0, MAX_STDERR_LINE_CHARS);
    if (line.trim() === '') return;
    this.lines.push(line);
    if (this.lines.length > this.maxLines) this.lines.shift();
    if (TRUNCATED_RE.test(line)) this.truncatedLine ??= maskCredentials(line.trim());
    if (this.onTrouble && looksLikeError(line)) this.onTrouble(maskCredentials(line.trim()));
    if (this.allOutputSizes) return;
    const out = /^Output #(\d+)\b/.exec(line);
    if (out) this.outputIndex = Number(out[1]);
    else if (/Stream #\d+:\d+.*: Video: /.test(line)) {
      // "(RGB[24] / 0x18424752)" looks like a size; a real size is followed by a space, comma, [ or end.
      const m = /\s(\d{1,5})x(\d{1,5})(?=[\s,[]|$)/.exec(line.slice(line.indexOf('Video:')));
      const found = m ? { widthPx: Number(m[1]), heightPx: Number(m[2]) } : undefined;
      if (this.outputIndex >= 0 && /: Video: rawvideo/.test(line))
        this.outputSizes[this.outputIndex] ??= found;
      else if (this.outputIndex < 0) this.inputSize ??= found;
    }
  }
}

/**
 * One of ffmpeg's raw video outputs: pipe 1 carries the frame (model-sized or plain), pipe 3 the
 * preview picture of the same frame. Each is cut into frames on its own; frame k of every pipe
 * goes into the same ring buffer. A thinned-out preview (`previewEvery` above 1) is `detached`:
 * its picture k shows frame k × previewEvery and goes into the reader's own buffer, to be handed
 * over on its own once that frame is out.
 */
interface PipeReader {
  readonly stream: Readable;
  readonly part: 'frame' | 'preview' | 'detached';
  /** The picture being received (`detached` only; one, reused). */
  picture: Buffer | undefined;
  /** 0 until ffmpeg has described the output. */
  frameBytes: number;
  widthPx: number;
  heightPx: number;
  /** Bytes that came before the size was known. */
  pending: Buffer[];
  pendingBytes: number;
  /** Bytes of the current frame received so far. */
  offset: number;
  /** Frames of this pipe completed so far. */
  frameNo: number;
  current: Assembly | undefined;
  /** stdout received while paused for a free buffer, in order ('data' may still come after pause()). */
  held: Buffer[] | null;
  /** Stable callback for `ring.whenFree`. */
  resume: () => void;
}

/** A frame being put together from every pipe; `slot` undefined = dropped (no free buffer). */
interface Assembly {
  slot: RingWriteSlot | undefined;
  /** Pipes that have delivered their part. */
  parts: number;
}

/** One ffmpeg process and the frames being assembled from its pipes. */
interface Run {
  child: ChildProcessByStdio<null, Readable, Readable>;
  stderr: FfmpegStderr;
  exited: Promise<void>;
  ended: boolean;
  readers: PipeReader[];
  /** Frames begun by some pipe and not yet published, oldest first. */
  assembly: Assembly[];
  /** Frame number (per pipe) of `assembly[0]`: frames before it are out (published or dropped). */
  assemblyBase: number;
  /** Frame number → frame id of the published frames a detached preview is still to come for. */
  previewIds: Map<number, number>;
  /** A detached preview complete before its frame was out: that frame's number (its pipe is paused). */
  previewWaitsFor: number | undefined;
  /** Held data being replayed (`resumeReading` calls in progress). */
  replaying: number;
  /** The process ended while frames were held back for a free buffer; runs once they are out. */
  deferredFinish?: () => void;
  frames: number;
  firstFrameAtMs: number | undefined;
  /** Camera → model frame placement (model-frame runs), known with the sizes. */
  letterbox: Letterbox | undefined;
  /** Why we killed it ourselves, so the exit is reported for what it was. */
  killReason: string | undefined;
}

const isHeld = (r: PipeReader): boolean => r.held !== null;

export class FfmpegSource extends SourceBase {
  private run: Run | undefined;
  private ffmpegPath = '';
  private caps: FfmpegCapabilities | undefined;
  private readonly backoff: Backoff;
  private restartTimer: NodeJS.Timeout | undefined;
  private framesEver = 0;
  private readonly killTimeoutMs: number;
  private readonly networkTimeoutMs: number;
  private readonly maxRestarts: number;
  private probeDurationMs: number;
  /** `whenBuffersBusy: 'wait'` on a file: pause the decoder instead of dropping. */
  private readonly waitForBuffers: boolean;
  /** The decoder makes the preview picture too (model-frame runs only). */
  private readonly withPreview: boolean;
  /** The preview of every n-th frame only; above 1 it comes apart from its frame. */
  private readonly previewEvery: number;

  constructor(
    readonly spec: FfmpegSpec,
    options: SourceOptions = {},
  ) {
    super(describeSource(spec), options);
    this.backoff = new Backoff(options.backoff ?? {});
    this.killTimeoutMs = options.killTimeoutMs ?? DEFAULT_KILL_TIMEOUT_MS;
    this.networkTimeoutMs = options.networkTimeoutMs ?? DEFAULT_NETWORK_TIMEOUT_MS;
    this.maxRestarts = options.maxRestarts ?? Number.POSITIVE_INFINITY;
    this.probeDurationMs = options.probeDurationMs ?? DEFAULT_PROBE_DURATION_MS;
    // A live camera must never wait for a slow consumer (its frames would go stale); a file can.
    this.waitForBuffers = options.whenBuffersBusy === 'wait' && spec.kind === 'file';
    this.withPreview = options.modelFrame !== undefined && options.previewFitInside !== undefined;
    this.previewEvery = options.previewEvery ?? 1;
    if (!Number.isInteger(this.previewEvery) || this.previewEvery < 1 || this.previewEvery > 1000)
      throw new RangeError(`previewEvery must be a whole number within 1..1000 (got ${this.previewEvery})`);
    const tail = options.stderrTailLines ?? DEFAULT_STDERR_TAIL_LINES;
    if (!Number.isInteger(tail) || tail < 1 || tail > 1000)
      throw new RangeError(`stderrTailLines must be within 1..1000 (got ${tail})`);
  }

  override get pid(): number | undefined {
    return this.run && !this.run.ended ? this.run.child.pid : undefined;
  }

  /** The exact ffmpeg arguments of the current (or next) run, for logs and diagnostics. */
  get args(): string[] | undefined {
    return this.caps ? this.buildArgs(this.caps) : undefined;
  }

  protected async launch(): Promise<void> {
    try {
      this.ffmpegPath = resolveFfmpeg({ configuredPath: this.options.ffmpegPath }).path;
      this.caps = await ffmpegCapabilities(this.ffmpegPath);
    } catch (e) {
      this.setState('error', (e as Error).message);
      return;
    }
    if (this.spec.kind === 'file') {
      const problem = await checkReadable(this.spec.path);
      if (problem) {
        this.setState('error', problem);
        return;
      }
    }
    if (this.stopping) return;
    this.spawnRun();
  }

  protected async shutdown(): Promise<void> {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const run = this.run;
    if (run && !run.ended) await this.kill(run, 'stopped by request');
  }

  protected onStallTimeout(): void {
    const run = this.run;
    if (run && !run.ended)
      void this.kill(run, `no frame for ${this.restartAfterStallMs} ms; restarting ffmpeg`);
  }

  private buildArgs(caps: FfmpegCapabilities): string[] {
    return buildFfmpegArgs(this.spec, {
      outputSize: this.options.outputSize,
      fitInside: this.options.fitInside,
      modelFrame: this.options.modelFrame,
      previewFitInside: this.withPreview ? this.options.previewFitInside : undefined,
      previewEvery: this.previewEvery,
      networkTimeoutMs: this.networkTimeoutMs,
      probeDurationMs: this.probeDurationMs,
      caps,
    });
  }

  private spawnRun(): void {
    if (!this.caps || this.stopping || this.isFinished) return;
    this.markProgress();
    let child: ChildProcessByStdio<null, Readable, Readable>;
    try {
      child = spawn(this.ffmpegPath, this.buildArgs(this.caps), {
        // fd 3: the preview output, a pipe of its own so neither picture waits for the other's bytes.
        stdio: this.withPreview ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
        windowsHide: true,
      }) as ChildProcessByStdio<null, Readable, Readable>;
    } catch (e) {
      // Synchronous spawn failures (e.g. a NUL byte in a path) are configuration errors.
      this.setState('error', `cannot start ffmpeg (${this.ffmpegPath}): ${(e as Error).message}`);
      return;
    }
    let resolveExited!: () => void;
    const streams: [PipeReader['part'], Readable][] = [['frame', child.stdout]];
    if (this.withPreview)
      streams.push([this.previewEvery > 1 ? 'detached' : 'preview', child.stdio[PREVIEW_FD] as Readable]);
    const run: Run = {
      child,
      stderr: new FfmpegStderr(
        this.options.stderrTailLines ?? DEFAULT_STDERR_TAIL_LINES,
        this.options.onWarning,
        streams.length,
      ),
      exited: new Promise<void>((r) => (resolveExited = r)),
      ended: false,
      readers: [],
      assembly: [],
      assemblyBase: 0,
      previewIds: new Map(),
      previewWaitsFor: undefined,
      replaying: 0,
      frames: 0,
      firstFrameAtMs: undefined,
      letterbox: undefined,
      killReason: undefined,
    };
    for (const [part, stream] of streams) {
      const reader: PipeReader = {
        stream,
        part,
        picture: undefined,
        frameBytes: 0,
        widthPx: 0,
        heightPx: 0,
        pending: [],
        pendingBytes: 0,
        offset: 0,
        frameNo: 0,
        current: undefined,
        held: null,
        resume: () => this.resumeReading(run, reader),
      };
      run.readers.push(reader);
      stream.on('data', (chunk: Buffer) => this.onData(run, reader, chunk));
    }
    this.run = run;
    const finish = (code: number | null, signal: NodeJS.Signals | null, spawnError?: Error): void => {
      if (run.ended) return;
      if (run.readers.some(isHeld) && !run.killReason) {
        // The last frames are still held back waiting for a free buffer: end after they are out.
        run.deferredFinish = () => finish(code, signal, spawnError);
        return;
      }
      run.ended = true;
      resolveExited();
      this.onRunEnded(run, code, signal, spawnError);
    };
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      run.stderr.feed(text);
      if (run.readers[0]!.frameBytes === 0 && run.stderr.allOutputSizes) this.onSizesKnown(run);
    });
    child.on('error', (err) => {
      // Spawn failures (ENOENT, EACCES) never get a 'close' with stdio; finish here.
      if (child.pid === undefined) finish(null, null, err);
    });
    // 'close' comes after every pipe is drained, so the last frame is delivered before we judge the exit.
    child.on('close', (code, signal) => finish(code, signal));
  }

  private onSizesKnown(run: Run): void {
    const model = this.options.modelFrame;
    if (model) {
      const out = run.stderr.outputSize!;
      const camera = run.stderr.inputSize;
      if (out.widthPx !== model.widthPx || out.heightPx !== model.heightPx || !camera) {
        this.setState(
          'error',
          camera
            ? `ffmpeg made ${out.widthPx}x${out.heightPx} frames where the model needs ${model.widthPx}x${model.heightPx}`
            : 'ffmpeg did not describe the camera picture; cannot map positions back to camera pixels',
          { stderrTail: run.stderr.tail() },
        );
        void this.kill(run, 'frame size mismatch');
        return;
      }
      run.letterbox = modelFrameLetterbox(camera.widthPx, camera.heightPx, model);
    }
    run.readers.forEach((r, i) => {
      const size = run.stderr.outputSizes[i]!;
      r.widthPx = size.widthPx;
      r.heightPx = size.heightPx;
      r.frameBytes = size.widthPx * size.heightPx * 3;
      if (r.part === 'detached') r.picture = Buffer.allocUnsafe(r.frameBytes);
    });
    const coupled = run.readers[1]?.part === 'preview' ? run.readers[1] : undefined;
    this.ring.configure(run.readers[0]!.frameBytes, coupled?.frameBytes ?? 0);
    for (const r of run.readers) {
      const pending = r.pending;
      r.pending = [];
      r.pendingBytes = 0;
      for (const chunk of pending) this.onData(run, r, chunk);
    }
  }

  private onData(run: Run, reader: PipeReader, chunk: Buffer): void {
    if (run !== this.run || run.killReason) return;
    if (reader.held) {
      reader.held.push(chunk);
      return;
    }
    if (reader.frameBytes === 0) {
      // Video and stderr are separate pipes: video can arrive before the line giving its size.
      reader.pending.push(chunk);
      reader.pendingBytes += chunk.length;
      if (reader.pendingBytes > MAX_PENDING_BYTES)
        void this.kill(
          run,
          'ffmpeg sent video without describing its output size; cannot split it into frames',
        );
      return;
    }
    let pos = 0;
    while (pos < chunk.length) {
      let target: Uint8Array | undefined;
      if (reader.part === 'detached') target = reader.picture;
      else {
        if (reader.current === undefined) {
          const asm = this.assemblyFor(run, reader);
          if (asm === 'wait') {
            // Stop reading; ffmpeg blocks on the full pipe and stops decoding until we go on.
            reader.held = [chunk.subarray(pos)];
            reader.stream.pause();
            this.ring.whenFree(reader.resume);
            return;
          }
          reader.current = asm;
        }
        target = reader.part === 'frame' ? reader.current.slot?.rgb : reader.current.slot?.preview;
      }
      const n = Math.min(reader.frameBytes - reader.offset, chunk.length - pos);
      target?.set(chunk.subarray(pos, pos + n), reader.offset);
      reader.offset += n;
      pos += n;
      if (reader.offset === reader.frameBytes) {
        reader.offset = 0;
        reader.frameNo++;
        if (reader.part === 'detached') {
          if (!this.detachedPreviewDone(run, reader)) {
            // Its frame is not out yet (waiting for a free buffer): read no further until it is.
            reader.held = [chunk.subarray(pos)];
            reader.stream.pause();
            return;
          }
        } else {
          reader.current!.parts++;
          reader.current = undefined;
          this.publishComplete(run);
        }
        if (run !== this.run || run.killReason) return;
      }
    }
  }

  /**
   * A detached preview picture is complete: handed over now if its frame is out, else (false)
   * kept until it is. ffmpeg writes a frame before its preview, so that frame is at worst held
   * back waiting for a free buffer.
   */
  private detachedPreviewDone(run: Run, reader: PipeReader): boolean {
    const frameNo = (reader.frameNo - 1) * this.previewEvery;
    if (frameNo >= run.assemblyBase) {
      run.previewWaitsFor = frameNo;
      return false;
    }
    this.handOverPreview(run, reader, frameNo);
    return true;
  }

  private handOverPreview(run: Run, reader: PipeReader, frameNo: number): void {
    const frameId = run.previewIds.get(frameNo);
    // Previews come in frame order: ids of earlier frames will not be asked for again.
    for (const n of run.previewIds.keys()) if (n <= frameNo) run.previewIds.delete(n);
    // No id: the frame was dropped (no free buffer), and its picture goes with it.
    if (frameId === undefined || !reader.picture) return;
    this.publishPreview({
      frameId,
      picture: { rgb: reader.picture, widthPx: reader.widthPx, heightPx: reader.heightPx },
    });
  }

  /** The frame `reader` starts now: begun by another pipe already, or a new one ('wait': none free). */
  private assemblyFor(run: Run, reader: PipeReader): Assembly | 'wait' {
    const existing = run.assembly[reader.frameNo - run.assemblyBase];
    if (existing) return existing;
    if (this.waitForBuffers && this.ring.freeCount === 0) return 'wait';
    const asm: Assembly = { slot: this.acquireBuffer(), parts: 0 };
    run.assembly.push(asm);
    return asm;
  }

  /** Hands over, in order, every frame all pipes have delivered. */
  private publishComplete(run: Run): void {
    // A detached preview is no part of its frame.
    const parts = run.readers.filter((r) => r.part !== 'detached').length;
    while (run.assembly.length > 0 && run.assembly[0]!.parts === parts) {
      const { slot } = run.assembly.shift()!;
      run.assemblyBase++;
      run.frames++;
      this.framesEver++;
      run.firstFrameAtMs ??= Date.now();
      const main = run.readers[0]!;
      const preview = run.readers[1]?.part === 'preview' ? run.readers[1] : undefined;
      const frameNo = run.assemblyBase - 1;
      if (slot) {
        const frameId = this.publish(slot, main.widthPx, main.heightPx, this.sourceSizeOf(run), {
          letterbox: run.letterbox,
          preview: preview ? { widthPx: preview.widthPx, heightPx: preview.heightPx } : undefined,
        });
        if (frameId !== undefined && this.previewEvery > 1 && frameNo % this.previewEvery === 0) {
          run.previewIds.set(frameNo, frameId);
          // Bounded should the previews stop coming: the oldest are forgotten.
          for (const n of run.previewIds.keys()) {
            if (run.previewIds.size <= MAX_PREVIEWS_AWAITED) break;
            run.previewIds.delete(n);
          }
        }
      }
      // A frame dropped for lack of a buffer still proves the camera is alive.
      else this.markProgress();
      if (run !== this.run || run.killReason) return;
      if (run.previewWaitsFor === frameNo) {
        run.previewWaitsFor = undefined;
        const detached = run.readers[1]!;
        this.handOverPreview(run, detached, frameNo);
        if (run !== this.run || run.killReason) return;
        this.resumeReading(run, detached);
        if (run !== this.run || run.killReason) return;
      }
    }
  }

  private resumeReading(run: Run, reader: PipeReader): void {
    const held = reader.held;
    reader.held = null;
    if (run !== this.run || run.ended || run.killReason) return;
    if (held) {
      // Replaying one pipe can let another go on (a detached preview whose frame is now out); the
      // process's end waits for both.
      run.replaying++;
      try {
        for (let i = 0; i < held.length; i++) {
          this.onData(run, reader, held[i]!);
          if (isHeld(reader)) {
            // Nothing free again: keep the rest, in order, and stay paused.
            reader.held!.push(...held.slice(i + 1));
            return;
          }
        }
      } finally {
        run.replaying--;
      }
    }
    reader.stream.resume();
    if (run.replaying > 0 || run.readers.some(isHeld)) return;
    const finish = run.deferredFinish;
    run.deferredFinish = undefined;
    finish?.();
  }

  protected override get waitingForConsumer(): boolean {
    return this.run?.readers.some(isHeld) ?? false;
  }

  /** The camera's size when ffmpeg scaled it (`fitInside`, `modelFrame`), for mapping positions back. */
  private sourceSizeOf(run: Run): SizePx | undefined {
    if (run.letterbox) return { widthPx: run.letterbox.srcWidthPx, heightPx: run.letterbox.srcHeightPx };
    const input = run.stderr.inputSize;
    const main = run.readers[0]!;
    if (!this.options.fitInside || this.options.outputSize || !input) return undefined;
    return input.widthPx === main.widthPx && input.heightPx === main.heightPx ? undefined : input;
  }

  private onRunEnded(run: Run, code: number | null, signal: NodeJS.Signals | null, spawnError?: Error): void {
    for (const asm of run.assembly.splice(0)) if (asm.slot) this.ring.abandon(asm.slot);
    for (const r of run.readers) r.current = undefined;
    if (this.stopping || this.isFinished) return;
    const tail = run.stderr.tail();
    const detail = run.stderr.errorLine();
    if (spawnError) {
      this.setState('error', `cannot start ffmpeg (${this.ffmpegPath}): ${spawnError.message}`);
      return;
    }
    if (this.spec.kind === 'file' && !run.killReason) {
      if (code === 0 && run.stderr.truncatedLine !== undefined) {
        // ffmpeg exits 0 on a file cut short; what it decoded is not the whole recording.
        this.setState(
          'error',
          `${this.spec.path} ended early, the file is damaged or cut short: ${run.stderr.truncatedLine}`,
          { stderrTail: tail },
        );
        return;
      }
      if (code === 0 && !this.spec.loop) {
        this.setState('stopped', 'end of stream', { stderrTail: tail });
        return;
      }
      if (this.framesEver === 0 && code !== 0 && signal === null) {
        // A file that never decoded will not decode on retry either.
        this.setState(
          'error',
          `cannot read ${this.spec.path}: ${detail ?? tail[tail.length - 1] ?? `ffmpeg exited with code ${code}`}`,
          { stderrTail: tail },
        );
        return;
      }
    }
    if (run.firstFrameAtMs !== undefined && Date.now() - run.firstFrameAtMs >= BACKOFF_RESET_AFTER_LIVE_MS)
      this.backoff.reset();
    if (run.frames === 0 && detail && /unspecified size|could not find codec parameters/i.test(detail)) {
      // The stream's format was not known after probing: the next attempt reads longer.
      this.probeDurationMs = Math.min(MAX_PROBE_DURATION_MS, this.probeDurationMs * 2);
    }
    let reason: string;
    if (run.killReason) reason = run.killReason;
    else if (signal) reason = `ffmpeg was killed (${signal})`;
    else if (code === 0) reason = `stream ended after ${run.frames} frames`;
    else reason = `ffmpeg exited with code ${code}: ${detail ?? tail[tail.length - 1] ?? 'no message'}`;
    if (run.readers.some((r) => r.offset > 0)) reason += ` (incomplete last frame discarded)`;
    this.scheduleRestart(reason, tail);
  }

  private scheduleRestart(reason: string, tail: string[]): void {
    if (this.backoff.attempts >= this.maxRestarts) {
      this.setState('error', `${reason}; gave up after ${this.maxRestarts} restarts`, { stderrTail: tail });
      return;
    }
    const delayMs = this.backoff.next();
    this.setState('reconnecting', reason, {
      stderrTail: tail,
      attempt: this.backoff.attempts,
      retryInMs: delayMs,
    });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.stats.restarts++;
      this.spawnRun();
    }, delayMs);
  }

  /** SIGTERM, then SIGKILL after killTimeoutMs; resolves when the process has exited. */
  private async kill(run: Run, reason: string): Promise<void> {
    run.killReason ??= reason;
    for (const r of run.readers) r.held = null;
    const deferred = run.deferredFinish;
    run.deferredFinish = undefined;
    deferred?.();
    if (run.ended) return;
    // A stream paused for a free buffer must drain, or the process's 'close' never comes.
    for (const r of run.readers) r.stream.resume();
    run.child.kill('SIGTERM');
    const hard = setTimeout(() => {
      if (!run.ended) run.child.kill('SIGKILL');
    }, this.killTimeoutMs);
    try {
      await run.exited;
    } finally {
      clearTimeout(hard);
    }
  }
}

/** A clear reason when a file cannot be read, before ffmpeg gives a vaguer one. Bounded in time for network shares. */
async function checkReadable(path: string): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((r) => {
    timer = setTimeout(
      () => r(`file ${path} did not answer within ${FILE_ACCESS_TIMEOUT_MS} ms (unreachable network share?)`),
      FILE_ACCESS_TIMEOUT_MS,
    );
  });
  const check = access(path, constants.R_OK).then(
    () => undefined,
    (e: NodeJS.ErrnoException) =>
      e.code === 'ENOENT'
        ? `file not found: ${path}`
        : e.code === 'EACCES'
          ? `no permission to read ${path}`
          : `cannot open ${path}: ${e.message}`,
  );
  try {
    return await Promise.race([check, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
