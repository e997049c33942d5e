import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonLines, runCli } from '../helpers/cli';
import { constantOutputModel } from '../helpers/onnx-builder';

const dir = mkdtempSync(join(tmpdir(), 'vs-segmodel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('segmentation arithmetic through a real ONNX model built here', () => {
  it('known protos and coefficients give the exact mask, polygon, centroid and angle', async () => {
    // Input 64x64, one class, two prototypes at 16x16 (input / 4), one anchor.
    const N = 1;
    const NM = 2;
    const det = new Float32Array((4 + 1 + NM) * N);
    // Rows: cx, cy, w, h, class score, coefficient 0, coefficient 1 (column-major per anchor).
    det.set([32, 32, 32, 32, 0.9, 1, 0]);
    const protos = new Float32Array(NM * 16 * 16);
    // Prototype 0: +1 on the left half (proto x < 8), -1 on the right; prototype 1 unused (0).
    for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) protos[y * 16 + x] = x < 8 ? 1 : -1;
    const model = join(dir, 'seg-constant.onnx');
    writeFileSync(
      model,
      constantOutputModel(
        { name: 'images', dims: [1, 3, 64, 64] },
        [
          { name: 'output0', dims: [1, 4 + 1 + NM, N], values: det },
          { name: 'output1', dims: [1, NM, 16, 16], values: protos },
        ],
        { names: "{0: 'part'}", task: 'segment', imgsz: '[64, 64]' },
      ),
    );
    const image = join(dir, 'grey64.png');
    await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 90, g: 90, b: 90 } } })
      .png()
      .toFile(image);

    const r = await runCli(['detect', '--model', model, image]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [line] = jsonLines(r.stdout) as {
      model: { family: string; task: string };
      detections: unknown[];
    }[];
    expect(line!.model).toMatchObject({ family: 'yolov8-seg', task: 'segment' });
    // The box is [16,16,48,48]; sigmoid(coef · protos) > 0.5 holds left of the zero crossing
    // between proto centres 7 and 8, i.e. image x < 32: columns 16..31, rows 16..47.
    expect(line!.detections).toEqual([
      {
        classId: 0,
        className: 'part',
        score: 0.9,
        box: [16, 16, 48, 48],
        mask: {
          areaPx: 16 * 32,
          polygon: expect.arrayContaining([
            [16, 16],
            [32, 16],
            [32, 48],
            [16, 48],
          ]),
          angleDeg: 90,
          centroid: [24, 32],
        },
      },
    ]);
    expect((line!.detections[0] as { mask: { polygon: unknown[] } }).mask.polygon).toHaveLength(4);
  });
});
