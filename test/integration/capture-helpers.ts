/** Helpers for the capture integration tests: generated clips, ports, and waiting on events (never sleeping). */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Frame, FrameSource, SourceStateChange } from '../../src/main/capture/types';

export const FFMPEG = 'ffmpeg';

export function run(cmd: string, args: string[], timeoutMs = 20_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { timeout: timeoutMs, killSignal: 'SIGKILL', encoding: 'buffer', maxBuffer: 256 << 20 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stderr.toString()}`));
        else resolve(stdout);
      },
    );
  });
}

/** A clip made by ffmpeg from a lavfi `graph`, written with `outputArgs` (codec, frame count...). */
export async function lavfiClip(path: string, graph: string, outputArgs: string[]): Promise<string> {
  await run(FFMPEG, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-y',
    '-f',
    'lavfi',
    '-i',
    graph,
    ...outputArgs,
    path,
  ]);
  return path;
}

/** An H.264 test-pattern clip with exactly `frames` frames. */
export async function makeClip(
  dir: string,
  name: string,
  frames: number,
  size = '320x240',
  rate = 25,
): Promise<string> {
  return lavfiClip(join(dir, name), `testsrc=size=${size}:rate=${rate}`, [
    '-frames:v',
    String(frames),
    '-pix_fmt',
    'yuv420p',
  ]);
}

/** Every frame of a clip as RGB24, decoded by ffmpeg directly: the reference for what a source must deliver. */
export async function decodeAll(path: string): Promise<Buffer> {
  return run(FFMPEG, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-i',
    path,
    '-map',
    '0:v:0',
    '-fps_mode',
    'passthrough',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    'pipe:1',
  ]);
}

export { freePort } from '../../src/main/util/net';

export function recordStates(source: FrameSource): SourceStateChange[] {
  const states: SourceStateChange[] = [];
  source.on('state', (c) => states.push(c));
  return states;
}

/** Resolves when `predicate` holds for a delivered frame; rejects after `timeoutMs`. */
export function waitForFrame(
  source: FrameSource,
  predicate: (f: Frame) => boolean,
  timeoutMs: number,
): Promise<{ frameId: number; captureTimeMs: number }> {
  return new Promise((resolve, reject) => {
    const onFrame = (f: Frame): void => {
      if (!predicate(f)) return;
      clearTimeout(timer);
      source.off('frame', onFrame);
      resolve({ frameId: f.frameId, captureTimeMs: f.captureTimeMs });
    };
    const timer = setTimeout(() => {
      source.off('frame', onFrame);
      reject(
        new Error(`no matching frame within ${timeoutMs} ms; state ${source.state} (${source.stateReason})`),
      );
    }, timeoutMs);
    source.on('frame', onFrame);
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves when the process has exited (polled by signal 0, bounded). */
export async function waitForExit(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} still alive after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Start a process we own; `stopProcess` kills it and waits for its exit. */
export function startProcess(cmd: string, args: string[]): ChildProcess {
  return spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export function stopProcess(child: ChildProcess, timeoutMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`process ${child.pid} did not exit within ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGKILL');
  });
}
