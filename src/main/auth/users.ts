/**
 * Station users: name, role, and a PIN or password kept only as a salted scrypt hash. Repeated
 * failures lock the account for a while (kept in the file, so a restart does not reset it).
 * One JSON file, validated on read, written atomically; changes are serialised.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ROLES, type Role } from '../core/permissions';
import { writeFileAtomic } from '../storage/atomic-file';
import { hashSecret, verifySecret } from './password';

export const UsernameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,31}$/, 'a user name is 1 to 32 lowercase letters, digits, ., _ or -');

export const SecretKindSchema = z.enum(['pin', 'password']);
export type SecretKind = z.output<typeof SecretKindSchema>;

const UserRecordSchema = z
  .object({
    username: UsernameSchema,
    role: z.enum(ROLES),
    kind: SecretKindSchema,
    secretHash: z.string().startsWith('scrypt$').max(512),
    failedAttempts: z.number().int().min(0).default(0),
    lockedUntilMs: z.number().int().min(0).nullable().default(null),
    createdAtMs: z.number().int().min(0),
  })
  .strict();
type UserRecord = z.output<typeof UserRecordSchema>;

const UsersFileSchema = z
  .object({
    version: z.literal(1),
    users: z.array(UserRecordSchema).max(1000),
  })
  .strict()
  .refine((f) => new Set(f.users.map((u) => u.username)).size === f.users.length, 'user names must differ');

export interface UserInfo {
  username: string;
  role: Role;
  kind: SecretKind;
  lockedUntilMs: number | null;
  createdAtMs: number;
}

export type AuthFailure = 'wrongCredentials' | 'locked';
export type AuthResult = { ok: true; user: UserInfo } | { ok: false; reason: AuthFailure; message: string };

export class UserError extends Error {
  override name = 'UserError';
  constructor(
    readonly reason: 'invalid' | 'exists' | 'notFound' | 'lastAdministrator' | 'damaged',
    message: string,
  ) {
    super(message);
  }
}

export interface UserStoreOptions {
  /** Failures in a row before the account locks. */
  maxFailures?: number;
  lockoutMs?: number;
  nowMs?: () => number;
  /** scrypt cost; tests lower it to stay fast. */
  scryptCost?: { N: number; r: number; p: number };
}

/** PIN: 4 to 12 digits. Password: 8 to 128 characters. */
export function secretProblem(kind: SecretKind, secret: string): string | null {
  if (kind === 'pin') return /^\d{4,12}$/.test(secret) ? null : 'a PIN is 4 to 12 digits';
  if (secret.length < 8) return 'a password has at least 8 characters';
  if (secret.length > 128) return 'a password has at most 128 characters';
  return null;
}

const info = (u: UserRecord): UserInfo => ({
  username: u.username,
  role: u.role,
  kind: u.kind,
  lockedUntilMs: u.lockedUntilMs,
  createdAtMs: u.createdAtMs,
});

export class UserStore {
  private readonly maxFailures: number;
  private readonly lockoutMs: number;
  private readonly nowMs: () => number;
  private chain: Promise<unknown> = Promise.resolve();
  private dummyHash: Promise<string> | null = null;

  constructor(
    readonly path: string,
    private readonly opts: UserStoreOptions = {},
  ) {
    this.maxFailures = opts.maxFailures ?? 5;
    this.lockoutMs = opts.lockoutMs ?? 5 * 60_000;
    this.nowMs = opts.nowMs ?? Date.now;
  }

  /** Runs read-modify-write steps one at a time, so two requests never lose each other's change. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => {});
    return run;
  }

  private async read(): Promise<UserRecord[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new UserError('damaged', `users file ${this.path} is not valid JSON: ${(e as Error).message}`);
    }
    const r = UsersFileSchema.safeParse(raw);
    if (!r.success) {
      const i = r.error.issues[0]!;
      throw new UserError(
        'damaged',
        `users file ${this.path}: ${i.path.join('.') || '(root)'}: ${i.message}`,
      );
    }
    return r.data.users;
  }

  private async write(users: UserRecord[]): Promise<void> {
    await writeFileAtomic(this.path, JSON.stringify({ version: 1, users }, null, 2) + '\n');
  }

  async list(): Promise<UserInfo[]> {
    return (await this.read()).map(info);
  }

  /** No users yet: the first one created must be an administrator (first-run setup). */
  async isEmpty(): Promise<boolean> {
    return (await this.read()).length === 0;
  }

  async add(username: string, role: Role, kind: SecretKind, secret: string): Promise<UserInfo> {
    const name = UsernameSchema.safeParse(username);
    if (!name.success) throw new UserError('invalid', name.error.issues[0]!.message);
    const problem = secretProblem(kind, secret);
    if (problem) throw new UserError('invalid', problem);
    const secretHash = await hashSecret(secret, this.opts.scryptCost);
    return this.serial(async () => {
      const users = await this.read();
      if (users.length === 0 && role !== 'administrator')
        throw new UserError('invalid', 'the first user must be an administrator');
      if (users.some((u) => u.username === username))
        throw new UserError('exists', `a user named '${username}' already exists`);
      const u: UserRecord = {
        username,
        role,
        kind,
        secretHash,
        failedAttempts: 0,
        lockedUntilMs: null,
        createdAtMs: this.nowMs(),
      };
      await this.write([...users, u]);
      return info(u);
    });
  }

  private async update(
    username: string,
    change: (u: UserRecord, all: UserRecord[]) => UserRecord,
  ): Promise<UserInfo> {
    return this.serial(async () => {
      const users = await this.read();
      const i = users.findIndex((u) => u.username === username);
      if (i < 0) throw new UserError('notFound', `no user '${username}'`);
      const next = change(users[i]!, users);
      users[i] = next;
      await this.write(users);
      return info(next);
    });
  }

  private static assertNotLastAdmin(u: UserRecord, all: UserRecord[]): void {
    if (u.role === 'administrator' && all.filter((o) => o.role === 'administrator').length === 1)
      throw new UserError(
        'lastAdministrator',
        `'${u.username}' is the only administrator; add another first`,
      );
  }

  async setRole(username: string, role: Role): Promise<UserInfo> {
    return this.update(username, (u, all) => {
      if (role !== 'administrator') UserStore.assertNotLastAdmin(u, all);
      return { ...u, role };
    });
  }

  async setSecret(username: string, kind: SecretKind, secret: string): Promise<UserInfo> {
    const problem = secretProblem(kind, secret);
    if (problem) throw new UserError('invalid', problem);
    const secretHash = await hashSecret(secret, this.opts.scryptCost);
    // A new secret set by an administrator also lifts a lockout.
    return this.update(username, (u) => ({ ...u, kind, secretHash, failedAttempts: 0, lockedUntilMs: null }));
  }

  async remove(username: string): Promise<void> {
    await this.serial(async () => {
      const users = await this.read();
      const u = users.find((o) => o.username === username);
      if (!u) throw new UserError('notFound', `no user '${username}'`);
      UserStore.assertNotLastAdmin(u, users);
      await this.write(users.filter((o) => o !== u));
    });
  }

  /**
   * Checks a login. The message never says whether the name exists. A locked account is refused
   * without checking the secret (so guessing goes on costing nothing but time for the attacker).
   */
  async authenticate(username: string, secret: string): Promise<AuthResult> {
    const wrong: AuthResult = {
      ok: false,
      reason: 'wrongCredentials',
      message: 'wrong user name or PIN/password',
    };
    return this.serial(async () => {
      const users = await this.read();
      const i = users.findIndex((u) => u.username === username);
      const now = this.nowMs();
      if (i < 0) {
        // Spend the same time as a real check, so timing does not reveal the name is unknown.
        this.dummyHash ??= hashSecret('not a user', this.opts.scryptCost);
        await verifySecret(secret, await this.dummyHash);
        return wrong;
      }
      const u = users[i]!;
      if (u.lockedUntilMs !== null && now < u.lockedUntilMs) {
        const minutes = Math.ceil((u.lockedUntilMs - now) / 60_000);
        return {
          ok: false,
          reason: 'locked',
          message: `too many wrong attempts: locked for ${minutes} more minute${minutes === 1 ? '' : 's'}`,
        };
      }
      if (await verifySecret(secret, u.secretHash)) {
        const fresh = { ...u, failedAttempts: 0, lockedUntilMs: null };
        if (u.failedAttempts !== 0 || u.lockedUntilMs !== null) {
          users[i] = fresh;
          await this.write(users);
        }
        return { ok: true, user: info(fresh) };
      }
      const failedAttempts = u.failedAttempts + 1;
      const lock = failedAttempts >= this.maxFailures;
      users[i] = {
        ...u,
        failedAttempts: lock ? 0 : failedAttempts,
        lockedUntilMs: lock ? now + this.lockoutMs : null,
      };
      await this.write(users);
      if (lock) {
        const minutes = Math.ceil(this.lockoutMs / 60_000);
        return {
          ok: false,
          reason: 'locked',
          message: `too many wrong attempts: locked for ${minutes} minute${minutes === 1 ? '' : 's'}`,
        };
      }
      return wrong;
    });
  }
}
