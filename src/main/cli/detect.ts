/**
 * `detect --model PATH [--conf 0.25] [--iou 0.45] [--provider cpu|cuda|tensorrt] IMAGE...`
 * One JSON line per image on stdout; one line per failure on stderr; other images still run.
 */
import { z } from 'zod';
import { detectionJson, round } from '../core/detection-json';
import type { ModelInfo, SemanticSegmentation } from '../../shared/detection';
import { InferenceEngine } from '../inference/engine';
import { decodeImagePath } from '../inference/image-input';
import {
  inferenceFlagFields,
  inferenceFlagOptions,
  intFlag,
  parseFlags,
  UsageError,
  validateFlags,
  writeLine,
} from './args';
import { workerScriptPath } from '../inference/worker-path';
import { providerOrder } from '../inference/providers';

const Flags = z.object({
  model: z
    .string({ message: 'is required (path to an .onnx file)' })
    .min(1, 'is required (path to an .onnx file)'),
  ...inferenceFlagFields,
  'max-det': intFlag(1, 10_000).default(300),
});

export function modelSummary(m: ModelInfo) {
  return {
    name: m.name,
    family: m.family,
    task: m.task,
    inputWidth: m.inputWidth,
    inputHeight: m.inputHeight,
    provider: m.provider,
  };
}

/** The `segmentation` object of the command-line contract (DESIGN.md), plus each head's class map RLE. */
export function segmentationJson(s: SemanticSegmentation) {
  const heads = s.heads.map((h) => ({
    name: h.name,
    classes: h.classes.map((c) => ({ ...c, fraction: round(c.fraction, 5) })),
    rle: h.rle,
  }));
  return { width: s.width, height: s.height, heads, classes: heads[0]?.classes ?? [] };
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      model: { type: 'string' },
      ...inferenceFlagOptions,
      'max-det': { type: 'string' },
    },
    true,
  );
  const flags = validateFlags(Flags, values);
  if (positionals.length === 0) throw new UsageError('give at least one IMAGE to detect on');

  const engine = new InferenceEngine({ workerPath: workerScriptPath() });
  engine.on('status', (m) => writeLine(process.stderr, `vision-station: ${m}`));
  let failures = 0;
  try {
    let model: ModelInfo;
    try {
      model = await engine.load({
        kind: 'onnx',
        path: flags.model,
        providers: providerOrder(flags.provider),
        intraOpThreads: flags.threads,
      });
    } catch (e) {
      writeLine(process.stderr, `vision-station: detect: ${(e as Error).message}`);
      return 1;
    }
    for (const image of positionals) {
      try {
        const img = await decodeImagePath(image);
        const out = await engine.infer(img, {
          confThreshold: flags.conf,
          iouThreshold: flags.iou,
          maxDet: flags['max-det'],
          classFilter: null,
        });
        writeLine(
          process.stdout,
          JSON.stringify({
            image,
            width: img.widthPx,
            height: img.heightPx,
            model: modelSummary(model),
            detections: out.detections.map(detectionJson),
            ...(out.segmentation ? { segmentation: segmentationJson(out.segmentation) } : {}),
            timings: {
              preMs: round(out.timings.preMs, 2),
              inferMs: round(out.timings.inferMs, 2),
              postMs: round(out.timings.postMs, 2),
            },
          }),
        );
      } catch (e) {
        failures++;
        writeLine(
          process.stderr,
          `vision-station: detect: cannot process image ${image}: ${(e as Error).message.split('\n')[0]}`,
        );
      }
    }
  } finally {
    await engine.close();
  }
  return failures > 0 ? 1 : 0;
}

export { detectionJson };
