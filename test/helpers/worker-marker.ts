import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A fresh temporary folder and, in environment variable `envName`, the path of a marker file in it
 * that the test's worker helpers create to tell one worker from the others (see
 * hanging-worker.mjs, uneven-lanes-worker.mjs); both are undone by the returned cleanups.
 */
export function workerMarker(envName: string, cleanups: (() => Promise<void> | void)[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'vs-marker-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  process.env[envName] = join(dir, 'marker');
  cleanups.push(() => void delete process.env[envName]);
  return dir;
}
