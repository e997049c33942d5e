/**
 * `detect` on the DETR-family and NMS-inside exports of ../shared/models, with no sidecar:
 * second inputs (orig_target_sizes, scale_factor) are filled automatically and the results match
 * MANIFEST.md (read here at test time).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli } from '../helpers/cli';
import { manifestDetections } from '../helpers/manifest';
import { expectMatchesReference, type OutDetection } from '../helpers/match';
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
