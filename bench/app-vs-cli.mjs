// The operator's path against the command line's, side by side on the same clip and model:
// `run` (nothing watching) and `serve` with a real browser page (Chromium through Playwright)
// connected, showing the live view, so previews are encoded, sent, decoded and drawn. The
// station must process at least 0.9 × the frames per second of `run`.
//
// Both read the same URI (the clip looped, fps=max: every frame, as fast as inference goes) with
// the same model and the same outputs: none (PLC off), as the preview is what is measured. Repetitions alternate run, serve, run, serve, ... so a machine that gets busier
// or quieter during the benchmark shifts both sides alike; the ratio is mean(serve) / mean(run).
// Both rates are steady-state: frames counted between two stats updates after a warm-up.
import { spawn } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from '@playwright/test';

const WARMUP_FRAMES = 30;

function runFps(cli, source, model, frames) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      [
        cli,
        'run',
        '--source',
        source,
        '--model',
        model,
        '--frames',
        String(WARMUP_FRAMES + frames),
        '--json',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let t0 = 0;
    let t1 = 0;
    let last = '';
    let n = 0;
    createInterface({ input: child.stdout }).on('line', (l) => {
      last = l;
      if (!l.startsWith('{"frameId"')) return;
      n++;
      // Frames after the warm-up, timed from the first counted result to the last.
      if (n === WARMUP_FRAMES) t0 = performance.now();
      if (n === WARMUP_FRAMES + frames) t1 = performance.now();
    });
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`run exited ${code}`));
      const summary = JSON.parse(last).summary;
      resolvePromise({
        fps: Number(((frames * 1000) / (t1 - t0)).toFixed(2)),
        frames,
        latencyMs: summary.latencyMs,
      });
    });
  });
}

function waitForListening(child) {
  return new Promise((resolvePromise, reject) => {
    child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
    createInterface({ input: child.stdout }).on('line', (l) => {
      if (l.includes('"listening"')) resolvePromise(JSON.parse(l).listening);
    });
  });
}

async function servedFps(cli, source, model, seconds, previewFps, liveViewMode) {
  const dataDir = mkdtempSync(join(tmpdir(), 'vs-bench-serve-'));
  // A live view that keeps its rate instead of yielding to inference (Settings → Live view).
  if (liveViewMode) writeFileSync(join(dataDir, 'settings.json'), JSON.stringify({ ui: { liveViewMode } }));
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
      'off',
      ...(previewFps ? ['--preview-fps', String(previewFps)] : []),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  try {
    const url = await waitForListening(child);
    const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
    await page.goto(url);
    await page.getByTestId('live-canvas').waitFor({ timeout: 120_000 });
    await page.getByTestId('tab-performance').click();
    const framesSel = '[data-testid="perf-frames"]';
    const frames = () => page.locator(framesSel).getAttribute('data-value').then(Number);
    // The next stats update (frames counted so far changes), timed when it arrives.
    const nextUpdate = async () => {
      const before = await frames();
      await page.waitForFunction(
        ([sel, b]) => Number(globalThis.document.querySelector(sel)?.getAttribute('data-value')) !== b,
        [framesSel, before],
        { timeout: 30_000, polling: 20 },
      );
      return { frames: await frames(), t: performance.now() };
    };
    await page.waitForFunction(
      ([sel, n]) => Number(globalThis.document.querySelector(sel)?.getAttribute('data-value')) > n,
      [framesSel, WARMUP_FRAMES],
      { timeout: 120_000 },
    );
    const a = await nextUpdate();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const b = await nextUpdate();
    const num = async (id) => Number(await page.getByTestId(id).getAttribute('data-value'));
    const transport = {
      receivedFps: await num('transport-received-fps'),
      drawnFps: await num('transport-drawn-fps'),
    };
    if (!(transport.receivedFps > 0))
      throw new Error('the page received no previews: the measurement is void');
    return {
      fps: Number((((b.frames - a.frames) * 1000) / (b.t - a.t)).toFixed(2)),
      frames: b.frames - a.frames,
      transport,
    };
  } finally {
    await browser.close();
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const mean = (xs) => Number((xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(2));

/**
 * `repetitions` × (run, then serve + browser), alternated. `previewFps`: the live view's rate
 * (`serve --preview-fps`); `liveViewMode`: 'steady' keeps that rate instead of yielding to
 * inference; absent: the station's defaults, as an operator gets them.
 */
export async function appVsCli({
  cli,
  clip,
  model,
  frames = 300,
  seconds = 20,
  repetitions = 3,
  previewFps,
  liveViewMode,
}) {
  const source = `file:${clip}?loop=1&fps=max`;
  const runs = [];
  const apps = [];
  for (let i = 0; i < repetitions; i++) {
    runs.push(await runFps(cli, source, model, frames));
    apps.push(await servedFps(cli, source, model, seconds, previewFps, liveViewMode));
  }
  const runMean = mean(runs.map((r) => r.fps));
  const appMean = mean(apps.map((a) => a.fps));
  return {
    model,
    source,
    repetitions,
    previewFps: previewFps ?? 'default',
    liveViewMode: liveViewMode ?? 'default',
    run: { fps: runs.map((r) => r.fps), mean: runMean, latencyMs: runs[0].latencyMs },
    app: {
      fps: appMean,
      each: apps.map((a) => a.fps),
      frames: apps.reduce((s, a) => s + a.frames, 0),
      transport: {
        receivedFps: mean(apps.map((a) => a.transport.receivedFps)),
        drawnFps: mean(apps.map((a) => a.transport.drawnFps)),
      },
    },
    ratio: Number((appMean / runMean).toFixed(3)),
  };
}

/** One paragraph for bench.md and the README. */
export function appVsCliMarkdown(r) {
  return (
    `The operator's path: \`serve\` with a browser page connected (Chromium, live view drawing previews), ` +
    `on the same clip (looped, fps=max) and model (${r.model.split('/').pop()}), processed ${r.app.fps} fps ` +
    `(${r.app.each.join(', ')}) against ${r.run.mean} fps for \`run\` (${r.run.fps.join(', ')}), ` +
    `${r.repetitions} repetitions alternated: ratio ${r.ratio} (target ≥ 0.9). The browser received ` +
    `${r.app.transport.receivedFps} previews/s and drew ${r.app.transport.drawnFps}/s.`
  );
}

/** bench/results/app-vs-cli.{json,md} (temporary file, then rename): alone and from `npm run bench`. */
export function writeAppVsCli(root, r) {
  const when = new Date().toISOString();
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? '?'}`;
  const write = (name, text) => {
    const path = join(root, 'bench', 'results', name);
    writeFileSync(`${path}.${process.pid}.tmp`, text);
    renameSync(`${path}.${process.pid}.tmp`, path);
  };
  write('app-vs-cli.json', JSON.stringify({ when, machine, node: process.version, ...r }, null, 2) + '\n');
  write(
    'app-vs-cli.md',
    `# App vs command line\n\n${when}; ${machine}; Node ${process.version}.\n\n${appVsCliMarkdown(r)}\n`,
  );
}

// Alone: `node bench/app-vs-cli.mjs CLIP MODEL [REPETITIONS]` prints the JSON and writes the files
// (BENCH_PREVIEW_FPS=N: the live view at N pictures a second at most; BENCH_LIVE_VIEW=steady: at
// that rate, not yielding to inference; either: printed only).
if (import.meta.url === `file://${process.argv[1]}`) {
  const [clip, model, reps] = process.argv.slice(2);
  const root = join(import.meta.dirname, '..');
  const r = await appVsCli({
    cli: join(root, 'bin', 'vision-station.js'),
    clip,
    model,
    repetitions: Number(reps ?? 3),
    frames: Number(process.env.BENCH_FRAMES ?? 300),
    seconds: Number(process.env.BENCH_APP_SECONDS ?? 20),
    // Another live-view rate than the default, to weigh the screen's share (not written to results).
    previewFps: process.env.BENCH_PREVIEW_FPS ? Number(process.env.BENCH_PREVIEW_FPS) : undefined,
    liveViewMode: process.env.BENCH_LIVE_VIEW || undefined,
  });
  console.log(JSON.stringify(r));
  // bench/results/ holds the station as shipped.
  if (r.previewFps === 'default' && r.liveViewMode === 'default') writeAppVsCli(root, r);
  else console.error('app-vs-cli: another live view than the default: results not written');
}
