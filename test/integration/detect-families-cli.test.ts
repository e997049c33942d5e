/**
 * `detect` on the DETR-family and NMS-inside exports of ../shared/models, with no sidecar:
 * second inputs (orig_target_sizes, scale_factor) are filled automatically and the results match
 * MANIFEST.md (read here at test time).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonLines, runCli } from '../helpers/cli';
import { manifestDetections } from '../helpers/manifest';
import { expectMatchesReference, type OutDetection } from '../helpers/match';
import { constantOutputModel } from '../helpers/onnx-builder';
import { MODELS_DIR, sharedImage, sharedModel } from '../helpers/paths';

const IMAGES = ['dog.jpg', 'horses.jpg', 'person.jpg'];

/** The score threshold MANIFEST.md used for a model ("... score >= 0.35):"). */
function manifestThreshold(modelFile: string): number {
  const text = readFileSync(resolve(MODELS_DIR, 'MANIFEST.md'), 'utf8');
  const start = text.indexOf(`## ${modelFile}`);
  const section = text.slice(start, text.indexOf('\n## ', start + 3));
  const m = /Detections \([^)]*score >= ([\d.]+)\)/.exec(section);
  if (!m) throw new Error(`MANIFEST.md gives no score threshold for ${modelFile}`);
  return Number(m[1]);
}

describe.each([
  ['deimv2-atto-coco-320.onnx', 'detr'],
  ['picodet-xs-coco-320-nms.onnx', 'paddle-nms'],
])('detect with %s and no sidecar', (modelFile, family) => {
  it('matches the MANIFEST reference on every photo (score within 0.03, IoU ≥ 0.9)', async () => {
    const conf = manifestThreshold(modelFile);
    const r = await runCli([
      'detect',
      '--model',
      sharedModel(modelFile),
      '--conf',
      String(conf),
      ...IMAGES.map(sharedImage),
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = jsonLines(r.stdout) as {
      image: string;
      model: { family: string };
      detections: OutDetection[];
    }[];
    const ref = manifestDetections(modelFile);
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      const name = IMAGES.find((i) => line.image.endsWith(i))!;
      expect(line.model.family).toBe(family);
      expectMatchesReference(line.detections, ref[name]!, `${modelFile} ${name}`, {
        scoreTol: 0.03,
        minIou: 0.9,
      });
    }
  });
});

describe('raw DETR head built here, described by a version-2 sidecar', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vs-detr-raw-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('softmax over classes with a trailing no-object class, normalised cxcywh boxes, letterbox undone', async () => {
    // Two queries, classes [bolt, nut, no-object]: query 0 is a nut, query 1 is "no object".
    const logits = Float32Array.from([0, 3, 0, 0, 0, 6]);
    const boxes = Float32Array.from([0.5, 0.5, 0.25, 0.5, 0.5, 0.5, 0.5, 0.5]);
    const model = join(dir, 'detr.onnx');
    writeFileSync(
      model,
      constantOutputModel({ name: 'pixel_values', dims: [1, 3, 64, 64] }, [
        { name: 'logits', dims: [1, 2, 3], values: logits },
        { name: 'pred_boxes', dims: [1, 2, 4], values: boxes },
      ]),
    );
    writeFileSync(
      join(dir, 'detr.json'),
      JSON.stringify({
        version: 2,
        task: 'detect',
        family: 'detr-raw',
        names: ['bolt', 'nut'],
        scoreActivation: 'softmax',
        preprocess: { resize: 'letterbox', padCentred: true },
      }),
    );
    const image = join(dir, 'wide.png');
    await sharp({ create: { width: 128, height: 64, channels: 3, background: { r: 9, g: 9, b: 9 } } })
      .png()
      .toFile(image);
    const r = await runCli(['detect', '--model', model, image]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [line] = jsonLines(r.stdout) as { model: { family: string }; detections: unknown[] }[];
    expect(line!.model.family).toBe('detr-raw');
    // 128x64 letterboxed into 64x64: scale 0.5, 16 rows of padding on top. Box in the input:
    // cx 32, cy 32, w 16, h 32 → [24, 16, 40, 48] → photo [48, 0, 80, 64].
    const score = Number((Math.exp(3) / (Math.exp(3) + 2)).toFixed(4));
    expect(line!.detections).toEqual([{ classId: 1, className: 'nut', score, box: [48, 0, 80, 64] }]);
  });
});
