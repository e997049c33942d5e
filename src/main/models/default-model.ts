import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelSpec } from '../inference/model';

/**
 * The model the app starts with: the first .onnx in the project's models/ folder, else the
 * built-in classic detector (which needs no weights at all).
 */
export function defaultModelSpec(modelsDir = join(__dirname, '..', '..', 'models')): ModelSpec {
  if (existsSync(modelsDir)) {
    const onnx = readdirSync(modelsDir).filter((f) => f.toLowerCase().endsWith('.onnx')).sort();
    if (onnx.length > 0) return { kind: 'onnx', path: join(modelsDir, onnx[0]!), providers: ['cpu'], intraOpThreads: 0 };
  }
  return { kind: 'classic' };
}
