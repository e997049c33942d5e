import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EvaluationState } from '../../src/shared/evaluation';
import { Station } from '../../src/main/station/station';
import { writeYoloSet } from '../helpers/eval-set';
import { MODELS_DIR, sharedModel, WORKER_JS } from '../helpers/paths';

const dataDir = mkdtempSync(join(tmpdir(), 'vs-station-eval-'));
const outside = mkdtempSync(join(tmpdir(), 'vs-station-eval-outside-'));
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});
writeFileSync(
  join(dataDir, 'settings.json'),
  JSON.stringify({ source: 'synthetic:?size=320x240&fps=5', modelId: 'classic', plc: { uri: null } }),
);
const insideSet = writeYoloSet(join(dataDir, 'sets', 'photos'));
const outsideSet = writeYoloSet(join(outside, 'photos'));
const NANO = sharedModel('yolox-nano-coco-416.onnx');
const INT8 = sharedModel('yolo11n-int8-coco-320.onnx');

async function withStation(body: (s: Station) => Promise<void>): Promise<void> {
  const station = new Station({
    backend: 'websocket',
    version: 't',
    dataDir,
    projectModelsDir: join(dataDir, 'none'),
    extraModelsDirs: [MODELS_DIR],
    workerPath: WORKER_JS,
    log: () => undefined,
  });
  await station.start();
  try {
    await body(station);
  } finally {
    await station.close();
  }
}

/** The first `evaluation` event that satisfies `test`; fails naming `what` after the deadline. */
function nextState(
  s: Station,
  test: (e: EvaluationState) => boolean,
  what: string,
): Promise<EvaluationState> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      s.off('evaluation', on);
      reject(new Error(`no evaluation event: ${what}`));
    }, 60_000);
    const on = (e: EvaluationState): void => {
      if (!test(e)) return;
      clearTimeout(timer);
      s.off('evaluation', on);
      resolve(e);
    };
    s.on('evaluation', on);
  });
}

describe('station evaluation', () => {
  it('refuses labelled sets outside the media folders and the data dir, and unknown models, with the reason', async () => {
    await withStation(async (s) => {
      const rule = `it must be an absolute path inside ${join(dataDir, 'recordings')}, ${dataDir}`;
      await expect(s.startEvaluation({ dataPath: outsideSet, modelIds: [NANO] })).rejects.toThrow(
        `labelled set ${outsideSet} is not available to the station: ${rule}`,
      );
      // Missing gives the same answer as outside: the API does not tell which files exist.
      await expect(s.startEvaluation({ dataPath: join(dataDir, 'nope'), modelIds: [NANO] })).rejects.toThrow(
        `labelled set ${join(dataDir, 'nope')} is not available to the station: ${rule}`,
      );
      await expect(s.startEvaluation({ dataPath: 'sets/photos', modelIds: [NANO] })).rejects.toThrow(
        'labelled set sets/photos is not available to the station',
      );
      await expect(
        s.startEvaluation({ dataPath: insideSet, modelIds: [NANO, '/no/such.onnx'] }),
      ).rejects.toThrow('no model with id /no/such.onnx in the library');
      await expect(s.startEvaluation({ dataPath: insideSet, modelIds: ['classic'] })).rejects.toThrow(
        'is not a model file and cannot be evaluated',
      );
      expect((await s.getEvaluation()).state).toBe('idle');
    });
  });

  it('runs in the background with progress events while the live line goes on, then cancel stops a run', async () => {
    await withStation(async (s) => {
      const done = nextState(s, (e) => e.state === 'done' || e.state === 'failed', 'run finished');
      const progressed = nextState(s, (e) => e.progress?.framesDone === 1, 'first frame evaluated');
      const started = await s.startEvaluation({ dataPath: insideSet, modelIds: [INT8] });
      expect([started.state, started.modelIds, started.results]).toEqual(['running', [INT8], null]);
      await expect(s.startEvaluation({ dataPath: insideSet, modelIds: [INT8] })).rejects.toThrow(
        'an evaluation is already running; cancel it or wait for it to finish',
      );
      expect((await progressed).progress).toMatchObject({ modelIndex: 0, modelCount: 1, framesTotal: 20 });
      const final = await done;
      expect(final.error).toBeNull();
      expect(final.state).toBe('done');
      expect(final.results!.models.map((m) => m.modelPath)).toEqual([INT8]);
      expect(await s.getEvaluation()).toEqual(final);
      // The live model was not touched by the run.
      expect((await s.getSnapshot()).model.active?.name).toBe('classic');

      // Cancel: two models, stop at the first evaluated frame.
      const firstFrame = nextState(s, (e) => e.progress?.framesDone === 1, 'first frame of the second run');
      await s.startEvaluation({ dataPath: insideSet, modelIds: [NANO, INT8] });
      await firstFrame;
      const cancelled = await s.cancelEvaluation();
      expect([cancelled.state, cancelled.results, cancelled.error]).toEqual(['cancelled', null, null]);
      expect(cancelled.progress!.modelIndex).toBe(0);
      // And a new run may start after a cancel.
      const again = nextState(s, (e) => e.state === 'cancelled', 'third run cancelled');
      await s.startEvaluation({ dataPath: insideSet, modelIds: [INT8] });
      await s.cancelEvaluation();
      expect((await again).state).toBe('cancelled');
    });
  });
});
