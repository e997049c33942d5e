// The operator's path against the command line's, side by side on the same clip and model:
// `run` (nothing watching) and `serve` with a browser connected and the live view drawing every
// preview. The station must process at least 0.9 × the frames per second of `run`.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from '@playwright/test';

function runFps(cli, source, model, frames) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      [cli, 'run', '--source', source, '--model', model, '--frames', String(frames), '--json'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let last = '';
    createInterface({ input: child.stdout }).on('line', (l) => (last = l));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`run exited ${code}`));
      resolvePromise(JSON.parse(last).summary);
    });
  });
}

async function servedFps(cli, source, model, seconds) {
  const dataDir = mkdtempSync(join(tmpdir(), 'vs-bench-serve-'));
  const child = spawn(
    process.execPath,
    [
      cli,
      'serve',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--source',
      source,
      '--model',
      model,
      '--plc',
      'sim',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  try {
    const url = await new Promise((resolvePromise, reject) => {
      child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
      createInterface({ input: child.stdout }).on('line', (l) => {
        if (l.includes('"listening"')) resolvePromise(JSON.parse(l).listening);
      });
    });
    const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
    await page.goto(url);
    await page.getByTestId('tab-performance').click();
    const frames = async () => Number(await page.getByTestId('perf-frames').getAttribute('data-value'));
    const drawn = async () => Number(await page.getByTestId('live-canvas').getAttribute('data-frame-id'));
    // Warm up (model loaded, first frames drawn), then count processed frames over the window.
    await page.waitForFunction(
      'Number(document.querySelector(\'[data-testid="perf-frames"]\')?.getAttribute("data-value")) > 20',
      null,
      { timeout: 120_000 },
    );
    const f0 = await frames();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const f1 = await frames();
    const t1 = performance.now();
    const transport = {
      receivedFps: Number(await page.getByTestId('transport-received-fps').getAttribute('data-value')),
      drawnFps: Number(await page.getByTestId('transport-drawn-fps').getAttribute('data-value')),
      lastDrawnFrameId: await drawn(),
    };
    return { fps: Number((((f1 - f0) * 1000) / (t1 - t0)).toFixed(2)), frames: f1 - f0, transport };
  } finally {
    await browser.close();
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** run, then serve + browser, then run again: the mean of the two run figures is the reference. */
export async function appVsCli({ cli, clip, model, frames = 300, seconds = 20 }) {
  const fileMax = `file:${clip}?fps=max`;
  const looped = `file:${clip}?loop=1&fps=max`;
  const runA = await runFps(cli, fileMax, model, frames);
  const app = await servedFps(cli, looped, model, seconds);
  const runB = await runFps(cli, fileMax, model, frames);
  const runFpsMean = Number(((runA.fps + runB.fps) / 2).toFixed(2));
  return {
    model,
    run: { fps: [runA.fps, runB.fps], mean: runFpsMean, latencyMs: runA.latencyMs },
    app,
    ratio: Number((app.fps / runFpsMean).toFixed(3)),
  };
}
