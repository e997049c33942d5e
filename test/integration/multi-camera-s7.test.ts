/**
 * Several synthetic cameras on one station, sharing one ONNX model's worker, each writing to its
 * own DB of one real S7 server (node-snap7 S7Server on loopback, DBs registered with snap7 so it
 * checks every access). No mocks; counts only, never timings.
 */
import { availableParallelism } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { createMultiCameraRuntime, type MultiCameraRuntime } from '../../src/main/app/multi-camera';
import { timeOfDayMs } from '../../src/main/core/plc/encode';
import { DEFAULT_MAX_OBJECTS } from '../../src/shared/plc-layout';
import type { FrameResult } from '../../src/shared/frame';
import { sharedModel, WORKER_JS } from '../helpers/paths';
import { startServer, type DbWrite } from '../helpers/s7-db-server';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const MODEL = sharedModel('yolo11n-int8-coco-320.onnx');
/**
 * Each camera its own size and pace, so frame N of one camera is captured at another time than
 * frame N of the others: the capture time written to a DB tells whose frame it is.
 */
const SOURCES = [
  'synthetic:?size=320x240&fps=20',
  'synthetic:?size=352x288&fps=16',
  'synthetic:?size=384x256&fps=13',
  'synthetic:?size=416x320&fps=11',
];

async function station(
  cameras: number,
  port: number,
  maxFrames?: number,
  models: readonly string[] = [],
): Promise<{ mc: MultiCameraRuntime; results: Map<string, Map<number, FrameResult>> }> {
  const results = new Map<string, Map<number, FrameResult>>();
  const mc = await createMultiCameraRuntime({
    cameras: Array.from({ length: cameras }, (_, i) => ({
      name: `cam${i + 1}`,
      source: SOURCES[i]!,
      model: models[i] ?? MODEL,
      params: { confThreshold: 0.05, iouThreshold: 0.45, maxDet: 100, classFilter: null },
      plc: `s7://127.0.0.1:${port}?db=${11 + i}`,
      maxFrames,
    })),
    workerPath: WORKER_JS,
    log: () => {},
    failFast: true,
  });
  cleanups.push(() => mc.close());
  for (const c of mc.cameras) {
    const mine = new Map<number, FrameResult>();
    results.set(c.name, mine);
    c.pipeline.on('result', (r) => mine.set(r.frameId, r));
  }
  return { mc, results };
}

/** Every write in the camera's DB is one of that camera's results, in order, life counter +1 each. */
function expectDbHoldsCameraFrames(writes: readonly DbWrite[], results: Map<number, FrameResult>): void {
  for (let i = 1; i < writes.length; i++) {
    expect(writes[i]!.frameId).toBeGreaterThan(writes[i - 1]!.frameId);
    expect(writes[i]!.lifeCounter).toBeGreaterThan(writes[i - 1]!.lifeCounter);
  }
  for (const w of writes) {
    const r = results.get(w.frameId);
    expect(r, `frame ${w.frameId} in the DB was not processed by this camera`).toBeDefined();
    expect(w.count).toBe(Math.min(r!.detections.length, DEFAULT_MAX_OBJECTS));
    const t = r!.captureTimeMs;
    expect(w.captureTimeOfDayMs).toBe(timeOfDayMs(t, -new Date(t).getTimezoneOffset()));
  }
}

describe('several cameras on one station, one S7 DB each', () => {
  it.each([2, 4])('%i synthetic cameras: every DB gets its camera’s frames, none starves', async (n) => {
    const dbs = Array.from({ length: n }, (_, i) => 11 + i);
    const server = await startServer(dbs);
    cleanups.push(() => server.close());
    const frames = 8;
    // With four, the last camera runs the classic detector: an engine of its own beside the shared one.
    const { mc, results } = await station(
      n,
      server.port,
      frames,
      n === 4 ? [MODEL, MODEL, MODEL, 'classic'] : [],
    );
    expect(mc.engineCount).toBe(n === 4 ? 2 : 1);
    // The shared ONNX model takes two cameras' frames at once where there are two cores; the
    // classic detector one.
    const lanes = availableParallelism() >= 2 ? 2 : 1;
    expect(mc.engines.map((e) => e.parallelFrames)).toEqual(n === 4 ? [lanes, 1] : [lanes]);
    expect(mc.engines[0]!.model?.cpuThreads?.chosenBy).toBe(lanes === 2 ? 'share' : 'measured');
    await mc.start();
    await mc.done();
    for (const [i, cam] of mc.cameras.entries()) {
      // Every camera got its full count of frames through the shared worker.
      expect(cam.pipeline.stats().frames).toBe(frames);
      expect(results.get(cam.name)!.size).toBe(frames);
      expect(cam.share().taken).toBeGreaterThanOrEqual(frames);
      const db = dbs[i]!;
      await server.waitFor(`DB${db} to receive ${cam.name}'s last frame`, () =>
        server.writes.get(db)!.some((w) => w.frameId === Math.max(...results.get(cam.name)!.keys())),
      );
      const writes = server.writes.get(db)!;
      expect(writes.length).toBeGreaterThanOrEqual(1);
      expectDbHoldsCameraFrames(writes, results.get(cam.name)!);
    }
  });

  it('close ends every source and the shared worker while all cameras run', async () => {
    const dbs = [11, 12, 13, 14];
    const server = await startServer(dbs);
    cleanups.push(() => server.close());
    const { mc } = await station(4, server.port);
    await mc.start();
    await server.waitFor('three frames in each of the four DBs', () =>
      dbs.every((db) => server.writes.get(db)!.length >= 3),
    );
    for (const db of dbs) {
      const lives = server.writes.get(db)!.map((w) => w.lifeCounter);
      expect(lives.at(-1)! - lives[0]!).toBeGreaterThanOrEqual(2);
    }
    await mc.close();
    for (const cam of mc.cameras) {
      expect(cam.source.state).toBe('stopped');
      await cam.pipeline.done();
    }
    expect(mc.engines.length).toBe(1);
    expect(mc.engines.every((e) => e.model === null)).toBe(true);
  });

  it('gives a model used by one camera one lane, its threads timed on all cores: that camera has one frame in it at a time', async () => {
    const server = await startServer([11, 12]);
    cleanups.push(() => server.close());
    const { mc } = await station(2, server.port, 1, [MODEL, 'classic']);
    expect(mc.engines.map((e) => e.parallelFrames)).toEqual([1, 1]);
    expect(mc.engines[0]!.model?.cpuThreads?.chosenBy).toBe('measured');
  });
});
