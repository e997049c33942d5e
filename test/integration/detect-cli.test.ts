import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonLines, runCli } from '../helpers/cli';
import { manifestDetections } from '../helpers/manifest';
import { expectMatchesReference, type OutDetection } from '../helpers/match';
import { constantOutputModel } from '../helpers/onnx-builder';
import { sharedImage, sharedModel } from '../helpers/paths';

interface DetectLine {
  image: string;
  width: number;
  height: number;
  model: { name: string; family: string; task: string; provider: string };
  detections: (OutDetection & { classId: number; mask?: { areaPx: number; polygon: number[][] } })[];
  timings: { preMs: number; inferMs: number; postMs: number };
}

const IMAGES = ['dog.jpg', 'horses.jpg', 'person.jpg'];
const tmp = mkdtempSync(join(tmpdir(), 'vs-detect-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

export async function detectAll(modelFile: string): Promise<DetectLine[]> {
  const r = await runCli(['detect', '--model', sharedModel(modelFile), ...IMAGES.map(sharedImage)]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return jsonLines(r.stdout) as DetectLine[];
}

describe.each([
  ['yolov8n-int8-coco-640.onnx', 'yolov8'],
  ['yolo11n-int8-coco-320.onnx', 'yolov8'],
  ['yolov5n-fp16-coco-640.onnx', 'yolov5'],
  ['yolov8n-seg-int8-coco-320.onnx', 'yolov8-seg'],
  ['yolox-nano-coco-416.onnx', 'yolox'],
  ['yolov10n-int8-coco-640-e2e.onnx', 'e2e'],
])('detect with %s', (modelFile, family) => {
  it('finds the MANIFEST reference detections on every photo', async () => {
    const lines = await detectAll(modelFile);
    const ref = manifestDetections(modelFile);
    expect(lines.map((l) => l.image)).toEqual(IMAGES.map(sharedImage));
    for (const line of lines) {
      const name = IMAGES.find((i) => line.image.endsWith(i))!;
      expect(line.model.family).toBe(family);
      expect(line.model.provider).toBe('cpu');
      expect(Object.keys(line.timings)).toEqual(['preMs', 'inferMs', 'postMs']);
      expectMatchesReference(line.detections, ref[name]!, `${modelFile} ${name}`);
    }
    expect(lines.find((l) => l.image.endsWith('dog.jpg'))).toMatchObject({ width: 768, height: 576 });
  });
});

describe('segmentation masks on person.jpg', () => {
  it('person and dog masks are plausible and lie inside their boxes', async () => {
    const r = await runCli([
      'detect',
      '--model',
      sharedModel('yolov8n-seg-int8-coco-320.onnx'),
      sharedImage('person.jpg'),
    ]);
    expect(r.code).toBe(0);
    const [line] = jsonLines(r.stdout) as DetectLine[];
    for (const cls of ['person', 'dog']) {
      const d = line!.detections.find((x) => x.className === cls)!;
      const [x1, y1, x2, y2] = d.box;
      const boxArea = (x2 - x1) * (y2 - y1);
      const mask = d.mask as { areaPx: number; polygon: number[][]; centroid: number[] };
      expect(mask.areaPx / boxArea, `${cls} mask share of its box`).toBeGreaterThan(0.3);
      expect(mask.areaPx / boxArea, `${cls} mask share of its box`).toBeLessThan(0.95);
      expect(mask.polygon.length).toBeGreaterThanOrEqual(4);
      // Polygon vertices sit on pixel corners, so allow one pixel beyond the (sub-pixel) box.
      for (const [x, y] of [...mask.polygon, mask.centroid]) {
        expect(x!).toBeGreaterThanOrEqual(Math.floor(x1) - 1);
        expect(x!).toBeLessThanOrEqual(Math.ceil(x2) + 1);
        expect(y!).toBeGreaterThanOrEqual(Math.floor(y1) - 1);
        expect(y!).toBeLessThanOrEqual(Math.ceil(y2) + 1);
      }
    }
  });
});

describe('detect errors: exit code and one clear line on stderr', () => {
  const model = sharedModel('yolo11n-int8-coco-320.onnx');

  it('unknown flag → 2', async () => {
    const r = await runCli(['detect', '--model', model, '--bogus', sharedImage('dog.jpg')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      "vision-station: detect: Unknown option '--bogus'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--bogus\"\n",
    );
  });

  it('bad flag value → 2', async () => {
    const r = await runCli(['detect', '--model', model, '--conf', '1.5', sharedImage('dog.jpg')]);
    expect([r.code, r.stderr]).toEqual([2, 'vision-station: detect: --conf: must be between 0 and 1\n']);
    const p = await runCli(['detect', '--model', model, '--provider', 'gpu', sharedImage('dog.jpg')]);
    expect([p.code, p.stderr]).toEqual([
      2,
      "vision-station: detect: --provider: must be one of 'cpu', 'cuda', 'tensorrt'\n",
    ]);
  });

  it('missing model flag or images → 2', async () => {
    expect(await runCli(['detect', sharedImage('dog.jpg')])).toMatchObject({
      code: 2,
      stderr: 'vision-station: detect: --model: is required (path to an .onnx file)\n',
    });
    expect(await runCli(['detect', '--model', model])).toMatchObject({
      code: 2,
      stderr: 'vision-station: detect: give at least one IMAGE to detect on\n',
    });
  });

  it('missing model file → 1', async () => {
    const missing = join(tmp, 'nope.onnx');
    const r = await runCli(['detect', '--model', missing, sharedImage('dog.jpg')]);
    expect([r.code, r.stdout, r.stderr]).toEqual([
      1,
      '',
      `vision-station: detect: model file ${missing} does not exist\n`,
    ]);
  });

  it('corrupt model file → 1', async () => {
    const corrupt = join(tmp, 'corrupt.onnx');
    writeFileSync(corrupt, Buffer.from('this is not an onnx model at all, just text\n'.repeat(50)));
    const r = await runCli(['detect', '--model', corrupt, sharedImage('dog.jpg')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(r.stderr).toMatch(new RegExp(`^vision-station: detect: .*${corrupt.replace(/[.]/g, '\\.')}.*\n$`));
  });

  it('truncated model file → 1', async () => {
    const truncated = join(tmp, 'truncated.onnx');
    writeFileSync(truncated, readFileSync(model).subarray(0, 100_000));
    const r = await runCli(['detect', '--model', truncated, sharedImage('dog.jpg')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^vision-station: detect: .*truncated\.onnx.*\n$/);
  });

  it('model whose outputs cannot be decoded → 1, naming its shapes', async () => {
    const odd = join(tmp, 'odd-output.onnx');
    writeFileSync(
      odd,
      constantOutputModel({ name: 'images', dims: [1, 3, 64, 64] }, [
        { name: 'weird', dims: [1, 5, 5], values: new Float32Array(25) },
      ]),
    );
    const r = await runCli(['detect', '--model', odd, sharedImage('dog.jpg')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'vision-station: detect: cannot decode this model (output layout not recognised as YOLOv5, YOLOv8/11 detect, segment, OBB or pose, YOLOX, end-to-end [1,300,6], ' +
        'DETR (labels/boxes/scores or logits + boxes), PaddleDetection [N,6] or semantic [1,C,H,W]/[1,H,W,C]); ' +
        'inputs: images float32 [1,3,64,64]; outputs: weird float32 [1,5,5]\n',
    );
  });

  it('unreadable image → 1, the other images still get their lines', async () => {
    const notImage = join(tmp, 'not-an-image.jpg');
    writeFileSync(notImage, 'hello');
    const missing = join(tmp, 'missing.jpg');
    const r = await runCli(['detect', '--model', model, notImage, sharedImage('dog.jpg'), missing]);
    expect(r.code).toBe(1);
    const lines = jsonLines(r.stdout) as DetectLine[];
    expect(lines.map((l) => l.image)).toEqual([sharedImage('dog.jpg')]);
    const errs = r.stderr.trimEnd().split('\n');
    expect(errs).toHaveLength(2);
    expect(errs[0]).toMatch(new RegExp(`^vision-station: detect: cannot process image ${notImage}: `));
    expect(errs[1]).toMatch(
      new RegExp(`^vision-station: detect: cannot process image ${missing}: .*(missing|exist)`),
    );
  });

  it('unknown command → 2', async () => {
    const r = await runCli(['detekt']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^vision-station: unknown command 'detekt' \(commands: detect/);
  });
});
