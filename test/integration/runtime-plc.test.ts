import { afterEach, describe, expect, it } from 'vitest';
import { PlcSim, type SimFrame } from '../../src/main/plc/plc-sim';
import { createRuntime, type Runtime } from '../../src/main/app/runtime';
import { freePort } from '../../src/main/util/net';
import type { FrameResult } from '../../src/shared/frame';
import { sharedModel, WORKER_JS } from '../helpers/paths';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function station(
  extra: Partial<Parameters<typeof createRuntime>[0]>,
): Promise<{ rt: Runtime; sim: PlcSim }> {
  const port = await freePort();
  const sim = new PlcSim({ port, dbNumber: 7 });
  await sim.start();
  cleanups.push(() => sim.close());
  const rt = await createRuntime({
    source: 'synthetic:?size=640x360&fps=15',
    model: 'classic',
    plc: `s7://127.0.0.1:${port}?db=7`,
    params: { confThreshold: 0.25, iouThreshold: 0.45, maxDet: 100, classFilter: null },
    workerPath: WORKER_JS,
    log: () => {},
    failFast: true,
    ...extra,
  });
  cleanups.push(() => rt.close());
  return { rt, sim };
}

describe('runtime with a PLC', () => {
  it('switches to the model of the recipe slot the PLC asks for, and reports it back', async () => {
    const { rt, sim } = await station({ recipes: { 3: sharedModel('yolo11n-int8-coco-320.onnx') } });
    await rt.start();
    const active = new Promise<number>((resolve) => sim.on('recipeActive', resolve));
    await sim.setControl({ recipeRequest: 3 });
    expect(await active).toBe(3);
    expect(rt.engine.model?.name).toBe('yolo11n-int8-coco-320');
    // And results keep coming, now from the new model (a frame already in the old worker when
    // the swap happened still finishes there first).
    const fromNew = await new Promise<FrameResult>((resolve) => {
      const on = (r: FrameResult): void => {
        if (r.modelName !== 'yolo11n-int8-coco-320') return;
        rt.pipeline.off('result', on);
        resolve(r);
      };
      rt.pipeline.on('result', on);
    });
    expect(fromNew.provider).toBe('cpu');
  });

  it('writes positions in millimetres when a calibration is configured', async () => {
    // 0.5 mm per pixel, origin unchanged.
    const { rt, sim } = await station({ calibration: [0.5, 0, 0, 0, 0.5, 0, 0, 0, 1] });
    const results = new Map<number, FrameResult>();
    rt.pipeline.on('result', (r) => results.set(r.frameId, r));
    const withObjects = new Promise<SimFrame>((resolve) => {
      sim.on('frame', (f) => {
        if (f.header.count > 0 && results.has(f.header.frameId)) resolve(f);
      });
    });
    await rt.start();
    const f = await withObjects;
    const r = results.get(f.header.frameId)!;
    const px = [...r.detections].sort((a, b) => b.score - a.score)[0]!;
    const rec = f.records[0]!;
    expect(rec.x).toBeCloseTo(((px.box[0] + px.box[2]) / 2) * 0.5, 3);
    expect(rec.y).toBeCloseTo(((px.box[1] + px.box[3]) / 2) * 0.5, 3);
    expect(rec.width).toBeCloseTo((px.box[2] - px.box[0]) * 0.5, 3);
    expect(rec.height).toBeCloseTo((px.box[3] - px.box[1]) * 0.5, 3);
  });
});
