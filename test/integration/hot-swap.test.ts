import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FrameResult } from '../../src/shared/frame';
import { createSource } from '../../src/main/capture/create-source';
import { InferenceEngine } from '../../src/main/inference/engine';
import { Pipeline } from '../../src/main/pipeline/pipeline';
import { sharedModel, WORKER_JS } from '../helpers/paths';

const tmp = mkdtempSync(join(tmpdir(), 'vs-swap-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Resolves once `n` more results have arrived. */
function nextResults(p: Pipeline, n: number): Promise<FrameResult[]> {
  return new Promise((resolve) => {
    const got: FrameResult[] = [];
    const on = (r: FrameResult): void => {
      got.push(r);
      if (got.length === n) {
        p.off('result', on);
        resolve(got);
      }
    };
    p.on('result', on);
  });
}

describe('hot swap under load', () => {
  it('keeps answering across three swaps, never with a half-loaded model, and survives a corrupt file', async () => {
    const engine = new InferenceEngine({ workerPath: WORKER_JS });
    const source = createSource('synthetic:?size=640x360&fps=30');
    const pipeline = new Pipeline({
      source,
      engine,
      params: { confThreshold: 0.25, iouThreshold: 0.45, maxDet: 100, classFilter: null },
    });
    const results: FrameResult[] = [];
    /** Model names whose load had completed, in order, with the result count at that moment. */
    const loaded: { name: string; atResult: number }[] = [];
    engine.on('swapped', (info) => loaded.push({ name: info.name, atResult: results.length }));
    pipeline.on('result', (r) => results.push(r));
    try {
      await engine.load({ kind: 'classic' });
      await pipeline.start();
      await nextResults(pipeline, 3);

      const swaps = [
        {
          kind: 'onnx' as const,
          path: sharedModel('yolo11n-int8-coco-320.onnx'),
          providers: ['cpu' as const],
          intraOpThreads: 1,
        },
        {
          kind: 'onnx' as const,
          path: sharedModel('yolox-nano-coco-416.onnx'),
          providers: ['cpu' as const],
          intraOpThreads: 1,
        },
        { kind: 'classic' as const },
      ];
      for (const spec of swaps) {
        const before = results.length;
        const info = await engine.load(spec);
        // Results kept flowing while the new ONNX model loaded and warmed up in its own worker
        // (hundreds of ms; the classic detector answers a 30 fps source in a few ms per frame).
        if (spec.kind === 'onnx') expect(results.length).toBeGreaterThan(before);
        const after = await nextResults(pipeline, 3);
        expect(after.at(-1)!.modelName).toBe(info.name);
      }

      // A corrupt file: the load fails, the old model (classic) keeps answering.
      const corrupt = join(tmp, 'corrupt.onnx');
      writeFileSync(corrupt, Buffer.alloc(4096, 1));
      await expect(
        engine.load({ kind: 'onnx', path: corrupt, providers: ['cpu'], intraOpThreads: 1 }),
      ).rejects.toThrow(/corrupt\.onnx/);
      expect(engine.model?.name).toBe('classic');
      const afterCorrupt = await nextResults(pipeline, 3);
      expect(afterCorrupt.map((r) => r.modelName)).toEqual(['classic', 'classic', 'classic']);
    } finally {
      await pipeline.stop();
      await engine.close();
    }

    expect(loaded.map((l) => l.name)).toEqual([
      'classic',
      'yolo11n-int8-coco-320',
      'yolox-nano-coco-416',
      'classic',
    ]);
    // Frame ids only go forward.
    for (let i = 1; i < results.length; i++)
      expect(results[i]!.frameId).toBeGreaterThan(results[i - 1]!.frameId);
    // Every result came from a model whose load had completed before that result: the model
    // sequence only ever moves to the next loaded model, never to one still loading.
    const order = loaded.map((l) => l.name);
    let stage = 0;
    results.forEach((r, i) => {
      while (r.modelName !== order[stage]) {
        stage++;
        expect(stage, `result ${i} from ${r.modelName}`).toBeLessThan(order.length);
        expect(
          loaded[stage]!.atResult,
          `result ${i} came before ${order[stage]} finished loading`,
        ).toBeLessThanOrEqual(i);
      }
    });
    expect(stage).toBe(order.length - 1);
  });
});

describe('worker crash', () => {
  it('reloads the same model in a new worker and answers again', async () => {
    const engine = new InferenceEngine({ workerPath: WORKER_JS });
    const statuses: string[] = [];
    engine.on('status', (m) => statuses.push(m));
    try {
      await engine.load({ kind: 'classic' });
      const frame = { rgb: new Uint8Array(64 * 48 * 3), widthPx: 64, heightPx: 48 };
      const params = { confThreshold: 0.25, iouThreshold: 0.45, maxDet: 10, classFilter: null };
      await engine.infer(frame, params);
      const swapped = new Promise<string>((resolve) => engine.once('swapped', (info) => resolve(info.name)));
      // The thread dies the way a native crash would take it down: from outside, without a release.
      const worker = (engine as unknown as { active: { worker: { terminate(): Promise<number> } } }).active
        .worker;
      await worker.terminate();
      await expect(engine.infer(frame, params)).rejects.toThrow(/inference worker exited/);
      expect(await swapped).toBe('classic');
      expect(statuses[0]).toMatch(/^inference worker exited \(code 1\); reloading classic in \d+ ms$/);
      await expect(engine.infer(frame, params)).resolves.toMatchObject({
        detections: [],
        model: { name: 'classic' },
      });
    } finally {
      await engine.close();
    }
  });
});
