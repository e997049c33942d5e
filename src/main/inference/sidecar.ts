/**
 * Optional `MODEL.json` next to `MODEL.onnx`: lets a user describe a model the auto-detection gets
 * wrong or cannot see (names, task, input size, family, preprocessing). Validated strictly so a
 * typo is an error, not a silent default.
 *
 * Version 1 (no `version`, or 1) gives `inputWidth`/`inputHeight` and `preprocess.pixelScale`;
 * version 2 (DESIGN.md) gives `input:{width,height}` and per-channel `mean`/`std` on the 0..255
 * scale, the resize mode and the semantic-segmentation options. Both map onto the same overrides.
 */
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { describeIssue } from '../../shared/schema';
import type { LayoutOverrides } from '../core/detect-layout';
import { pixelScaleToMeanStd, type Preprocess } from '../core/model-layout';

const FAMILIES = [
  'yolov5',
  'yolov8',
  'yolov8-seg',
  'yolov8-obb',
  'yolov8-pose',
  'yolox',
  'e2e',
  'detr',
  'detr-raw',
  'paddle-nms',
  'semantic',
] as const;
const TASKS = ['detect', 'segment', 'semantic', 'obb', 'pose'] as const;

const size = z.number().int().min(32).max(4096);
const names = z.array(z.string().min(1)).min(1);

export const SidecarV1Schema = z
  .object({
    version: z.literal(1).optional(),
    family: z.enum(['yolov5', 'yolov8', 'yolov8-seg', 'yolox', 'e2e']).optional().describe('decoder to use'),
    task: z.enum(['detect', 'segment']).optional(),
    inputWidth: size.optional().describe('model input width in pixels'),
    inputHeight: size.optional().describe('model input height in pixels'),
    names: names.optional().describe('class names in class-id order'),
    licence: z.string().optional(),
    preprocess: z
      .object({
        channelOrder: z.enum(['rgb', 'bgr']).optional(),
        pixelScale: z.number().positive().optional().describe('multiplier on 0..255 pixel values'),
        padCentred: z.boolean().optional(),
        padValue: z.number().int().min(0).max(255).optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((s) => (s.inputWidth === undefined) === (s.inputHeight === undefined), {
    message: 'give both inputWidth and inputHeight, or neither',
  });

const rgb3 = z.tuple([z.number().finite(), z.number().finite(), z.number().finite()]);

export const SidecarV2Schema = z
  .object({
    version: z.literal(2),
    task: z.enum(TASKS),
    family: z.enum(FAMILIES).optional().describe('decoder to use; guessed from the outputs when absent'),
    names: names.optional().describe('class names in class-id order (first head for semantic models)'),
    input: z
      .object({
        width: size,
        height: size,
        layout: z.enum(['nchw', 'nhwc']).optional(),
      })
      .strict()
      .optional(),
    preprocess: z
      .object({
        resize: z.enum(['letterbox', 'stretch']).optional(),
        channelOrder: z.enum(['rgb', 'bgr']).optional(),
        mean: rgb3.optional().describe('per channel, R G B order, on the 0..255 scale'),
        std: z
          .tuple([z.number().positive(), z.number().positive(), z.number().positive()])
          .optional()
          .describe('per channel, R G B order, on the 0..255 scale'),
        padValue: z.number().min(0).max(255).optional(),
        padCentred: z.boolean().optional(),
      })
      .strict()
      .optional(),
    scoreActivation: z.enum(['sigmoid', 'softmax']).optional().describe('raw DETR heads'),
    heads: z
      .array(z.object({ name: z.string().min(1).optional(), names: names.optional() }).strict())
      .min(1)
      .optional()
      .describe('semantic heads in output order'),
    objectClasses: z
      .array(z.union([z.string().min(1), z.number().int().min(0)]))
      .optional()
      .describe('semantic classes whose regions become detections'),
    minAreaPx: z.number().int().min(1).optional().describe('smallest semantic region reported, photo pixels'),
    licence: z.string().optional(),
  })
  .strict();

export type SidecarV1 = z.infer<typeof SidecarV1Schema>;
export type SidecarV2 = z.infer<typeof SidecarV2Schema>;
export type Sidecar = SidecarV1 | SidecarV2;

export function sidecarPathFor(modelPath: string): string {
  return modelPath.replace(/\.onnx$/i, '') + '.json';
}

export type SidecarOverrides = LayoutOverrides & { licence?: string };

function v1Overrides(s: SidecarV1): SidecarOverrides {
  const { pixelScale, ...pre } = s.preprocess ?? {};
  const preprocess: Partial<Preprocess> = { ...pre, ...(pixelScale ? pixelScaleToMeanStd(pixelScale) : {}) };
  return {
    ...(s.family ? { family: s.family } : {}),
    ...(s.task ? { task: s.task } : {}),
    ...(s.inputWidth && s.inputHeight ? { inputWidth: s.inputWidth, inputHeight: s.inputHeight } : {}),
    ...(s.names ? { names: s.names } : {}),
    ...(s.licence ? { licence: s.licence } : {}),
    ...(s.preprocess ? { preprocess } : {}),
  };
}

function v2Overrides(s: SidecarV2): SidecarOverrides {
  const out: SidecarOverrides = { task: s.task };
  if (s.family) out.family = s.family;
  if (s.names) out.names = s.names;
  if (s.input) {
    out.inputWidth = s.input.width;
    out.inputHeight = s.input.height;
    if (s.input.layout) out.inputLayout = s.input.layout;
  }
  if (s.preprocess) out.preprocess = s.preprocess;
  if (s.scoreActivation) out.scoreActivation = s.scoreActivation;
  if (s.heads) out.heads = s.heads;
  if (s.objectClasses) out.objectClasses = s.objectClasses;
  if (s.minAreaPx) out.minAreaPx = s.minAreaPx;
  if (s.licence) out.licence = s.licence;
  return out;
}

/** Validates parsed JSON; the error names the field (`preprocess.mean.1: ...`). */
export function parseSidecar(raw: unknown): SidecarOverrides {
  const isV2 = typeof raw === 'object' && raw !== null && (raw as { version?: unknown }).version === 2;
  const parsed = isV2 ? SidecarV2Schema.safeParse(raw) : SidecarV1Schema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(describeIssue(parsed.error));
  }
  return isV2 ? v2Overrides(parsed.data as SidecarV2) : v1Overrides(parsed.data as SidecarV1);
}

/** Returns null when there is no sidecar; throws with the file name and the first problem otherwise. */
export function readSidecar(modelPath: string): SidecarOverrides | null {
  const path = sidecarPathFor(modelPath);
  if (!existsSync(path)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`, { cause: e });
  }
  try {
    return parseSidecar(raw);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`, { cause: e });
  }
}
