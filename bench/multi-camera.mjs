// Several cameras on one station: aggregate fps and per-camera latency with 1, 2 and 4 cameras
// sharing one model's inference worker (`run --cameras`), for two kinds of camera:
// - clip: every camera reads the same 1280×720 30 fps clip at its own pace, like a camera, so each
//   camera has its own ffmpeg decoder (decoding grows with the cameras, as on a station);
// - synthetic: the built-in 640×360 30 fps scene, drawn in the main process (no decoder), so the
//   figures show the shared inference worker without ffmpeg's share of the CPU.
//
//   node bench/multi-camera.mjs        standalone: writes bench/results/multi-camera.{json,md}
//   npm run bench                      also runs it (BENCH_MULTICAM=0 leaves it out)
//
// BENCH_MULTICAM_FRAMES: frames per camera (default 60). BENCH_MULTICAM_COUNTS: e.g. "1,2,4".
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

function runCameras(cli, file, frames) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      [cli, 'run', '--cameras', file, '--frames', String(frames), '--json'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const summaries = [];
    createInterface({ input: child.stdout }).on('line', (l) => {
      if (l.includes('"summary"')) summaries.push(JSON.parse(l));
    });
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`run --cameras exited ${code}`));
      resolvePromise(summaries);
    });
  });
}

/** One row per camera count: station fps, and each camera's fps, latency p50/p95 and drops. */
export async function multiCameraBench({ cli, clip, model, frames = 60, counts = [1, 2, 4] }) {
  const sources = { clip: `file:${clip}?loop=1`, synthetic: 'synthetic:?size=640x360&fps=30' };
  const dir = mkdtempSync(join(tmpdir(), 'vs-bench-cams-'));
  try {
    const rows = [];
    for (const [kind, source] of Object.entries(sources))
      for (const n of counts) {
        const file = join(dir, `cameras-${kind}-${n}.json`);
        writeFileSync(
          file,
          JSON.stringify({
            model,
            cameras: Array.from({ length: n }, (_, i) => ({ name: `cam${i + 1}`, source })),
          }),
        );
        const summaries = await runCameras(cli, file, frames);
        const station = summaries.find((s) => !('camera' in s)).summary;
        rows.push({
          source: kind,
          cameras: n,
          fps: station.fps,
          frames: station.frames,
          dropped: station.dropped,
          perCamera: summaries
            .filter((s) => 'camera' in s)
            .map((s) => ({
              camera: s.camera,
              fps: s.summary.fps,
              frames: s.summary.frames,
              dropped: s.summary.dropped,
              latencyMs: { p50: s.summary.latencyMs.p50, p95: s.summary.latencyMs.p95 },
              inferMsP50: s.summary.stages.inferMs.p50,
            })),
        });
      }
    return { model: model.split('/').pop(), framesPerCamera: frames, rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const worst = (xs) => Math.max(...xs.filter((x) => x !== null));
const best = (xs) => Math.min(...xs.filter((x) => x !== null));

/** The Markdown table of a result. */
export function multiCameraMarkdown(r) {
  return [
    `| cameras | station fps | fps per camera | latency p50 ms (per camera) | latency p95 ms (per camera) | infer p50 ms | dropped |`,
    `|---|---|---|---|---|---|---|`,
    ...r.rows.map((row) => {
      const c = row.perCamera;
      const range = (xs) => (c.length === 1 ? `${xs[0]}` : `${best(xs)}–${worst(xs)}`);
      return `| ${row.cameras} × ${row.source} | ${row.fps} | ${range(c.map((x) => x.fps))} | ${range(c.map((x) => x.latencyMs.p50))} | ${range(c.map((x) => x.latencyMs.p95))} | ${range(c.map((x) => x.inferMsP50))} | ${row.dropped} |`;
    }),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const ROOT = resolve(import.meta.dirname, '..');
  const SHARED = resolve(process.env.VISION_STATION_SHARED ?? join(ROOT, '..', 'shared'));
  const dir = mkdtempSync(join(tmpdir(), 'vs-bench-'));
  try {
    // Standalone: ffmpeg's test pattern at the size and pace of npm run bench's belt clip (the
    // model's cost does not depend on what the picture shows).
    const clip = join(dir, 'testsrc-1280x720-30fps.mp4');
    execFileSync('ffmpeg', [
      ...['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=1280x720:r=30'],
      ...['-t', '20', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', clip],
    ]);
    const r = await multiCameraBench({
      cli: join(ROOT, 'bin', 'vision-station.js'),
      clip,
      model: join(SHARED, 'models', 'yolo11n-int8-coco-320.onnx'),
      frames: Number(process.env.BENCH_MULTICAM_FRAMES ?? 60),
      counts: (process.env.BENCH_MULTICAM_COUNTS ?? '1,2,4').split(',').map(Number),
    });
    const result = {
      when: new Date().toISOString(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model },
      node: process.version,
      ...r,
    };
    const md = [
      `# Several cameras on one station`,
      ``,
      `${result.when}; ${result.machine.cpus} × ${result.machine.cpuModel}; Node ${result.node}; ${r.model} shared by every camera; ${r.framesPerCamera} frames per camera, clip: each camera decodes a 1280×720 30 fps clip (ffmpeg test pattern) at its own pace; synthetic: the built-in 640×360 30 fps scene.`,
      ``,
      multiCameraMarkdown(r),
      ``,
    ].join('\n');
    const out = join(ROOT, 'bench', 'results');
    for (const [name, text] of [
      ['multi-camera.json', JSON.stringify(result, null, 2) + '\n'],
      ['multi-camera.md', md],
    ]) {
      const tmp = join(out, `${name}.${process.pid}.tmp`);
      writeFileSync(tmp, text);
      renameSync(tmp, join(out, name));
    }
    console.log(md);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
