/**
 * The station sends a semantic model's class maps with each frame and, with a pixel → mm
 * calibration, each class's area in mm² (FrameMessage.semanticAreasMm2).
 */
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { FrameMessage } from '../../src/shared/api';
import { Station } from '../../src/main/station/station';
import { MODELS_DIR, WORKER_JS } from '../helpers/paths';

const dir = mkdtempSync(join(tmpdir(), 'vs-semstation-'));
let station: Station | undefined;
afterAll(async () => {
  await station?.close();
  rmSync(dir, { recursive: true, force: true });
});

const VOC21 =
  'background aeroplane bicycle bird boat bottle bus car cat chair cow diningtable dog horse motorbike person pottedplant sheep sofa train tvmonitor'.split(
    ' ',
  );

it('a calibrated station gives each class of each head its area in mm²', async () => {
  const model = join(dir, 'deeplab.onnx');
  symlinkSync(join(MODELS_DIR, 'deeplabv3-mnv2-voc21-257-nhwc.onnx'), model);
  writeFileSync(
    join(dir, 'deeplab.json'),
    JSON.stringify({
      version: 2,
      task: 'semantic',
      names: VOC21,
      preprocess: {
        resize: 'stretch',
        channelOrder: 'rgb',
        mean: [127.5, 127.5, 127.5],
        std: [127.5, 127.5, 127.5],
      },
    }),
  );
  writeFileSync(
    join(dir, 'settings.json'),
    JSON.stringify({
      source: 'synthetic:?size=320x240&fps=10',
      modelId: model,
      // 0.5 mm per pixel each way: 0.25 mm² per pixel everywhere.
      plc: { uri: null, homographyPxToMm: [0.5, 0, 3, 0, 0.5, 7, 0, 0, 1] },
    }),
  );
  station = new Station({
    backend: 'websocket',
    version: 't',
    dataDir: dir,
    projectModelsDir: join(dir, 'none'),
    workerPath: WORKER_JS,
    log: () => undefined,
  });
  await station.start();
  station.frameSubscribers = 1;
  const frame = await new Promise<FrameMessage>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no frame with a segmentation within 30 s')), 30_000);
    station!.on('frame', (f: FrameMessage) => {
      if (!f.segmentation) return;
      clearTimeout(timer);
      resolve(f);
    });
  });
  const head = frame.segmentation!.heads[0]!;
  expect(head.classes.reduce((s, c) => s + c.pixels, 0)).toBe(320 * 240);
  expect(frame.semanticAreasMm2).toHaveLength(1);
  expect(frame.semanticAreasMm2![0]).toHaveLength(head.classes.length);
  head.classes.forEach((c, k) => expect(frame.semanticAreasMm2![0]![k]).toBeCloseTo(c.pixels * 0.25, 6));
}, 60_000);
