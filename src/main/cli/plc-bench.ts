/** `plc-bench [--writes 500] [--max-objects 16]`: S7 write latency of a full block on loopback. */
import { z } from 'zod';
import { freePort } from '../util/net';
import { measureS7WriteLatency } from '../plc/s7-bench';
import { intFlag, parseFlags, validateFlags, writeLine } from './args';

const Flags = z.object({
  writes: intFlag(10, 100_000).default(500),
  'max-objects': intFlag(1, 1024).default(16),
});

export async function main(argv: string[]): Promise<number> {
  const { values } = parseFlags(
    argv,
    { writes: { type: 'string' }, 'max-objects': { type: 'string' } },
    false,
  );
  const flags = validateFlags(Flags, values);
  const r = await measureS7WriteLatency({
    port: await freePort(),
    writes: flags.writes,
    maxObjects: flags['max-objects'],
  });
  writeLine(process.stdout, JSON.stringify({ ...r, maxObjects: flags['max-objects'] }));
  return 0;
}
