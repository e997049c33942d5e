/**
 * Shared pieces of the UI tests: starting `serve` (and the PLC simulator) as real processes, and
 * page-level steps that take a Playwright `Page`, so the same steps can drive the Electron window.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { expect, type Page } from '@playwright/test';
import { freePort } from '../../src/main/util/net';

export const ROOT = resolve(__dirname, '..', '..');
export const SHARED = resolve(ROOT, process.env['VISION_STATION_SHARED'] ?? '../shared');
export const SHARED_MODELS = join(SHARED, 'models');
export const SHARED_IMAGES = join(SHARED, 'images');
export const RESULTS = join(ROOT, 'test-results');

export function screenshotPath(name: string): string {
  mkdirSync(RESULTS, { recursive: true });
  return join(RESULTS, name);
}

export function writeResult(name: string, value: unknown): void {
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, name), JSON.stringify(value, null, 2) + '\n');
}

function waitForLine(
  proc: ChildProcess,
  stream: NodeJS.ReadableStream,
  match: (line: string) => boolean,
  what: string,
): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const rl = createInterface({ input: stream });
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    const onExit = (code: number | null) =>
      reject(new Error(`${what} exited (${code}) before it was ready:\n${stderr}`));
    proc.once('exit', onExit);
    rl.on('line', (line) => {
      if (match(line)) {
        proc.off('exit', onExit);
        rl.close();
        resolvePromise(line);
      }
    });
  });
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

export interface ServeOptions {
  source?: string;
  model?: string;
  plc?: string;
  modelsDir?: string;
  token?: string;
  host?: string;
  /** A fixed port (default: 0, any free port). */
  port?: number;
  /** Reuse this data folder (kept on close), e.g. to restart the station on the same data. */
  dataDir?: string;
}

export interface Served {
  url: string;
  dataDir: string;
  close(): Promise<void>;
}

/** Starts `node bin/vision-station.js serve --port 0` and resolves once it prints its URL. */
export async function startServe(opts: ServeOptions = {}): Promise<Served> {
  const ownDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'vs-e2e-'));
  const removeDir = () => {
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
  };
  const args = ['bin/vision-station.js', 'serve', '--port', String(opts.port ?? 0), '--data-dir', dataDir];
  if (opts.source) args.push('--source', opts.source);
  if (opts.model) args.push('--model', opts.model);
  if (opts.plc) args.push('--plc', opts.plc);
  if (opts.modelsDir) args.push('--models-dir', opts.modelsDir);
  if (opts.token) args.push('--token', opts.token);
  if (opts.host) args.push('--host', opts.host);
  const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const line = await waitForLine(proc, proc.stdout!, (l) => l.includes('"listening"'), 'serve');
    const url = (JSON.parse(line) as { listening: string }).listening;
    proc.stdout!.resume();
    return {
      // The printed URL carries the access token, as the operator would open it.
      url,
      dataDir,
      close: async () => {
        await stop(proc);
        removeDir();
      },
    };
  } catch (e) {
    await stop(proc);
    removeDir();
    throw e;
  }
}

export { freePort };

export interface PlcSimProcess {
  port: number;
  uri: string;
  /** Kills the simulator (SIGTERM) and waits for it to exit. */
  kill(): Promise<void>;
}

/** `node bin/vision-station.js plc-sim` as its own process, ready once it says it listens. */
export async function startPlcSim(fixedPort?: number): Promise<PlcSimProcess> {
  const port = fixedPort ?? (await freePort());
  const proc = spawn(
    process.execPath,
    ['bin/vision-station.js', 'plc-sim', '--port', String(port), '--db', '1'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  proc.stdout!.resume();
  await waitForLine(proc, proc.stderr!, (l) => l.includes('listening'), 'plc-sim');
  return { port, uri: `s7://127.0.0.1:${port}?rack=0&slot=1&db=1`, kill: () => stop(proc) };
}

/** A short 1280-wide clip made from one of the shared photos (ffmpeg), in a temp folder. */
export function makeClip(image: string, seconds = 3, fps = 10): { path: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'vs-clip-'));
  const path = join(dir, 'clip.mp4');
  const r = spawnSync(
    'ffmpeg',
    [
      '-v',
      'error',
      '-y',
      '-loop',
      '1',
      '-i',
      join(SHARED_IMAGES, image),
      '-t',
      String(seconds),
      '-r',
      String(fps),
      '-vf',
      'scale=1280:-2',
      '-pix_fmt',
      'yuv420p',
      path,
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`ffmpeg could not make the clip: ${r.stderr}`);
  return { path, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

// ---------------------------------------------------------------------------------------------
// Page-level steps (work on a browser page or an Electron window alike)
// ---------------------------------------------------------------------------------------------

export async function openStation(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('backend')).toContainText(/websocket|electron-ipc/);
  // The row under the status bar appears once the station has said who this client is, and moves
  // everything below it: a click aimed before then can land between a button's press and release
  // (a busy machine lost a tab click that way).
  await expect(
    page.locator('[data-testid="open-commissioning-banner"], [data-testid="session-bar"]'),
    'the session row under the status bar',
  ).toBeVisible({ timeout: 20_000 });
}

/** What the tests read of a canvas (the node typecheck has no DOM types). */
interface CanvasLike {
  width: number;
  height: number;
  getContext(
    kind: '2d',
  ): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}

/** The id of the frame drawn on the live canvas now (-1 before the first). */
export async function drawnFrameId(page: Page): Promise<number> {
  return Number((await page.getByTestId('live-canvas').getAttribute('data-frame-id')) ?? -1);
}

/** Waits until a frame with an id above `after` has been drawn, and returns its id. */
export async function waitForNewFrame(page: Page, after: number): Promise<number> {
  await expect
    // The first frame waits for the model to load and the source to start.
    .poll(() => drawnFrameId(page), {
      message: `a frame newer than ${after} is drawn`,
      timeout: after < 0 ? 60_000 : 20_000,
    })
    .toBeGreaterThan(after);
  return drawnFrameId(page);
}

/** Detections in the frame drawn now (the canvas carries the count of the frame it shows). */
export async function drawnDetections(page: Page): Promise<number> {
  return Number((await page.getByTestId('live-canvas').getAttribute('data-detections')) ?? 0);
}

/** A cheap fingerprint of the canvas pixels (sum and hash over a sparse grid). */
export async function canvasFingerprint(page: Page): Promise<string> {
  return page.getByTestId('live-canvas').evaluate((el) => {
    const c = el as unknown as CanvasLike;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let h = 2166136261;
    for (let i = 0; i < data.length; i += 4 * 7) {
      h ^= data[i] + (data[i + 1] << 8) + (data[i + 2] << 16);
      h = Math.imul(h, 16777619) >>> 0;
    }
    return `${c.width}x${c.height}:${h.toString(16)}`;
  });
}

/** Counts canvas pixels that differ between two moments (both read from the live canvas). */
export async function canvasPixels(page: Page): Promise<number[]> {
  return page.getByTestId('live-canvas').evaluate((el) => {
    const c = el as unknown as CanvasLike;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const out: number[] = [];
    for (let i = 0; i < data.length; i += 4 * 5) out.push(data[i], data[i + 1], data[i + 2]);
    return out;
  });
}

export async function openTab(
  page: Page,
  tab: 'performance' | 'alarms' | 'model' | 'tuning' | 'source' | 'plc' | 'counting' | 'settings',
): Promise<void> {
  await page.getByTestId(`tab-${tab}`).click();
}

/** Sets a threshold in the draft and applies it (thresholds change only on Apply). */
export async function setSlider(page: Page, testId: string, value: number): Promise<void> {
  await page.getByTestId(testId).fill(String(value));
  await expect(page.getByTestId('tuning-state')).toHaveAttribute('data-state', 'draft');
  await page.getByTestId('tuning-apply').click();
  await expect(page.getByTestId('tuning-state')).toHaveAttribute('data-state', 'saved');
}

export async function transportFigures(page: Page): Promise<{
  bytesPerSec: number;
  receivedFps: number;
  drawnFps: number;
  meanFrameBytes: number;
  skippedFps: number;
}> {
  const v = async (id: string) => Number(await page.getByTestId(id).getAttribute('data-value'));
  return {
    bytesPerSec: await v('transport-bytes-per-sec'),
    receivedFps: await v('transport-received-fps'),
    drawnFps: await v('transport-drawn-fps'),
    meanFrameBytes: await v('transport-frame-bytes'),
    skippedFps: await v('transport-skipped-fps'),
  };
}
