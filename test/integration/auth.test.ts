/** Users (scrypt hashes in a real file) and sessions, with an injected clock: no waiting. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/main/audit/audit-log';
import { AccessControl } from '../../src/main/auth/access';
import { hashSecret, verifySecret } from '../../src/main/auth/password';
import { Sessions } from '../../src/main/auth/sessions';
import { UserError, UserStore } from '../../src/main/auth/users';

const root = mkdtempSync(join(tmpdir(), 'vs-auth-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
// Low cost keeps the tests fast; the format and the comparison are the same.
const cost = { N: 1024, r: 8, p: 1 };
let k = 0;
function store(clock: { t: number }) {
  const path = join(root, `users-${k++}.json`);
  return {
    path,
    users: new UserStore(path, {
      nowMs: () => clock.t,
      maxFailures: 3,
      lockoutMs: 5 * 60_000,
      scryptCost: cost,
    }),
  };
}

async function userError(p: Promise<unknown>): Promise<UserError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error('expected a UserError');
}

describe('secrets', () => {
  it('salted scrypt: same secret, different hashes; verify accepts only the secret', async () => {
    const a = await hashSecret('1234', cost);
    const b = await hashSecret('1234', cost);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]{44}$/);
    expect(await verifySecret('1234', a)).toBe(true);
    expect(await verifySecret('1235', a)).toBe(false);
    expect(await verifySecret('1234', 'plain 1234')).toBe(false);
    expect(await verifySecret('1234', a.replace('$1024$', '$99999999$'))).toBe(false);
  });
});

describe('user store', () => {
  it('first user must be an administrator; the file holds no secret in clear', async () => {
    const clock = { t: 1000 };
    const { users, path } = store(clock);
    expect(await users.isEmpty()).toBe(true);
    expect((await userError(users.add('op', 'operator', 'pin', '1234'))).message).toBe(
      'the first user must be an administrator',
    );
    await users.add('admin', 'administrator', 'password', 'correct horse');
    await users.add('op', 'operator', 'pin', '4711');
    expect((await userError(users.add('op', 'engineer', 'pin', '9999'))).reason).toBe('exists');
    expect((await userError(users.add('Bad Name', 'engineer', 'pin', '9999'))).reason).toBe('invalid');
    expect((await userError(users.add('eng', 'engineer', 'pin', '12a4'))).message).toBe(
      'a PIN is 4 to 12 digits',
    );
    expect((await userError(users.add('eng', 'engineer', 'password', 'short'))).message).toBe(
      'a password has at least 8 characters',
    );
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain('4711');
    expect(text).not.toContain('correct horse');
    expect((await users.list()).map((u) => [u.username, u.role, u.kind])).toEqual([
      ['admin', 'administrator', 'password'],
      ['op', 'operator', 'pin'],
    ]);
  });

  it('authenticates; locks after 3 failures for 5 minutes, across a restart; unlocks after', async () => {
    const clock = { t: 10_000 };
    const { users, path } = store(clock);
    await users.add('admin', 'administrator', 'pin', '0000');
    await users.add('op', 'operator', 'pin', '4711');
    expect(await users.authenticate('op', '4711')).toMatchObject({
      ok: true,
      user: { username: 'op', role: 'operator' },
    });
    const wrong = { ok: false, reason: 'wrongCredentials', message: 'wrong user name or PIN/password' };
    expect(await users.authenticate('nobody', '4711')).toEqual(wrong);
    expect(await users.authenticate('op', '1')).toEqual(wrong);
    expect(await users.authenticate('op', '2')).toEqual(wrong);
    expect(await users.authenticate('op', '3')).toEqual({
      ok: false,
      reason: 'locked',
      message: 'too many wrong attempts: locked for 5 minutes',
    });
    // Even the right PIN is refused while locked, and a fresh store (restart) still knows.
    clock.t += 4 * 60_000 + 1;
    const restarted = new UserStore(path, { nowMs: () => clock.t, maxFailures: 3, scryptCost: cost });
    expect(await restarted.authenticate('op', '4711')).toEqual({
      ok: false,
      reason: 'locked',
      message: 'too many wrong attempts: locked for 1 more minute',
    });
    clock.t = 10_000 + 5 * 60_000;
    expect(await restarted.authenticate('op', '4711')).toMatchObject({ ok: true });
    // A success resets the count: two failures do not lock.
    await restarted.authenticate('op', '1');
    await restarted.authenticate('op', '2');
    expect(await restarted.authenticate('op', '4711')).toMatchObject({ ok: true });
  });

  it('roles and secrets change; the last administrator stays', async () => {
    const clock = { t: 0 };
    const { users } = store(clock);
    await users.add('admin', 'administrator', 'pin', '0000');
    await users.add('eng', 'engineer', 'pin', '1111');
    expect((await userError(users.setRole('admin', 'engineer'))).reason).toBe('lastAdministrator');
    expect((await userError(users.remove('admin'))).message).toBe(
      "'admin' is the only administrator; add another first",
    );
    await users.setRole('eng', 'administrator');
    await users.setRole('admin', 'operator');
    await users.setSecret('admin', 'password', 'a new password');
    expect(await users.authenticate('admin', '0000')).toMatchObject({ ok: false });
    expect(await users.authenticate('admin', 'a new password')).toMatchObject({
      ok: true,
      user: { role: 'operator' },
    });
    await users.remove('admin');
    expect((await users.list()).map((u) => u.username)).toEqual(['eng']);
    expect((await userError(users.remove('admin'))).reason).toBe('notFound');
  });

  it('concurrent changes are not lost', async () => {
    const { users } = store({ t: 0 });
    await users.add('admin', 'administrator', 'pin', '0000');
    await Promise.all(['a', 'b', 'c', 'd'].map((n) => users.add(n, 'operator', 'pin', '1234')));
    expect((await users.list()).map((u) => u.username).sort()).toEqual(['a', 'admin', 'b', 'c', 'd']);
  });

  it('a damaged users file is refused with the reason, not overwritten', async () => {
    const { users, path } = store({ t: 0 });
    writeFileSync(path, '{"version":1,"users":[{"username":"x"}]}');
    expect((await userError(users.list())).message).toMatch(/users file .*: users\.0\.role: /);
    expect((await userError(users.add('admin', 'administrator', 'pin', '0000'))).reason).toBe('damaged');
    expect(readFileSync(path, 'utf8')).toBe('{"version":1,"users":[{"username":"x"}]}');
  });
});

describe('sessions', () => {
  it('log out automatically after the idle time; activity keeps a session alive', () => {
    const clock = { t: 0 };
    const s = new Sessions({ idleTimeoutMs: 60_000, nowMs: () => clock.t });
    const a = s.start({ username: 'op', role: 'operator' }, 'ws 10.0.0.5');
    expect(a.token).toMatch(/^[0-9a-f]{64}$/);
    clock.t = 59_999;
    expect(s.touch(a.token)?.username).toBe('op');
    clock.t = 59_999 + 59_999;
    expect(s.peek(a.token)?.role).toBe('operator');
    clock.t = 59_999 + 60_000;
    expect(s.touch(a.token)).toBeNull();
    expect(s.size).toBe(0);
    expect(s.touch('forged')).toBeNull();
  });

  it('logout, end all of a user, bounded table', () => {
    const s = new Sessions({ idleTimeoutMs: 1000, nowMs: () => 0, maxSessions: 3 });
    const a = s.start({ username: 'a', role: 'operator' }, 'ipc');
    s.start({ username: 'b', role: 'engineer' }, 'ipc');
    s.start({ username: 'b', role: 'engineer' }, 'ws');
    const d = s.start({ username: 'c', role: 'operator' }, 'ws');
    expect(s.size).toBe(3);
    expect(s.peek(a.token)).toBeNull(); // the oldest made room
    expect(s.endUser('b')).toBe(2);
    expect(s.end(d.token)).toBe(true);
    expect(s.size).toBe(0);
  });
});

describe('access control (the main-side gate)', () => {
  it('an operator cannot change thresholds or the PLC, even calling directly; changes are audited', async () => {
    const clock = { t: 1_000_000 };
    const { users } = store(clock);
    await users.add('admin', 'administrator', 'pin', '0000');
    await users.add('op', 'operator', 'pin', '4711');
    await users.add('eng', 'engineer', 'pin', '2222');
    const sessions = new Sessions({ idleTimeoutMs: 10 * 60_000, nowMs: () => clock.t });
    const audit = await AuditLog.open(join(root, `audit-${k++}.log`), { nowMs: () => clock.t });
    const access = new AccessControl(users, sessions, audit);

    expect(access.check(null, 'getAppInfo')).toEqual({ ok: true, session: null });
    // Read-only views need no login (the station token gates who reaches the station).
    expect(access.check(null, 'getSnapshot')).toEqual({ ok: true, session: null });
    expect(access.check(null, 'acknowledgeAlarm')).toEqual({
      ok: false,
      code: 'notLoggedIn',
      message: 'log in first',
    });
    expect(await access.login('op', '9999', 'ws 10.0.0.7')).toMatchObject({
      ok: false,
      reason: 'wrongCredentials',
    });
    const op = await access.login('op', '4711', 'ws 10.0.0.7');
    if (!op.ok) throw new Error('operator login failed');
    expect(access.check(op.token, 'acknowledgeAlarm')).toMatchObject({
      ok: true,
      session: { username: 'op' },
    });
    expect(access.check(op.token, 'setParams')).toEqual({
      ok: false,
      code: 'forbidden',
      message: 'op (operator) may not setParams: it needs an engineer',
    });
    expect(access.check(op.token, 'setPlc')).toMatchObject({
      code: 'forbidden',
      message: 'op (operator) may not setPlc: it needs an administrator',
    });
    expect(access.check(op.token, 'dropTables')).toMatchObject({ code: 'unknownMethod' });

    const eng = await access.login('eng', '2222', 'ipc');
    if (!eng.ok) throw new Error('engineer login failed');
    const granted = access.check(eng.token, 'setParams');
    if (!granted.ok) throw new Error(granted.message);
    const after = await access.audited(
      granted.session,
      'ipc',
      'setParams',
      { before: { confThreshold: 0.25 } },
      async () => ({
        confThreshold: 0.4,
      }),
    );
    expect(after).toEqual({ confThreshold: 0.4 });
    await expect(
      access.audited(granted.session, 'ipc', 'setParams', { before: {} }, async () => {
        throw new Error('refused by the station');
      }),
    ).rejects.toThrow('refused by the station');

    // Idle for the timeout: logged out automatically.
    clock.t += 10 * 60_000;
    expect(access.check(op.token, 'acknowledgeAlarm')).toEqual({
      ok: false,
      code: 'notLoggedIn',
      message: 'logged out after inactivity: log in again',
    });

    const entries = await audit.query();
    expect(entries.map((e) => [e.user, e.method, e.after])).toEqual([
      ['op', 'login', 'wrongCredentials'],
      ['op', 'login', 'ok'],
      ['eng', 'login', 'ok'],
      ['eng', 'setParams', { confThreshold: 0.4 }],
    ]);
    expect(entries[3]).toMatchObject({ role: 'engineer', client: 'ipc', before: { confThreshold: 0.25 } });
    expect(await audit.verify()).toMatchObject({ ok: true, entries: 4 });
  });
});
