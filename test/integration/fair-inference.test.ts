/**
 * The fair-share gate between real sources and real pipelines on one shared ONNX worker: a
 * camera's source that ends still has its last frame processed, and the gate's counts add up.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createMultiCameraRuntime, type MultiCameraRuntime } from '../../src/main/app/multi-camera';
import { IMAGES_DIR, sharedModel, WORKER_JS } from '../helpers/paths';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('fair inference gate', () => {
  it('two cameras reading a folder once each: both process their last picture, and every frame is taken or dropped', async () => {
    const mc: MultiCameraRuntime = await createMultiCameraRuntime({
      cameras: ['a', 'b'].map((name) => ({
        name,
        // Three pictures as fast as they load: while one camera's frame is inferred, the other's
        // wait (and are replaced), so the end of the folder arrives with a frame still waiting.
        source: `images:${IMAGES_DIR}?fps=max`,
        model: sharedModel('yolo11n-int8-coco-320.onnx'),
        params: { confThreshold: 0.25, iouThreshold: 0.45, maxDet: 100, classFilter: null },
      })),
      workerPath: WORKER_JS,
      log: () => {},
    });
    cleanups.push(() => mc.close());
    const last = new Map<string, number>();
    for (const c of mc.cameras) c.pipeline.on('result', (r) => last.set(c.name, r.frameId));
    await mc.start();
    await mc.done();
    expect(mc.engineCount).toBe(1);
    for (const c of mc.cameras) {
      const delivered = c.source.stats.framesDelivered;
      expect(delivered).toBe(3);
      expect(last.get(c.name)).toBe(delivered);
      const share = c.share();
      expect(share.offered).toBe(delivered);
      expect(share.taken + share.dropped).toBe(share.offered);
      expect(c.pipeline.stats().frames).toBe(share.taken);
    }
  });
});
