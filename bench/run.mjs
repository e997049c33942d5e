#!/usr/bin/env node
// The documented benchmark set (README "Benchmarks"). Prints figures and writes
// bench/results/bench.json and bench/results/bench.md (temporary file, then rename).
//
//   npm run bench                      models × a 1280x720 clip, S7 write latency
//   BENCH_SOAK_MIN=10 npm run bench    adds a memory soak: RSS after 1 minute and at the end
//
// The clip is made by ffmpeg from the shared photos (moving over a grey belt), 30 fps, so the
// source behaves like a camera: frames arrive at their own pace and the pipeline takes the newest.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { appVsCli, appVsCliMarkdown, writeAppVsCli } from './app-vs-cli.mjs';
import { multiCameraBench, multiCameraMarkdown } from './multi-camera.mjs';
import { LIMIT_MODELS, cpuDescription, limitsSummary, opencvPeer, writeLimits } from './limits.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const SHARED = resolve(process.env.VISION_STATION_SHARED ?? join(ROOT, '..', 'shared'));
const CLI = join(ROOT, 'bin', 'vision-station.js');
const FRAMES = Number(process.env.BENCH_FRAMES ?? 300);
const MODELS = (process.env.BENCH_MODELS ?? LIMIT_MODELS.join(',')).split(',');

function makeClip(dir) {
  const clip = join(dir, 'belt-1280x720-30fps.mp4');
  const img = (n) => join(SHARED, 'images', n);
  execFileSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'color=c=0x505050:s=1280x720:r=30:d=20',
    '-loop',
    '1',
    '-i',
    img('dog.jpg'),
    '-loop',
    '1',
    '-i',
    img('horses.jpg'),
    '-loop',
    '1',
    '-i',
    img('person.jpg'),
    '-filter_complex',
    '[1]scale=480:-2[a];[2]scale=480:-2[b];[3]scale=420:-2[c];' +
      "[0][a]overlay=x='mod(t*160,1760)-480':y=20:shortest=1[ab];" +
      "[ab][b]overlay=x='mod(t*160+600,1760)-480':y=380:shortest=1[abc];" +
      "[abc][c]overlay=x='mod(t*160+1200,1760)-480':y=200:shortest=1",
    '-t',
    '20',
    '-r',
    '30',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-pix_fmt',
    'yuv420p',
    clip,
  ]);
  return clip;
}

function runJson(args) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${args.join(' ')} exited ${code}`));
      const lines = out.trim().split('\n');
      resolvePromise(JSON.parse(lines[lines.length - 1]));
    });
  });
}

function atomicWrite(path, text) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

const dir = mkdtempSync(join(tmpdir(), 'vs-bench-'));
try {
  const clip = makeClip(dir);
  const results = {
    when: new Date().toISOString(),
    frames: FRAMES,
    models: [],
    appVsCli: null,
    plc: null,
    soak: null,
  };
  for (const m of MODELS) {
    const model = join(SHARED, 'models', m);
    if (!existsSync(model)) {
      console.error(`bench: skipping ${m}: not found in ${SHARED}/models`);
      continue;
    }
    const r = await runJson([
      'bench',
      '--model',
      model,
      '--source',
      `file:${clip}?loop=1&fps=max`,
      '--frames',
      String(FRAMES),
    ]);
    console.log(JSON.stringify(r));
    results.models.push({ ...r, model: m });
  }
  // Issue 18: best raw rate vs run, allocation per frame, the OpenCV-DNN peer (bench/limits.mjs).
  const peer = opencvPeer({ root: ROOT, shared: SHARED, clip, frames: FRAMES });
  if (peer) console.log(JSON.stringify(peer));
  const limits = limitsSummary({
    when: results.when,
    cpu: cpuDescription(results.models[0]?.machine.cpuModel ?? '?'),
    frames: FRAMES,
    models: results.models,
    peer,
  });
  results.limits = limits;
  console.log(writeLimits(ROOT, limits));
  if (process.env.BENCH_APP !== '0') {
    const model = join(SHARED, 'models', 'yolo11n-int8-coco-320.onnx');
    try {
      results.appVsCli = await appVsCli({ cli: CLI, clip, model, frames: FRAMES });
      console.log(JSON.stringify(results.appVsCli));
      // Its own files too, so they never lag behind bench.json.
      writeAppVsCli(ROOT, results.appVsCli);
    } catch (e) {
      console.error(`bench: app vs command line not measured: ${e.message}`);
    }
  }
  if (process.env.BENCH_MULTICAM !== '0') {
    const model = join(SHARED, 'models', 'yolo11n-int8-coco-320.onnx');
    results.multiCamera = await multiCameraBench({ cli: CLI, clip, model }).catch((e) => {
      console.error(`bench: several cameras not measured: ${e.message}`);
      return null;
    });
  }
  try {
    results.plc = await runJson(['plc-bench']);
    console.log(JSON.stringify(results.plc));
  } catch (e) {
    console.error(`bench: PLC write latency not measured: ${e.message}`);
  }
  const soakMin = Number(process.env.BENCH_SOAK_MIN ?? 0);
  if (soakMin > 0) {
    results.soak = await runJson([
      'soak',
      '--model',
      join(SHARED, 'models', MODELS[0]),
      '--source',
      `file:${clip}?loop=1&fps=max`,
      '--minutes',
      String(soakMin),
    ]);
    console.log(JSON.stringify(results.soak));
  }
  const md = [
    `# Benchmark results`,
    ``,
    `${results.when}; ${results.models[0]?.machine.cpus ?? '?'} × ${results.models[0]?.machine.cpuModel ?? '?'}; Node ${process.version}; ${FRAMES} frames from a 1280×720 30 fps clip. Raw: one fixed frame through one lane (one session with the threads chosen at load), nothing else running; the pipeline keeps a frame in every lane (frames at once), so its ratio to one lane's raw rate can pass 1.`,
    ``,
    `| model | raw infer p50 ms (one lane) | raw fps (one lane) | frames at once | pipeline fps | ratio | pre p50 ms | infer p50 ms | post p50 ms | latency p50/p95 ms | dropped | CPU ms/frame | RSS MB start→end |`,
    `|---|---|---|---|---|---|---|---|---|---|---|---|---|`,
    ...results.models.map((r) => {
      const s = r.pipeline.stages;
      return `| ${r.model} | ${r.raw.inferMs.p50} | ${r.raw.fps} | ${r.parallelFrames ?? 1} | ${r.pipeline.fps} | ${r.ratio} | ${s.preMs.p50} | ${s.inferMs.p50} | ${s.postMs.p50} | ${r.pipeline.latencyMs.p50}/${r.pipeline.latencyMs.p95} | ${r.pipeline.dropped} | ${r.pipeline.cpuMsPerFrame} | ${r.rssMb.start}→${r.rssMb.end} |`;
    }),
    ``,
    results.appVsCli ? appVsCliMarkdown(results.appVsCli) : 'App vs command line: not measured.',
    ``,
    results.plc
      ? `S7 write of a full 16-record block on loopback: p50 ${results.plc.p50Ms.toFixed(2)} ms, p99 ${results.plc.p99Ms.toFixed(2)} ms (${results.plc.writes} writes of ${results.plc.bytesPerWrite} bytes).`
      : 'S7 write latency: not measured.',
    ``,
    results.multiCamera
      ? `Several cameras sharing one ${results.multiCamera.model} worker (\`run --cameras\`, ${results.multiCamera.framesPerCamera} frames per camera):\n\n${multiCameraMarkdown(results.multiCamera)}`
      : 'Several cameras: not measured.',
    ``,
    results.soak
      ? `Memory soak (${results.soak.minutes} min, ${results.soak.frames} frames at full rate, ${MODELS[0]}): RSS ${results.soak.rssMb.at1Min} MB after 1 min, ${results.soak.rssMb.end} MB at the end (${results.soak.rssChangePct}%), between ${results.soak.rssMb.min} and ${results.soak.rssMb.max} MB in 10 s samples after the first minute.`
      : 'Memory soak: not run (set BENCH_SOAK_MIN=10).',
    ``,
  ].join('\n');
  const outDir = join(ROOT, 'bench', 'results');
  atomicWrite(join(outDir, 'bench.json'), JSON.stringify(results, null, 2) + '\n');
  atomicWrite(join(outDir, 'bench.md'), md);
  console.log(md);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
