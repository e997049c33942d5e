/**
 * Which ffmpeg to run: the configured one, else the first on PATH, else the binary shipped in the
 * npm package `@ffmpeg-installer/ffmpeg`. A system ffmpeg is preferred over the bundled one
 * because distributions keep it patched and built with hardware decoders; the bundled one is the
 * fallback that makes a fresh Windows machine work at all.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

export type FfmpegOrigin = 'config' | 'path' | 'npm';

export interface ResolvedFfmpeg {
  path: string;
  origin: FfmpegOrigin;
}

export interface ResolveFfmpegOptions {
  /** Path from configuration. When given it must work: a typo is reported, never silently bypassed. */
  configuredPath?: string;
  /** Defaults to process.env.PATH / PATHEXT and process.platform; injectable for tests. */
  envPath?: string;
  pathExt?: string;
  platform?: NodeJS.Platform;
  /** Set false to skip the npm package (tests). */
  allowNpm?: boolean;
}

export class FfmpegNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FfmpegNotFoundError';
  }
}

function isExecutableFile(p: string, platform: NodeJS.Platform): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    // Windows has no execute bit; the extension decided already.
    if (platform !== 'win32') accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function searchPath(envPath: string, platform: NodeJS.Platform, pathExt: string): string | undefined {
  const names =
    platform === 'win32'
      ? pathExt
          .split(';')
          .filter(Boolean)
          .map((ext) => `ffmpeg${ext.toLowerCase()}`)
      : ['ffmpeg'];
  for (const dir of envPath.split(platform === 'win32' ? ';' : delimiter)) {
    if (!dir) continue;
    for (const name of names) {
      const p = join(dir.replace(/^"(.*)"$/, '$1'), name);
      if (isExecutableFile(p, platform)) return p;
    }
  }
  return undefined;
}

function npmFfmpeg(): string | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pkg = require('@ffmpeg-installer/ffmpeg') as { path?: unknown };
    if (typeof pkg.path !== 'string') return undefined;
    // Inside a packaged Electron app the binary must live in app.asar.unpacked: a process
    // cannot be spawned from inside an asar archive.
    return pkg.path.replace(/app\.asar([\\/])/, 'app.asar.unpacked$1');
  } catch {
    // The package is missing, or has no binary for this platform (it throws on unsupported ones).
    return undefined;
  }
}

export function resolveFfmpeg(options: ResolveFfmpegOptions = {}): ResolvedFfmpeg {
  const platform = options.platform ?? process.platform;
  if (options.configuredPath !== undefined && options.configuredPath !== '') {
    const p = isAbsolute(options.configuredPath) ? options.configuredPath : resolve(options.configuredPath);
    if (!isExecutableFile(p, platform)) {
      throw new FfmpegNotFoundError(
        `configured ffmpeg "${p}" does not exist or is not executable; fix the ffmpeg path in the settings or remove it to use the one on PATH`,
      );
    }
    return { path: p, origin: 'config' };
  }
  const onPath = searchPath(
    options.envPath ?? process.env['PATH'] ?? '',
    platform,
    options.pathExt ?? process.env['PATHEXT'] ?? '.EXE;.CMD;.BAT;.COM',
  );
  if (onPath) return { path: onPath, origin: 'path' };
  if (options.allowNpm !== false) {
    const p = npmFfmpeg();
    if (p && isExecutableFile(p, platform)) return { path: p, origin: 'npm' };
  }
  throw new FfmpegNotFoundError(
    'ffmpeg not found: not configured, not on PATH, and the bundled @ffmpeg-installer/ffmpeg binary is missing; install ffmpeg or set its path in the settings',
  );
}

/** What the ffmpeg build supports, where option names changed between major versions. */
export interface FfmpegCapabilities {
  /** e.g. "5.1.9-0+deb12u1" or "N-47683-g0e8eb07980-static". */
  versionText: string;
  /** libavformat major.minor, which dates a build reliably even for git snapshots. */
  libavformat: [number, number];
  /** RTSP socket timeout option: `-timeout` since ffmpeg 5 (lavf 59); `-stimeout` before, where `-timeout` meant "listen". */
  rtspTimeoutOption: '-timeout' | '-stimeout';
  /** Frame-rate mode option: `-fps_mode` since ffmpeg 5.1 (lavf 59.27); `-vsync` before (and deprecated after). */
  fpsModeOption: '-fps_mode' | '-vsync';
}

const capabilityCache = new Map<string, Promise<FfmpegCapabilities>>();

export function parseFfmpegVersion(output: string): FfmpegCapabilities {
  const versionText = /ffmpeg version (\S+)/.exec(output)?.[1] ?? 'unknown';
  const m = /libavformat\s+(\d+)\.\s*(\d+)\./.exec(output);
  // Unknown builds are assumed modern: old builds print their lavf version like every other.
  const lavf: [number, number] = m ? [Number(m[1]), Number(m[2])] : [99, 0];
  const atLeast = (major: number, minor: number): boolean =>
    lavf[0] > major || (lavf[0] === major && lavf[1] >= minor);
  return {
    versionText,
    libavformat: lavf,
    rtspTimeoutOption: atLeast(59, 0) ? '-timeout' : '-stimeout',
    fpsModeOption: atLeast(59, 27) ? '-fps_mode' : '-vsync',
  };
}

/** Run `ffmpeg -version` once per binary (cached) with a timeout; rejects with a clear reason. */
export function ffmpegCapabilities(ffmpegPath: string, timeoutMs = 10_000): Promise<FfmpegCapabilities> {
  let p = capabilityCache.get(ffmpegPath);
  if (!p) {
    p = new Promise<FfmpegCapabilities>((resolvePromise, reject) => {
      execFile(
        ffmpegPath,
        ['-hide_banner', '-version'],
        { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1 << 20, windowsHide: true },
        (err, stdout) => {
          if (err) reject(new Error(`cannot run ${ffmpegPath} -version: ${err.message}`));
          else resolvePromise(parseFfmpegVersion(stdout));
        },
      );
    });
    capabilityCache.set(ffmpegPath, p);
    // A failure is not cached: the binary may be fixed while the app runs.
    p.catch(() => capabilityCache.delete(ffmpegPath));
  }
  return p;
}
