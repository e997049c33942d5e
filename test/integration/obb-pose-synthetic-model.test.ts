/**
 * Oriented boxes and pose through the same worker and CLI as real models, with ONNX models built
 * here whose outputs are known constants, so the decode can be checked exactly.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, runCli } from '../helpers/cli';
import { constantOutputModel } from '../helpers/onnx-builder';

const dir = mkdtempSync(join(tmpdir(), 'vs-obbpose-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const image = join(dir, 'grey128.png');
beforeAll(async () => {
  await sharp({ create: { width: 128, height: 128, channels: 3, background: { r: 90, g: 90, b: 90 } } })
    .png()
    .toFile(image);
});

/** Column-major [1, rows, n] values from per-anchor columns. */
function columns(cols: number[][]): Float32Array {
  const rows = cols[0]!.length;
  const n = cols.length;
  const data = new Float32Array(rows * n);
  cols.forEach((c, a) => c.forEach((v, r) => (data[r * n + a] = v)));
  return data;
}

describe('YOLOv8-OBB model built here (64x64 input, photo 128x128: everything doubles)', () => {
  it('decodes centre, size and angle exactly and keeps crossing boxes that a plain NMS would merge', async () => {
    const rad = (d: number) => (d * Math.PI) / 180;
    // Columns: cx, cy, w, h, score(plane), score(ship), angle.
    const cols = [
      [32, 32, 40, 4, 0.9, 0.0, rad(45)],
      [32, 32, 40, 4, 0.8, 0.0, rad(-45)],
      [32, 32, 40, 4, 0.7, 0.0, rad(44)],
      [16, 48, 10, 6, 0.0, 0.6, rad(0)],
    ];
    const model = join(dir, 'obb.onnx');
    writeFileSync(
      model,
      constantOutputModel(
        { name: 'images', dims: [1, 3, 64, 64] },
        [{ name: 'output0', dims: [1, 7, cols.length], values: columns(cols) }],
        { names: "{0: 'plane', 1: 'ship'}", task: 'obb', imgsz: '[64, 64]' },
      ),
    );
    const r = await runCli(['detect', '--model', model, image]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [line] = jsonLines(r.stdout) as {
      model: { family: string; task: string };
      detections: {
        className: string;
        score: number;
        obb: { centre: number[]; width: number; height: number; angleDeg: number };
      }[];
    }[];
    expect(line!.model).toMatchObject({ family: 'yolov8-obb', task: 'obb' });
    expect(
      line!.detections.map((d) => [
        d.className,
        d.score,
        d.obb.centre,
        d.obb.width,
        d.obb.height,
        d.obb.angleDeg,
      ]),
    ).toEqual([
      ['plane', 0.9, [64, 64], 80, 8, 45],
      ['plane', 0.8, [64, 64], 80, 8, -45],
      ['ship', 0.6, [32, 96], 20, 12, 0],
    ]);
  });
});

describe('YOLOv8-pose model built here', () => {
  it('decodes boxes and keypoints with visibility exactly', async () => {
    // Columns: cx, cy, w, h, person score, then 2 keypoints of (x, y, visibility).
    const cols = [
      [32, 32, 20, 40, 0.9, 30, 20, 0.95, 34, 44, 0.25],
      [10, 10, 4, 4, 0.1, 0, 0, 0, 0, 0, 0],
    ];
    const model = join(dir, 'pose.onnx');
    writeFileSync(
      model,
      constantOutputModel(
        { name: 'images', dims: [1, 3, 64, 64] },
        [{ name: 'output0', dims: [1, 11, cols.length], values: columns(cols) }],
        { names: "{0: 'person'}", task: 'pose', kpt_shape: '[2, 3]', imgsz: '[64, 64]' },
      ),
    );
    const r = await runCli(['detect', '--model', model, image]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [line] = jsonLines(r.stdout) as {
      model: { family: string; task: string };
      detections: unknown[];
    }[];
    expect(line!.model).toMatchObject({ family: 'yolov8-pose', task: 'pose' });
    expect(line!.detections).toEqual([
      {
        classId: 0,
        className: 'person',
        score: 0.9,
        box: [44, 24, 84, 104],
        keypoints: [
          { x: 60, y: 40, visibility: 0.95 },
          { x: 68, y: 88, visibility: 0.25 },
        ],
      },
    ]);
  });
});
