// The station's FPS while the model library describes the shared models, measured on the station's
// own stats (not in a browser), with the baseline before: the figure of issue 15 ("opening the model
// library with the twelve shared models keeps the station's fps at or above 4 during listing").
// The same set-up as test/e2e/ui-library.spec.ts (synthetic 1280×720 at 10 fps, yolo11n int8 320,
// ../shared/models in the library, a fresh data folder so nothing is cached), and a client that
// receives the previews as the UI does. Usage: npm run build && node bench/library-fps.mjs
// Prints one JSON object; timings depend on the machine's load (say so when reporting them).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

const ROOT = resolve(import.meta.dirname, '..');
const MODELS = resolve(ROOT, process.env.VISION_STATION_SHARED ?? '../shared', 'models');
const BASELINE_MS = Number(process.env.BASELINE_MS ?? 20_000);
const DEADLINE_MS = 400_000;

const dataDir = mkdtempSync(join(tmpdir(), 'vs-bench-library-'));
const serve = spawn(
  process.execPath,
  [
    'bin/vision-station.js',
    'serve',
    '--port',
    '0',
    '--data-dir',
    dataDir,
    '--source',
    'synthetic:?size=1280x720&fps=10',
    '--model',
    join(MODELS, 'yolo11n-int8-coco-320.onnx'),
    '--models-dir',
    MODELS,
  ],
  { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
);
const done = (code, result) => {
  serve.kill('SIGTERM');
  serve.once('exit', () => {
    rmSync(dataDir, { recursive: true, force: true });
    if (result) console.log(JSON.stringify(result, null, 2));
    process.exit(code);
  });
};
const deadline = setTimeout(() => {
  console.error(`no end of the library description within ${DEADLINE_MS / 1000} s`);
  done(1);
}, DEADLINE_MS);

const url = await new Promise((res, rej) => {
  const lines = createInterface({ input: serve.stdout });
  lines.on('line', (l) => {
    if (l.includes('"listening"')) res(JSON.parse(l).listening);
  });
  serve.once('exit', (c) => rej(new Error(`serve exited (${c}) before listening`)));
});
const wsUrl = url.replace(/^http/, 'ws').replace(/\/?\?token=/, '/ws?token=');
const ws = new WebSocket(wsUrl);
await new Promise((res, rej) => (ws.once('open', res), ws.once('error', rej)));

const samples = []; // [atMs, fps, phase]
let phase = 'warmup';
let t0 = 0;
let listedMs = null;
let models = null;
let lastProgress = null;
const startMs = Date.now();

const summary = (which) => {
  const v = samples.filter((s) => s[2] === which).map((s) => s[1]);
  if (v.length === 0) return { samples: 0 };
  const sorted = [...v].sort((a, b) => a - b);
  return {
    samples: v.length,
    min: sorted[0],
    p10: sorted[Math.floor(0.1 * (sorted.length - 1))],
    median: sorted[Math.floor(0.5 * (sorted.length - 1))],
    mean: Number((v.reduce((a, b) => a + b, 0) / v.length).toFixed(2)),
    belowTarget: v.filter((x) => x < 4).length,
  };
};

ws.on('message', (data, isBinary) => {
  if (isBinary) return; // previews: received as the UI would, not drawn
  const msg = JSON.parse(data.toString());
  if (msg.type === 'response' && msg.id === 2) {
    listedMs = Date.now() - t0;
    models = msg.result.length;
  }
  if (msg.type !== 'event') return;
  if (msg.event === 'stats') {
    const now = Date.now();
    // Warm-up: the first 10 s (model load, rolling window filling).
    if (phase === 'warmup' && now - startMs > 10_000) phase = 'baseline';
    samples.push([now, msg.payload.fps, phase]);
    if (phase === 'baseline' && now - startMs > 10_000 + BASELINE_MS) {
      phase = 'listing';
      t0 = Date.now();
      ws.send(JSON.stringify({ id: 2, method: 'listModels', args: [] }));
    }
  } else if (msg.event === 'library') {
    lastProgress = msg.payload;
    if (phase === 'listing' && !msg.payload.running && msg.payload.described === msg.payload.total) {
      clearTimeout(deadline);
      const describedMs = Date.now() - t0;
      phase = 'after';
      done(0, {
        when: new Date().toISOString(),
        loadAverage1m: readLoad(),
        models,
        listedMs,
        describedMs,
        progress: lastProgress,
        baselineFps: summary('baseline'),
        listingFps: summary('listing'),
        // One sample a second from the listModels call: [s since the call, fps].
        listingSeries: samples
          .filter((x) => x[2] === 'listing')
          .map((x) => [Number(((x[0] - t0) / 1000).toFixed(1)), x[1]]),
      });
    }
  }
});
ws.send(JSON.stringify({ id: 1, method: 'getSnapshot', args: [] }));

function readLoad() {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return NaN;
  }
}
