/**
 * `audit verify | export [--user U] [--method M] [--from ISO] [--to ISO] [--limit N] [--data-dir DIR]`
 * verify: checks the hash chain, prints one JSON line, exits 1 when the log was tampered with.
 * export: the matching entries as CSV on stdout.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { auditCsv, AuditLog, verifyAuditFile } from '../audit/audit-log';
import { commissioningPaths, DEFAULT_CLI_DATA_DIR } from '../storage/data-paths';
import { intFlag, parseFlags, UsageError, validateFlags, writeLine } from './args';

const time = z
  .string()
  .refine((s) => Number.isFinite(Date.parse(s)), 'must be a date and time, e.g. 2026-11-27T08:00:00Z')
  .transform((s) => Date.parse(s));

const Flags = z.object({
  'data-dir': z.string().min(1).default(DEFAULT_CLI_DATA_DIR),
  user: z.string().min(1).optional(),
  method: z.string().min(1).optional(),
  from: time.optional(),
  to: time.optional(),
  limit: intFlag(1, 100_000).default(100_000),
});

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      'data-dir': { type: 'string' },
      user: { type: 'string' },
      method: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      limit: { type: 'string' },
    },
    true,
  );
  const flags = validateFlags(Flags, values);
  const { auditLog } = commissioningPaths(resolve(flags['data-dir']));
  if (positionals.length !== 1) throw new UsageError('usage: audit verify | export [filters]');
  if (positionals[0] === 'verify') {
    const r = await verifyAuditFile(auditLog);
    writeLine(process.stdout, JSON.stringify(r));
    return r.ok ? 0 : 1;
  }
  if (positionals[0] === 'export') {
    const log = await AuditLog.open(auditLog);
    const entries = await log.query({
      user: flags.user,
      method: flags.method,
      fromMs: flags.from,
      toMs: flags.to,
      limit: flags.limit,
    });
    process.stdout.write(auditCsv(entries));
    return 0;
  }
  throw new UsageError(`unknown audit action '${positionals[0]}' (verify, export)`);
}
