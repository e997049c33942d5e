/**
 * The demo bundle (resources/demo): what a station with no settings shows on its first start, a
 * real clip looped through a real model and the built-in PLC simulator, so a new user sees the
 * product doing its job before choosing a camera.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface DemoBundle {
  dir: string;
  modelPath: string;
  clipPath: string;
  /** The clip as a source URI, looped at its own pace. */
  sourceUri: string;
}

export const DEMO_MODEL_FILE = 'yolox-nano-coco-416.onnx';
export const DEMO_CLIP_FILE = 'bottle-detection.mp4';

/** The bundle in `dir`, or null when it is incomplete (a build without it). */
export function findDemoBundle(dir: string | null | undefined): DemoBundle | null {
  if (!dir) return null;
  const modelPath = join(dir, DEMO_MODEL_FILE);
  const clipPath = join(dir, DEMO_CLIP_FILE);
  if (!existsSync(modelPath) || !existsSync(clipPath)) return null;
  return { dir, modelPath, clipPath, sourceUri: `file:${clipPath}?loop=1` };
}
