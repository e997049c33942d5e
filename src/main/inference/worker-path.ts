import { join } from 'node:path';

/**
 * The built inference worker sits next to the built CLI and Electron main (out/main/, chunks
 * included, see electron.vite.config.ts). Tests that import sources pass the built path themselves.
 */
export function workerScriptPath(): string {
  return join(__dirname, 'inference-worker.js');
}
