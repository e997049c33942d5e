/**
 * Frames in parallel: an ONNX model on the CPU runs in several workers (lanes), each on its share
 * of the cores; the pipeline keeps one frame in each and hands results on in frame order, with
 * exactly what one lane gives.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VisionRuntime } from '../../src/main/app/runtime';
import { InferenceEngine } from '../../src/main/inference/engine';
import type { Detection } from '../../src/shared/detection';
import { FOOTAGE_DIR, sharedModel, WORKER_JS } from '../helpers/paths';
import { startedStation } from '../helpers/station';
import { workerMarker } from '../helpers/worker-marker';

const PARAMS = { confThreshold: 0.25, iouThreshold: 0.45, maxDet: 100, classFilter: null };
const YOLO11 = sharedModel('yolo11n-int8-coco-320.onnx');
const BOTTLES = join(FOOTAGE_DIR, 'bottle-detection.mp4');
const FRAMES = 24;
const UNEVEN_WORKER = resolve(__dirname, '..', 'helpers', 'uneven-lanes-worker.mjs');

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('parallel frames', () => {
  it('loads an ONNX model in two lanes, each tuned within its share of the cores, and sends two frames to both at once', async () => {
    const engine = new InferenceEngine({ workerPath: WORKER_JS, parallelFrames: 2 });
    cleanups.push(() => engine.close());
    const info = await engine.load({ kind: 'onnx', path: YOLO11, providers: ['cpu'], intraOpThreads: 0 });
    expect(info.parallelFrames).toBe(2);
    expect(engine.parallelFrames).toBe(2);
    const share = Math.max(1, Math.floor(availableParallelism() / 2));
    expect(info.cpuThreads?.intraOpThreads).toBeLessThanOrEqual(share);
    if (share === 1) expect(info.cpuThreads?.trials).toEqual([]); // one core each: nothing to tune

    const img = { rgb: new Uint8Array(320 * 320 * 3).fill(114), widthPx: 320, heightPx: 320 };
    const a = engine.infer(img, PARAMS);
    const b = engine.infer(img, PARAMS);
    expect(engine.framesPerLane).toEqual([1, 1]);
    const [ra, rb] = await Promise.all([a, b]);
    expect(rb.detections).toEqual(ra.detections);
    expect(engine.framesPerLane).toEqual([0, 0]);
  });

  it('keeps the classic detector in one lane: its background model needs every frame in order', async () => {
    const engine = new InferenceEngine({ workerPath: WORKER_JS, parallelFrames: 2 });
    cleanups.push(() => engine.close());
    const info = await engine.load({ kind: 'classic' });
    expect(info.parallelFrames).toBe(1);
    expect(engine.parallelFrames).toBe(1);
    expect(engine.framesPerLane).toEqual([0]);
  });

  it('sizes an fps=max source for the lanes the model got: the classic detector (one lane) drops nothing', async () => {
    const rt = new VisionRuntime({ workerPath: WORKER_JS, log: () => {}, params: PARAMS, parallelFrames: 2 });
    cleanups.push(() => rt.close());
    await rt.loadModel('classic');
    expect(rt.engine.parallelFrames).toBe(1);
    const ids: number[] = [];
    const { pipeline } = await rt.replaceSource(`file:${BOTTLES}?loop=1&fps=max`, { maxFrames: FRAMES });
    rt.on('result', (r) => ids.push(r.frameId));
    await pipeline.start();
    await pipeline.done();
    expect(ids).toEqual(Array.from({ length: FRAMES }, (_, i) => i + 1));
    expect(pipeline.stats().dropped).toBe(0);
  });

  it('gives every frame of an fps=max clip once, in order, none dropped, with the detections of one lane', async () => {
    const play = async (
      parallelFrames: number,
    ): Promise<{ ids: number[]; dets: Detection[][]; dropped: number }> => {
      const rt = new VisionRuntime({
        workerPath: WORKER_JS,
        log: () => {},
        params: PARAMS,
        // One thread in both runs: the same kernels, so the same numbers to the bit.
        intraOpThreads: 1,
        parallelFrames,
      });
      cleanups.push(() => rt.close());
      const info = await rt.loadModel(YOLO11);
      expect(info.parallelFrames).toBe(parallelFrames);
      const ids: number[] = [];
      const dets: Detection[][] = [];
      const { pipeline } = await rt.replaceSource(`file:${BOTTLES}?loop=1&fps=max`, { maxFrames: FRAMES });
      rt.on('result', (r) => {
        ids.push(r.frameId);
        dets.push(r.detections);
      });
      await pipeline.start();
      await pipeline.done();
      return { ids, dets, dropped: pipeline.stats().dropped };
    };
    const one = await play(1);
    const two = await play(2);
    expect(one.ids).toEqual(Array.from({ length: FRAMES }, (_, i) => i + 1));
    expect(two.ids).toEqual(one.ids);
    expect(two.dropped).toBe(0);
    expect(one.dropped).toBe(0);
    expect(two.dets).toEqual(one.dets);
    expect(one.dets.some((d) => d.length > 0)).toBe(true);
  }, 90_000);

  it('hands results on in frame order when a later frame finishes first, and the fast lane goes on meanwhile', async () => {
    const dir = workerMarker('VS_LANES_MARKER', cleanups);
    const rt = new VisionRuntime({
      workerPath: UNEVEN_WORKER,
      log: () => {},
      params: PARAMS,
      parallelFrames: 2,
    });
    cleanups.push(() => rt.close());
    await rt.loadModel(join(dir, 'uneven.onnx')); // an ONNX spec on the CPU: two lanes
    expect(rt.engine.parallelFrames).toBe(2);
    const results: { id: number; lane: string }[] = [];
    const { pipeline } = await rt.replaceSource('synthetic:?size=160x90&fps=max', { maxFrames: FRAMES });
    rt.on('result', (r) => results.push({ id: r.frameId, lane: r.detections[0]!.className }));
    await pipeline.start();
    await pipeline.done();
    expect(results).toHaveLength(FRAMES);
    for (let i = 1; i < results.length; i++) expect(results[i]!.id).toBeGreaterThan(results[i - 1]!.id);
    // Both lanes answered, and the fast one took more frames: it did not wait for the slow one.
    const slow = results.filter((r) => r.lane === 'slow').length;
    expect(slow).toBeGreaterThan(0);
    expect(FRAMES - slow).toBeGreaterThan(slow);
    expect(pipeline.stats().errors).toBe(0);
  });

  it('the station runs two lanes where there are two cores, and one with --parallel-frames 1 (lowest latency)', async () => {
    const run = async (parallelFrames?: number): Promise<number | undefined> => {
      const dir = mkdtempSync(join(tmpdir(), 'vs-lanes-station-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const station = await startedStation(dir, cleanups, {
        ...(parallelFrames ? { parallelFrames } : {}),
        overrides: { source: 'synthetic:?size=320x180&fps=10', model: YOLO11, plc: null },
      });
      const active = (await station.getSnapshot()).model.active;
      await station.close();
      return active?.parallelFrames;
    };
    expect(await run()).toBe(availableParallelism() >= 2 ? 2 : 1);
    expect(await run(1)).toBe(1);
  });
});
