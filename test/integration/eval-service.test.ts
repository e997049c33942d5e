import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EvaluationProgress } from '../../src/shared/evaluation';
import { EvaluationService } from '../../src/main/eval/service';
import { CLASS_NAMES, writeYoloSet } from '../helpers/eval-set';
import { sharedModel, WORKER_JS } from '../helpers/paths';

const tmp = mkdtempSync(join(tmpdir(), 'vs-eval-service-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const setDir = writeYoloSet(join(tmp, 'photos'));
const MODELS = ['yolox-nano-coco-416.onnx', 'yolo11n-int8-coco-320.onnx'].map(sharedModel);

describe('EvaluationService', () => {
  it('runs two models with progress and gives metrics, PR curves, confusion matrix and a recommendation', async () => {
    const service = new EvaluationService({ workerPath: WORKER_JS });
    const progress: EvaluationProgress[] = [];
    service.on('progress', (p) => progress.push(p));
    const running = service.run({ dataPath: setDir, modelPaths: MODELS, minTimedFrames: 4 });
    expect(service.busy).toBe(true);
    await expect(service.run({ dataPath: setDir, modelPaths: MODELS })).rejects.toThrow(
      'an evaluation is already running; cancel it or wait for it to finish',
    );
    const r = await running;
    expect(service.busy).toBe(false);
    expect(progress.map((p) => [p.modelIndex, p.framesDone, p.framesTotal])).toEqual([
      [0, 1, 4],
      [0, 2, 4],
      [0, 3, 4],
      [0, 4, 4],
      [1, 1, 4],
      [1, 2, 4],
      [1, 3, 4],
      [1, 4, 4],
    ]);
    expect([r.images, r.classNames, r.targetFps, r.headroom]).toEqual([3, CLASS_NAMES, 4, 1.5]);
    expect(r.models.map((m) => m.name)).toEqual(['yolox-nano-coco-416', 'yolo11n-int8-coco-320']);
    for (const m of r.models) {
      expect(m.timedFrames).toBe(4);
      expect(m.stats.AP50).toBeGreaterThanOrEqual(0.9);
      expect(m.prCurves.map((c) => c.className)).toEqual(CLASS_NAMES);
      expect(m.prCurves[0]!.points).toHaveLength(101);
      expect(m.confusion.labels).toEqual([...CLASS_NAMES, 'background']);
      // Every labelled object is either found as some class or missed: row sums are the object counts.
      expect(m.confusion.counts.slice(0, 5).map((row) => row.reduce((a, b) => a + b, 0))).toEqual([
        1, 1, 1, 2, 5,
      ]);
    }
    expect(r.recommended === null || r.models.some((m) => m.name === r.recommended)).toBe(true);
  });

  it('stops at the next frame when cancelled', async () => {
    const service = new EvaluationService({ workerPath: WORKER_JS });
    const controller = new AbortController();
    const seen: EvaluationProgress[] = [];
    service.on('progress', (p) => {
      seen.push(p);
      controller.abort();
    });
    await expect(
      service.run({ dataPath: setDir, modelPaths: MODELS, minTimedFrames: 50 }, controller.signal),
    ).rejects.toThrow('evaluation cancelled');
    expect(seen).toHaveLength(1);
    expect(service.busy).toBe(false);
  });
});
