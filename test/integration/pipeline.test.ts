import { afterEach, describe, expect, it } from 'vitest';
import { createSource } from '../../src/main/capture/create-source';
import { InferenceEngine } from '../../src/main/inference/engine';
import { Pipeline } from '../../src/main/pipeline/pipeline';
import type { FrameResult } from '../../src/shared/frame';
import { sharedModel, WORKER_JS } from '../helpers/paths';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('pipeline with a deliberately slow model', () => {
  it('drops and counts frames, always infers the newest, and keeps latency bounded', async () => {
    const FPS = 20;
    const intervalMs = 1000 / FPS;
    const engine = new InferenceEngine({ workerPath: WORKER_JS });
    // A real slow model: YOLOv10n at 640 on one thread takes several frame intervals per frame.
    await engine.load({
      kind: 'onnx',
      path: sharedModel('yolov10n-int8-coco-640-e2e.onnx'),
      providers: ['cpu'],
      intraOpThreads: 1,
    });
    const source = createSource(`synthetic:?size=640x360&fps=${FPS}`);
    const pipeline = new Pipeline({
      source,
      engine,
      params: { confThreshold: 0.25, iouThreshold: 0.45, maxDet: 100, classFilter: null },
      maxFrames: 5,
    });
    cleanups.push(async () => {
      await pipeline.stop();
      await engine.close();
    });

    let newestDelivered = 0;
    source.on('frame', (f) => (newestDelivered = f.frameId));
    const takenVsNewest: [number, number][] = [];
    pipeline.on('taken', (id) => takenVsNewest.push([id, newestDelivered]));
    const results: { r: FrameResult; droppedSoFar: number; procMs: number; latencyMs: number }[] = [];
    pipeline.on('result', (r) =>
      results.push({
        r,
        droppedSoFar: pipeline.stats().dropped,
        procMs: r.timings.preMs + r.timings.inferMs + r.timings.postMs,
        latencyMs: r.resultTimeMs - r.captureTimeMs,
      }),
    );
    await pipeline.start();
    await pipeline.done();

    expect(results).toHaveLength(5);
    // Each inference started on the newest frame the source had delivered at that moment.
    for (const [taken, newest] of takenVsNewest) expect(taken).toBe(newest);
    // Frames piled up behind the slow model were dropped and counted, more after every frame.
    for (let i = 1; i < results.length; i++)
      expect(results[i]!.droppedSoFar).toBeGreaterThan(results[i - 1]!.droppedSoFar);
    expect(results[4]!.r.frameId - results[0]!.r.frameId).toBeGreaterThan(8);
    // Never stale: a frame waits at most for the inference in progress, then its own.
    const maxProcMs = Math.max(...results.map((x) => x.procMs));
    expect(maxProcMs).toBeGreaterThan(3 * intervalMs);
    for (const x of results) expect(x.latencyMs).toBeLessThan(2 * maxProcMs + intervalMs);
  });

  it('processes every frame of a clip at its native pace when inference keeps up, the last one included', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { execFileSync } = await import('node:child_process');
    const dir = mkdtempSync(join(tmpdir(), 'vs-pipe-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const clip = join(dir, 'clip.mp4');
    execFileSync('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=160x120:rate=25',
      '-frames:v',
      '23',
      '-pix_fmt',
      'yuv420p',
      clip,
    ]);
    const engine = new InferenceEngine({ workerPath: WORKER_JS });
    await engine.load({ kind: 'classic' });
    // A file at its native pace (25 fps) and a detector far faster than that: nothing is dropped.
    const source = createSource(`file:${clip}`);
    const pipeline = new Pipeline({
      source,
      engine,
      params: { confThreshold: 0.25, iouThreshold: 0.45, maxDet: 100, classFilter: null },
    });
    cleanups.push(async () => {
      await pipeline.stop();
      await engine.close();
    });
    const ids: number[] = [];
    pipeline.on('result', (r) => ids.push(r.frameId));
    await pipeline.start();
    await pipeline.done();
    expect(ids.at(-1)).toBe(23);
    expect(ids.length + pipeline.stats().dropped).toBe(23);
  });
});
