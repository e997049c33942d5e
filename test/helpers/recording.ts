import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolveFfmpeg } from '../../src/main/capture/ffmpeg-path';
import type { Frame } from '../../src/main/capture/types';
import type { FrameResult } from '../../src/shared/frame';

export const FFMPEG = resolveFfmpeg().path;

/** A borrowed-buffer frame like a source delivers (retain/release are no-ops: the test owns it). */
export function fakeFrame(
  frameId: number,
  captureTimeMs: number,
  rgb: Uint8Array,
  widthPx: number,
  heightPx: number,
): Frame {
  return { frameId, captureTimeMs, widthPx, heightPx, rgb, retain: () => {}, release: () => {} };
}

export function fakeResult(
  frameId: number,
  captureTimeMs: number,
  widthPx: number,
  heightPx: number,
  detections: FrameResult['detections'] = [],
): FrameResult {
  return {
    frameId,
    captureTimeMs,
    resultTimeMs: captureTimeMs + 5,
    widthPx,
    heightPx,
    detections,
    modelName: 'test-model',
    provider: 'cpu',
    timings: { preMs: 1, inferMs: 2, postMs: 1 },
  };
}

/** Decode a whole video file; returns how many frames ffmpeg got out of it, or an error line. */
export function decodedFrameCount(file: string): { ok: boolean; frames: number; error: string } {
  const r = spawnSync(
    FFMPEG,
    ['-hide_banner', '-nostdin', '-v', 'error', '-i', file, '-f', 'framemd5', '-'],
    {
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  const frames = r.stdout.split('\n').filter((l) => /^0,/.test(l)).length;
  return { ok: r.status === 0 && r.stderr.trim() === '', frames, error: r.stderr.trim() };
}

/** Mount a tmpfs of `sizeBytes` at `dir` when this process may (root); false otherwise. */
export function mountTmpfs(dir: string, sizeBytes: number): boolean {
  mkdirSync(dir, { recursive: true });
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function unmount(dir: string): void {
  execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
}

/** Wait for `check` to become true, polling on timer turns; fails naming what did not happen. */
export async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setImmediate(r));
  }
}
