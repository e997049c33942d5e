/**
 * A worker that never answers (stuck in a native call) is terminated at the inference deadline,
 * reported, and replaced; the pipeline goes on and results resume on the reloaded model.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FrameResult } from '../../src/shared/frame';
import { HungWorkerError } from '../../src/main/inference/engine';
import { VisionRuntime } from '../../src/main/app/runtime';
import { Station } from '../../src/main/station/station';
import type { Alarm, FrameMessage } from '../../src/shared/api';
import { workerMarker } from '../helpers/worker-marker';

const HANGING_WORKER = resolve(__dirname, '..', 'helpers', 'hanging-worker.mjs');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

function next<T>(
  what: string,
  subscribe: (resolve: (v: T) => void) => void,
  deadlineMs = 30_000,
): Promise<T> {
  return new Promise<T>((resolvePromise, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${what} did not happen within ${deadlineMs} ms`)),
      deadlineMs,
    );
    subscribe((v) => {
      clearTimeout(timer);
      resolvePromise(v);
    });
  });
}

describe('hung inference worker', () => {
  it('is terminated at the deadline, raises the worker-lost event, and results resume on a new worker', async () => {
    workerMarker('VS_HANG_MARKER', cleanups);

    const rt = new VisionRuntime({
      workerPath: HANGING_WORKER,
      log: () => {},
      params: { confThreshold: 0.25, iouThreshold: 0.45, maxDet: 300, classFilter: null },
      inferDeadlineMs: 300,
    });
    cleanups.push(() => rt.close());
    await rt.loadModel('classic');
    const events: string[] = [];
    rt.on('workerLost', (e) => events.push(`lost: ${e.name}`));
    rt.on('pipelineError', (e) => events.push(`frame failed: ${e.message}`));
    rt.engine.on('swapped', () => events.push('reloaded'));
    const lost = next<Error>('worker-lost event', (r) => rt.once('workerLost', r));
    const resumed = next<FrameResult>('a result after the reload', (r) => rt.once('result', (x) => r(x)));

    const { pipeline } = await rt.replaceSource('synthetic:?size=160x90&fps=20');
    await pipeline.start();
    const err = await lost;
    expect(err).toBeInstanceOf(HungWorkerError);
    expect(err.message).toBe(
      "inference worker did not answer 'infer' within 300 ms; the worker was terminated",
    );
    const r = await resumed;
    expect(r.detections.map((d) => d.className)).toEqual(['part']);
    // The worker is reported lost the moment the deadline passes; the stuck frame and any frame
    // sent before the reload fail (counted, the pipeline goes on); then the model is back.
    expect(events[0]).toBe('lost: HungWorkerError');
    const reloadedAt = events.indexOf('reloaded');
    expect(reloadedAt).toBeGreaterThan(1);
    expect(events[1]).toBe("frame failed: inference worker did not answer 'infer' within 300 ms");
    expect(new Set(events.slice(2, reloadedAt))).toEqual(
      new Set([
        "frame failed: inference worker did not answer 'infer' within 300 ms; the worker was terminated",
      ]),
    );
    expect(pipeline.stats().errors).toBeGreaterThanOrEqual(1);
  });

  it('with two lanes: the hung lane is replaced once, the other keeps answering, and results stay in frame order', async () => {
    const dir = workerMarker('VS_HANG_MARKER', cleanups);

    const rt = new VisionRuntime({
      workerPath: HANGING_WORKER,
      log: () => {},
      params: { confThreshold: 0.25, iouThreshold: 0.45, maxDet: 300, classFilter: null },
      inferDeadlineMs: 300,
      parallelFrames: 2,
    });
    cleanups.push(() => rt.close());
    // An ONNX spec on the CPU gets two lanes (this worker ignores the path).
    const info = await rt.loadModel(join(dir, 'lanes.onnx'));
    expect(info.parallelFrames).toBe(2);
    expect(rt.engine.parallelFrames).toBe(2);
    const lost: Error[] = [];
    const events: string[] = [];
    rt.on('workerLost', (e) => {
      lost.push(e);
      events.push('lost');
    });
    const ids: number[] = [];
    rt.on('result', (r) => {
      ids.push(r.frameId);
      events.push('result');
    });
    const reloaded = next<void>('the reload', (r) =>
      rt.engine.once('swapped', () => {
        events.push('reloaded');
        r();
      }),
    );
    const { pipeline } = await rt.replaceSource('synthetic:?size=160x90&fps=20');
    await pipeline.start();
    await reloaded;
    const after = ids.length;
    await next<void>('three results after the reload', (r) =>
      rt.on('result', () => {
        if (ids.length >= after + 3) r();
      }),
    );
    expect(lost.map((e) => e.name)).toEqual(['HungWorkerError']);
    expect(rt.engine.parallelFrames).toBe(2);
    expect(rt.engine.model?.parallelFrames).toBe(2);
    for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1]!);
    // The stuck frame failed; the other lane's frames went on being answered before the reload
    // (it comes after a 500 ms backoff).
    expect(pipeline.stats().errors).toBeGreaterThanOrEqual(1);
    const between = events.slice(events.indexOf('lost'), events.indexOf('reloaded'));
    expect(between.filter((e) => e === 'result').length).toBeGreaterThan(0);
  });

  it('shows as an alarm on the station, which clears when the reloaded model serves frames again', async () => {
    const dir = workerMarker('VS_HANG_MARKER', cleanups);
    writeFileSync(
      join(dir, 'settings.json'),
      JSON.stringify({ source: 'synthetic:?size=160x90&fps=20', modelId: 'classic', plc: { uri: null } }),
    );
    const station = new Station({
      backend: 'websocket',
      version: 't',
      dataDir: dir,
      projectModelsDir: join(dir, 'none'),
      workerPath: HANGING_WORKER,
      log: () => {},
      inferDeadlineMs: 300,
    });
    const raised = next<Alarm>('the inferenceHung alarm', (r) =>
      station.on('alarms', (list) => {
        const a = list.find((x) => x.kind === 'inferenceHung' && x.active);
        if (a) r(a);
      }),
    );
    const cleared = next<Alarm>('the inferenceHung alarm cleared', (r) =>
      station.on('alarms', (list) => {
        const a = list.find((x) => x.kind === 'inferenceHung' && !x.active);
        if (a) r(a);
      }),
    );
    station.frameSubscribers = 1;
    const frameAfter = next<FrameMessage>('a frame after the reload', (r) =>
      station.on('frame', (f) => {
        if (f.detections.length === 1) r(f);
      }),
    );
    await station.start();
    cleanups.push(() => station.close());
    expect((await raised).message).toBe(
      "inference worker did not answer 'infer' within 300 ms; the worker was terminated; reloading the model",
    );
    await cleared;
    expect((await frameAfter).detections[0]!.className).toBe('part');
  });
});
