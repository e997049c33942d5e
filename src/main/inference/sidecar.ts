/**
 * Optional `MODEL.json` next to `MODEL.onnx`: lets a user describe a model the auto-detection gets
 * wrong (names, task, input size, family, preprocessing). Validated strictly so a typo is an error,
 * not a silent default.
 */
import { readFileSync, existsSync } from 'node:fs';
import { z } from 'zod';
import { describeIssue } from '../../shared/schema';
import type { LayoutOverrides } from '../core/detect-layout';

export const SidecarSchema = z
  .object({
    family: z.enum(['yolov5', 'yolov8', 'yolov8-seg', 'yolox', 'e2e']).optional().describe('decoder to use'),
    task: z.enum(['detect', 'segment']).optional(),
    inputWidth: z.number().int().min(32).max(4096).optional().describe('model input width in pixels'),
    inputHeight: z.number().int().min(32).max(4096).optional().describe('model input height in pixels'),
    names: z.array(z.string().min(1)).min(1).optional().describe('class names in class-id order'),
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

export type Sidecar = z.infer<typeof SidecarSchema>;

export function sidecarPathFor(modelPath: string): string {
  return modelPath.replace(/\.onnx$/i, '') + '.json';
}

/** Returns null when there is no sidecar; throws with the file name and the first problem otherwise. */
export function readSidecar(modelPath: string): (LayoutOverrides & { licence?: string }) | null {
  const path = sidecarPathFor(modelPath);
  if (!existsSync(path)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`, { cause: e });
  }
  const parsed = SidecarSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`${path}: ${describeIssue(parsed.error)}`);
  }
  return parsed.data;
}
