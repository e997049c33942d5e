/**
 * Reading pictures back from video files with ffmpeg: every frame in order (re-runs), one frame
 * at a time position (review, export), and the size and rate of a plain video file.
 */
import { spawn, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ffmpegCapabilities } from '../capture/ffmpeg-path';

export interface VideoInfo {
  widthPx: number;
  heightPx: number;
  fps: number;
  durationMs: number | null;
}

const run = (
  ffmpegPath: string,
  args: string[],
  timeoutMs: number,
): Promise<{ stdout: Buffer; stderr: string; code: number | null }> =>
  new Promise((resolve, reject) => {
    execFile(
      ffmpegPath,
      args,
      {
        encoding: 'buffer',
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: 256 * 1024 * 1024,
        windowsHide: true,
      },
      (err, stdout, stderr) => {
        if (err && (err as NodeJS.ErrnoException).code === 'ENOENT')
          return reject(new Error(`cannot run ${ffmpegPath}`));
        if (err && err.killed) return reject(new Error(`ffmpeg did not finish within ${timeoutMs} ms`));
        resolve({
          stdout,
          stderr: stderr.toString('utf8'),
          code: err ? ((err as { code?: number }).code ?? 1) : 0,
        });
      },
    );
  });

/** Size, rate and duration from `ffmpeg -i` (no ffprobe needed: the npm ffmpeg has none). */
export async function probeVideo(ffmpegPath: string, file: string, timeoutMs = 15_000): Promise<VideoInfo> {
  const { stderr } = await run(ffmpegPath, ['-hide_banner', '-i', file], timeoutMs);
  const stream = /Stream #\d+:\d+.*?: Video: .*/.exec(stderr)?.[0];
  if (!stream) {
    const why = stderr.trim().split('\n').at(-1) ?? 'no video stream';
    throw new Error(`${file}: not a video ffmpeg can read (${why})`);
  }
  const size = /\s(\d{1,5})x(\d{1,5})(?=[\s,[]|$)/.exec(stream);
  const fps = /([\d.]+) fps/.exec(stream) ?? /([\d.]+) tbr/.exec(stream);
  const dur = /Duration: (\d+):(\d+):([\d.]+)/.exec(stderr);
  if (!size) throw new Error(`${file}: cannot read the picture size from ffmpeg`);
  return {
    widthPx: Number(size[1]),
    heightPx: Number(size[2]),
    fps: fps ? Number(fps[1]) : 25,
    durationMs: dur
      ? Math.round((Number(dur[1]) * 3600 + Number(dur[2]) * 60 + Number(dur[3])) * 1000)
      : null,
  };
}

export interface ExtractOptions {
  /** Seconds from the start of the file. */
  timeSec: number;
  /** Frame period of the file: the seek lands half a frame early so rounding cannot skip the frame. */
  frameSec: number;
  format: 'jpeg' | 'rgb';
  /** Scale to this size (e.g. the camera size the detections are measured in). */
  size?: { widthPx: number; heightPx: number };
  timeoutMs?: number;
}

/** One picture at a time position: JPEG bytes, or packed RGB24 of `size` (or the file's size). */
export async function extractFrame(ffmpegPath: string, file: string, o: ExtractOptions): Promise<Buffer> {
  const seek = Math.max(0, o.timeSec - o.frameSec / 2);
  const args = [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-ss',
    seek.toFixed(6),
    '-i',
    file,
    '-frames:v',
    '1',
    ...(o.size ? ['-vf', `scale=${o.size.widthPx}:${o.size.heightPx}:flags=bicubic`] : []),
    ...(o.format === 'jpeg'
      ? ['-f', 'image2pipe', '-c:v', 'mjpeg', '-q:v', '2', 'pipe:1']
      : ['-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']),
  ];
  const { stdout, stderr, code } = await run(ffmpegPath, args, o.timeoutMs ?? 20_000);
  if (code !== 0 || stdout.length === 0)
    throw new Error(
      `cannot extract the picture at ${o.timeSec.toFixed(3)} s of ${file}: ${stderr.trim() || 'no frame'}`,
    );
  return stdout;
}

/**
 * Every frame of a file in order, as packed RGB24 at the file's size, to `onFrame` (awaited: the
 * decoder waits while the consumer works, so memory stays at one frame). Resolves with the count.
 */
export async function decodeFrames(
  ffmpegPath: string,
  file: string,
  size: { widthPx: number; heightPx: number },
  onFrame: (rgb: Uint8Array, index: number) => Promise<void>,
  signal?: AbortSignal,
): Promise<number> {
  const caps = await ffmpegCapabilities(ffmpegPath);
  const child = spawn(
    ffmpegPath,
    [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-i',
      file,
      '-map',
      '0:v:0',
      caps.fpsModeOption,
      'passthrough',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      'pipe:1',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const onAbort = (): void => void child.kill('SIGKILL');
  signal?.addEventListener('abort', onAbort);
  // Cancelled before ffmpeg started (a model still loading): no 'abort' event will come.
  if (signal?.aborted) onAbort();
  const frameBytes = size.widthPx * size.heightPx * 3;
  const frame = new Uint8Array(frameBytes);
  let filled = 0;
  let count = 0;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      let off = 0;
      while (off < chunk.length) {
        const n = Math.min(frameBytes - filled, chunk.length - off);
        frame.set(chunk.subarray(off, off + n), filled);
        filled += n;
        off += n;
        if (filled === frameBytes) {
          await onFrame(frame, count++);
          filled = 0;
        }
      }
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  const code = await exited;
  if (signal?.aborted) throw new Error('cancelled');
  if (code !== 0)
    throw new Error(`ffmpeg could not decode ${file}: ${stderr.trim().split('\n').at(-1) ?? code}`);
  return count;
}

/**
 * Several pictures of one file by frame index (decode order, as `decodeFrames` counts them), as
 * JPEG files, in one ffmpeg run: far cheaper than one seek per picture for an export.
 */
export async function extractFramesToJpeg(
  ffmpegPath: string,
  file: string,
  indices: readonly number[],
  size: { widthPx: number; heightPx: number },
  outDir: string,
  timeoutMs = 120_000,
): Promise<string[]> {
  const caps = await ffmpegCapabilities(ffmpegPath);
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  const select = sorted.map((i) => `eq(n\\,${i})`).join('+');
  const { stderr, code } = await run(
    ffmpegPath,
    [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-i',
      file,
      '-map',
      '0:v:0',
      '-vf',
      `select='${select}',scale=${size.widthPx}:${size.heightPx}:flags=bicubic`,
      caps.fpsModeOption,
      'passthrough',
      '-q:v',
      '2',
      '-start_number',
      '0',
      join(outDir, '%08d.jpg'),
    ],
    timeoutMs,
  );
  if (code !== 0)
    throw new Error(`cannot extract pictures from ${file}: ${stderr.trim().split('\n').at(-1) ?? code}`);
  const files = sorted.map((_, k) => join(outDir, `${String(k).padStart(8, '0')}.jpg`));
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length > 0)
    throw new Error(`${file}: ${missing.length} of ${files.length} pictures could not be decoded`);
  return files;
}
