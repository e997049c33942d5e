/**
 * `download-model --id yolox-nano|yolox-s [--dir DIR]`: fetch a known-good Apache-2.0 model from
 * the official YOLOX release, with its size and hash checked, written atomically. This is the only
 * command that uses the network, and only when asked.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { downloadCatalogueModel, MODEL_CATALOGUE } from '../models/download';
import { parseFlags, validateFlags, writeLine } from './args';

const ids = MODEL_CATALOGUE.map((e) => e.id) as [string, ...string[]];
const Flags = z.object({
  id: z.enum(ids, { message: `must be one of ${ids.join(', ')}` }),
  dir: z
    .string()
    .min(1)
    .default(join(homedir(), '.vision-station', 'models')),
  mirror: z.string().url().optional(),
});

export async function main(argv: string[]): Promise<number> {
  const { values } = parseFlags(
    argv,
    { id: { type: 'string' }, dir: { type: 'string' }, mirror: { type: 'string' } },
    false,
  );
  const flags = validateFlags(Flags, values);
  let lastPct = -1;
  const r = await downloadCatalogueModel(flags.id, flags.dir, {
    mirrorUrl: flags.mirror,
    onProgress: ({ receivedBytes, totalBytes }) => {
      const pctDone = Math.floor((receivedBytes / totalBytes) * 100);
      if (pctDone >= lastPct + 10 || receivedBytes === totalBytes) {
        lastPct = pctDone;
        writeLine(
          process.stderr,
          `vision-station: download ${flags.id}: ${pctDone}% (${receivedBytes} of ${totalBytes} bytes)`,
        );
      }
    },
  });
  writeLine(
    process.stdout,
    JSON.stringify({ path: r.path, sidecar: r.sidecarPath, sizeBytes: r.sizeBytes, sha256: r.sha256 }),
  );
  return 0;
}
