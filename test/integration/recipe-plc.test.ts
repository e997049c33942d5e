/**
 * The PLC switches recipes: recipeRequest on a real S7 server (node-snap7 S7Server) → the recipe
 * store's recipe for that slot → model hot swap, thresholds and class limits → recipeActive.
 */
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PlcSim } from '../../src/main/plc/plc-sim';
import { createRuntime } from '../../src/main/app/runtime';
import { RecipeStore } from '../../src/main/storage/recipes';
import { freePort } from '../../src/main/util/net';
import type { FrameResult } from '../../src/shared/frame';
import { CLI, ROOT, sharedModel, WORKER_JS } from '../helpers/paths';

const root = mkdtempSync(join(tmpdir(), 'vs-recipe-plc-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function waitFor<T>(
  what: string,
  subscribe: (resolve: (v: T) => void) => void,
  timeoutMs = 30_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${what} did not happen within ${timeoutMs} ms`)),
      timeoutMs,
    );
    subscribe((v) => {
      clearTimeout(timer);
      resolve(v);
    });
  });
}

describe('recipe switching from the PLC', () => {
  it('recipeRequest → the stored recipe is applied and recipeActive reported; unknown slots are logged', async () => {
    const store = new RecipeStore(join(root, 'recipes'));
    const model = sharedModel('yolo11n-int8-coco-320.onnx');
    await store.create({
      name: 'People only',
      modelId: model,
      params: { confThreshold: 0.6, iouThreshold: 0.5 },
      classLimits: { classes: { person: {} }, othersEnabled: false },
      plc: { slot: 3 },
    });
    const port = await freePort();
    const sim = new PlcSim({ port, dbNumber: 7 });
    await sim.start();
    cleanups.push(() => sim.close());
    const logs: string[] = [];
    const logEvents = new EventEmitter<{ line: [string] }>();
    const log = (l: string): void => {
      logs.push(l);
      logEvents.emit('line', l);
    };
    const rt = await createRuntime({
      source: 'synthetic:?size=640x360&fps=15',
      model: 'classic',
      plc: `s7://127.0.0.1:${port}?db=7`,
      params: { confThreshold: 0.25, iouThreshold: 0.45, maxDet: 100, classFilter: null },
      workerPath: WORKER_JS,
      log,
      failFast: true,
      recipeStore: store,
    });
    cleanups.push(() => rt.close());
    await rt.start();

    const active = waitFor<number>('recipeActive written by the app', (r) => sim.once('recipeActive', r));
    await sim.setControl({ recipeRequest: 3 });
    expect(await active).toBe(3);
    expect(rt.engine.model?.name).toBe('yolo11n-int8-coco-320');
    expect(rt.pipeline.decodeParams).toMatchObject({ confThreshold: 0.6, iouThreshold: 0.5, maxDet: 300 });
    expect(rt.pipeline.classLimits).toMatchObject({
      othersEnabled: false,
      classes: { person: { enabled: true } },
    });
    expect(logs).toContain("recipe slot 3: now running recipe 'People only'");
    // Results from the new model carry only persons, and nothing below 0.6.
    const fromNew = await waitFor<FrameResult>('a result from the new model', (resolve) => {
      const on = (r: FrameResult): void => {
        if (r.modelName !== 'yolo11n-int8-coco-320') return;
        rt.pipeline.off('result', on);
        resolve(r);
      };
      rt.pipeline.on('result', on);
    });
    expect(fromNew.detections.every((d) => d.className === 'person' && d.score >= 0.6)).toBe(true);
    // The limits ran on it (a frame without limits carries no `filtered` list).
    expect(Array.isArray(fromNew.filtered)).toBe(true);

    const unknown = 'the PLC asked for recipe slot 9, but no recipe has that slot';
    const logged = waitFor<string>('the unknown-slot log line', (resolve) =>
      logEvents.on('line', (l) => l === unknown && resolve(l)),
    );
    await sim.setControl({ recipeRequest: 9 });
    expect(await logged).toBe(unknown);
    await rt.runtime.recipesIdle();
    expect(rt.engine.model?.name).toBe('yolo11n-int8-coco-320');
  });

  it('run --recipes-dir: the PLC switches to a stored recipe while run runs', async () => {
    const store = new RecipeStore(join(root, 'cli-recipes'));
    await store.create({
      name: 'Strict',
      modelId: 'classic',
      params: { confThreshold: 0.9 },
      plc: { slot: 5 },
    });
    const port = await freePort();
    const sim = new PlcSim({ port, dbNumber: 7 });
    await sim.start();
    cleanups.push(() => sim.close());
    const child = spawn(
      process.execPath,
      [
        CLI,
        'run',
        '--source',
        'synthetic:?fps=20',
        '--model',
        'classic',
        '--plc',
        `s7://127.0.0.1:${port}?db=7`,
        '--recipes-dir',
        store.dir,
        '--frames',
        '100000',
      ],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    await waitFor<void>('a first PLC write from run', (resolve) => sim.once('frame', () => resolve()));
    const active = waitFor<number>('recipeActive written by run', (r) => sim.once('recipeActive', r));
    await sim.setControl({ recipeRequest: 5 });
    expect(await active).toBe(5);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stderr).toContain("vision-station: recipe slot 5: now running recipe 'Strict'\n");
  });
});
