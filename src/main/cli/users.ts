/**
 * `users list | add NAME --role ROLE [--password] | remove NAME | set-role NAME ROLE |
 *  set-secret NAME [--password]  [--data-dir DIR]`
 * Station users from the command line (first administrator, a forgotten PIN). The PIN or password
 * is read from the first line of stdin, never from the command line (shell history, process list).
 * Every change is written to the audit trail as made by `cli:<OS user>`.
 */
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { AuditLog } from '../audit/audit-log';
import { UserError, UserStore } from '../auth/users';
import { ROLES } from '../core/permissions';
import { commissioningPaths, DEFAULT_CLI_DATA_DIR } from '../storage/data-paths';
import { parseFlags, UsageError, validateFlags, writeLine } from './args';

const Flags = z.object({
  'data-dir': z.string().min(1).default(DEFAULT_CLI_DATA_DIR),
  role: z.enum(ROLES, { message: `must be one of ${ROLES.join(', ')}` }).optional(),
  password: z.boolean().default(false),
});

async function readSecret(): Promise<string> {
  const rl = createInterface({ input: process.stdin });
  try {
    for await (const line of rl) return line.replace(/\r$/, '');
  } finally {
    rl.close();
  }
  throw new UsageError('give the PIN or password as the first line of stdin');
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    { 'data-dir': { type: 'string' }, role: { type: 'string' }, password: { type: 'boolean' } },
    true,
  );
  const flags = validateFlags(Flags, values);
  const [action, name, roleArg] = positionals;
  const paths = commissioningPaths(resolve(flags['data-dir']));
  const users = new UserStore(paths.usersFile);
  const actor = `cli:${userInfo().username}`;
  const kind = flags.password ? 'password' : 'pin';
  const audit = async (method: string, before: unknown, after: unknown): Promise<void> => {
    const log = await AuditLog.open(paths.auditLog);
    await log.append({ user: actor, role: null, client: 'cli', method, target: name ?? null, before, after });
  };
  const need = (n: number, usage: string): void => {
    if (positionals.length !== n) throw new UsageError(`usage: users ${usage}`);
  };
  try {
    switch (action) {
      case 'list': {
        need(1, 'list');
        for (const u of await users.list()) writeLine(process.stdout, JSON.stringify(u));
        return 0;
      }
      case 'add': {
        need(2, 'add NAME --role ROLE [--password]');
        if (!flags.role) throw new UsageError('--role: is required (operator, engineer or administrator)');
        const u = await users.add(name!, flags.role, kind, await readSecret());
        await audit('createUser', null, { username: u.username, role: u.role, kind: u.kind });
        writeLine(process.stdout, JSON.stringify(u));
        return 0;
      }
      case 'remove': {
        need(2, 'remove NAME');
        const before = (await users.list()).find((u) => u.username === name) ?? null;
        await users.remove(name!);
        await audit('deleteUser', before && { username: before.username, role: before.role }, null);
        return 0;
      }
      case 'set-role': {
        need(3, 'set-role NAME ROLE');
        const role = z.enum(ROLES).safeParse(roleArg);
        if (!role.success) throw new UsageError(`ROLE must be one of ${ROLES.join(', ')}`);
        const before = (await users.list()).find((u) => u.username === name)?.role ?? null;
        const u = await users.setRole(name!, role.data);
        await audit('setUserRole', before, u.role);
        writeLine(process.stdout, JSON.stringify(u));
        return 0;
      }
      case 'set-secret': {
        need(2, 'set-secret NAME [--password]');
        const u = await users.setSecret(name!, kind, await readSecret());
        // Never the secret itself: only that it changed, and its kind.
        await audit('setUserSecret', null, { kind: u.kind });
        writeLine(process.stdout, JSON.stringify(u));
        return 0;
      }
      default:
        throw new UsageError(
          'users list | add NAME --role ROLE [--password] | remove NAME | set-role NAME ROLE | set-secret NAME',
        );
    }
  } catch (e) {
    if (e instanceof UserError) {
      writeLine(process.stderr, `vision-station: users: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
