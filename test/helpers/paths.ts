import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** Project root (tests run from it). */
export const ROOT = resolve(__dirname, '..', '..');
/** Shared test data: models, photos, footage. Never copied into the project. */
export const SHARED_DIR = resolve(process.env['VISION_STATION_SHARED'] ?? resolve(ROOT, '..', 'shared'));
export const MODELS_DIR = resolve(SHARED_DIR, 'models');
export const IMAGES_DIR = resolve(SHARED_DIR, 'images');
export const FOOTAGE_DIR = resolve(SHARED_DIR, 'footage');
export const CLI = resolve(ROOT, 'bin', 'vision-station.js');
export const WORKER_JS = resolve(ROOT, 'out', 'main', 'inference-worker.js');

export function sharedModel(name: string): string {
  const p = resolve(MODELS_DIR, name);
  if (!existsSync(p))
    throw new Error(`test model ${p} is missing; set VISION_STATION_SHARED to the shared folder`);
  return p;
}
export function sharedImage(name: string): string {
  return resolve(IMAGES_DIR, name);
}
