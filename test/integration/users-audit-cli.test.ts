/** `users` and `audit` commands on a fresh data folder: first administrator, audit chain, CSV. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, ROOT } from '../helpers/paths';

const dataDir = mkdtempSync(join(tmpdir(), 'vs-users-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function cli(args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args, '--data-dir', dataDir], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} did not finish within 30 s`));
    }, 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(stdin);
  });
}

describe('users and audit commands', () => {
  it('first administrator from stdin, changes audited, tampering found, CSV export', async () => {
    const first = await cli(['users', 'add', 'op', '--role', 'operator'], '1234\n');
    expect([first.code, first.stderr]).toEqual([
      1,
      'vision-station: users: the first user must be an administrator\n',
    ]);
    const admin = await cli(
      ['users', 'add', 'admin', '--role', 'administrator', '--password'],
      'correct horse\n',
    );
    expect(admin.code, admin.stderr).toBe(0);
    expect(JSON.parse(admin.stdout)).toMatchObject({
      username: 'admin',
      role: 'administrator',
      kind: 'password',
    });
    expect((await cli(['users', 'add', 'op', '--role', 'operator'], '4711\n')).code).toBe(0);
    expect((await cli(['users', 'set-role', 'op', 'engineer'])).code).toBe(0);
    const noSecret = await cli(['users', 'add', 'x', '--role', 'operator'], '');
    expect([noSecret.code, noSecret.stderr]).toEqual([
      2,
      'vision-station: users: give the PIN or password as the first line of stdin\n',
    ]);
    const list = await cli(['users', 'list']);
    expect(
      list.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).role),
    ).toEqual(['administrator', 'engineer']);
    expect(readFileSync(join(dataDir, 'users.json'), 'utf8')).not.toContain('4711');

    const ok = await cli(['audit', 'verify']);
    expect([ok.code, JSON.parse(ok.stdout)]).toEqual([
      0,
      { ok: true, entries: 3, lastHash: expect.any(String) },
    ]);
    const csv = await cli(['audit', 'export', '--method', 'setUserRole']);
    const rows = csv.stdout.split('\r\n');
    expect(rows[0]).toBe('seq,time,user,role,client,method,target,before,after,hash');
    expect(rows[1]).toMatch(
      /^3,"[^"]+","cli:[^"]+","","cli","setUserRole","op","operator","engineer","[0-9a-f]{64}"$/,
    );

    const path = join(dataDir, 'audit.log');
    writeFileSync(path, readFileSync(path, 'utf8').replace('"after":"engineer"', '"after":"administrator"'));
    const bad = await cli(['audit', 'verify']);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toEqual({
      ok: false,
      entries: 2,
      line: 3,
      kind: 'hashMismatch',
      message: 'line 3 was changed after it was written (its hash does not match)',
    });
  });
});
