/**
 * The main side's gate in front of every API request, IPC and WebSocket alike (see dispatch.ts):
 * which client is asking, is its session alive, may its role call the method, and — for every
 * method that can change something — an audit entry with the value before and after.
 *
 * Sessions belong to a client (one WebSocket connection, one Electron window): the login token is
 * kept here in the client's context and never travels in a message, so one client cannot borrow
 * another's session. While the station has no users at all it runs in "open commissioning": every
 * client acts as administrator (the UI shows a banner until an administrator is created).
 */
import { StationError } from '../../shared/station-error';
import { AsyncLocalStorage } from 'node:async_hooks';
import { stat } from 'node:fs/promises';
import type { ApiMethod } from '../../shared/api';
import type { Role, SessionView } from '../../shared/commissioning';
import type { AuditLog } from '../audit/audit-log';
import { AccessControl } from '../auth/access';
import { Sessions, type Session } from '../auth/sessions';
import type { UserStore } from '../auth/users';
import { canCall, MIN_ROLE, type GuardedMethod } from '../core/permissions';

/** Automatic logout after this long without a request (an HMI's usual 10 to 15 minutes). */
export const DEFAULT_IDLE_TIMEOUT_MS = 15 * 60_000;

/**
 * Methods that only read (or, like solveCalibration, compute without changing anything): not
 * audited. Every other method is, so a new method cannot forget it. Login and logout are audited
 * by AccessControl itself.
 */
const NOT_AUDITED: ReadonlySet<string> = new Set<string>([
  'getRecipe',
  'exportRecipe',
  'solveCalibration',
  'listUsers',
  'queryAudit',
  'exportAuditCsv',
  'verifyAudit',
  'detectImage',
  'login',
  'logout',
]);

export function isAudited(method: string): boolean {
  return MIN_ROLE[method as GuardedMethod] !== 'public' && !NOT_AUDITED.has(method);
}

/** A refusal by role or session; coded so the UI says it in the screen's language. */
export class AccessError extends StationError {
  override name = 'AccessError';
}

/** One client of the station: a WebSocket connection or an Electron window. */
export class ClientContext {
  /** The session token of this client; held here, never sent to the client. */
  token: string | null = null;
  /** The user name while a session is alive (for "acknowledged by"). */
  username: string | null = null;
  idleTimer: NodeJS.Timeout | null = null;

  constructor(
    /** For the audit trail and logs, e.g. `ws 192.168.0.12:50312`, `window 1`. */
    readonly client: string,
    /** Pushes this client's session changes (the `session` event) to this client only. */
    readonly push: (s: SessionView) => void,
  ) {}
}

/** The client of the request now running (set by dispatch). */
export const requestClient = new AsyncLocalStorage<ClientContext>();

export interface AccessGateOptions {
  users: UserStore;
  audit: AuditLog | null;
  idleTimeoutMs?: number;
  nowMs?: () => number;
  log: (line: string) => void;
  /** The value a change replaces (and what it changes, when the method does not say). */
  before: (
    method: ApiMethod,
    args: readonly unknown[],
  ) => Promise<{ before: unknown; target: string | null }>;
}

export class AccessGate {
  readonly sessions: Sessions;
  private access: AccessControl;
  private audit: AuditLog | null;
  readonly idleTimeoutMs: number;
  private readonly clients = new Set<ClientContext>();
  private usersKey: string | null = null;
  private open = true;

  constructor(private readonly opts: AccessGateOptions) {
    this.idleTimeoutMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.sessions = new Sessions({ idleTimeoutMs: this.idleTimeoutMs, nowMs: opts.nowMs });
    this.audit = opts.audit;
    this.access = new AccessControl(opts.users, this.sessions, opts.audit);
  }

  /** The audit log opens after construction (the station's start). */
  setAudit(audit: AuditLog | null): void {
    this.audit = audit;
    this.access = new AccessControl(this.opts.users, this.sessions, audit);
  }

  get users(): UserStore {
    return this.opts.users;
  }

  /** A transport's new client; detach it when the connection or window closes. */
  attach(client: string, push: (s: SessionView) => void): ClientContext {
    const c = new ClientContext(client, push);
    this.clients.add(c);
    return c;
  }

  detach(c: ClientContext): void {
    if (c.idleTimer) clearTimeout(c.idleTimer);
    if (c.token) this.sessions.end(c.token);
    c.token = null;
    this.clients.delete(c);
  }

  /** For a request without a transport's context (a direct call): a client nobody logged in on. */
  transient(client: string): ClientContext {
    return new ClientContext(client, () => {});
  }

  /**
   * No users defined? Read again only when the users file changed (the `users` command may add
   * one while the station runs); a change of mode is pushed to every client.
   */
  async isOpen(): Promise<boolean> {
    const st = await stat(this.opts.users.path).catch(() => null);
    const key = st ? `${st.mtimeMs}:${st.size}` : 'none';
    if (key === this.usersKey) return this.open;
    let open = true;
    if (st)
      try {
        open = (await this.opts.users.list()).length === 0;
      } catch (e) {
        // A damaged users file must not open the station to everyone, nor stop the live views:
        // closed (nobody can log in until it is repaired), read-only views still answer.
        open = false;
        this.opts.log(`${(e as Error).message}; nobody can log in until it is repaired`);
      }
    const changed = this.usersKey !== null && open !== this.open;
    this.usersKey = key;
    this.open = open;
    if (changed) for (const c of this.clients) c.push(await this.view(c, 'usersChanged'));
    return open;
  }

  /** The session of a client (without counting as activity). */
  private live(c: ClientContext): Session | null {
    const s = c.token ? this.sessions.peek(c.token) : null;
    if (!s && c.token) {
      c.token = null;
      c.username = null;
    }
    return s;
  }

  async view(c: ClientContext, reason?: SessionView['reason']): Promise<SessionView> {
    const open = await this.isOpen();
    const s = this.live(c);
    return {
      open,
      username: s?.username ?? null,
      role: s?.role ?? (open ? 'administrator' : null),
      idleTimeoutMs: this.idleTimeoutMs,
      ...(reason ? { reason } : {}),
    };
  }

  async login(c: ClientContext, username: string, secret: string): Promise<SessionView> {
    if (await this.isOpen())
      throw new AccessError(
        'noUsersYet',
        {},
        'no users are defined yet: create an administrator first (everyone has full rights until then)',
      );
    if (c.token) await this.access.logout(c.token);
    const r = await this.access.login(username, secret, c.client);
    if (!r.ok) throw new AccessError('loginRefused', { reason: r.message }, r.message);
    c.token = r.token;
    c.username = r.username;
    this.armIdle(c);
    return this.view(c, 'login');
  }

  async logout(c: ClientContext): Promise<SessionView> {
    if (c.token) await this.access.logout(c.token);
    c.token = null;
    c.username = null;
    if (c.idleTimer) clearTimeout(c.idleTimer);
    return this.view(c, 'logout');
  }

  /** Ends the sessions of a user (deleted or demoted) and tells the clients that held one. */
  async endUser(username: string): Promise<void> {
    this.sessions.endUser(username);
    for (const c of this.clients)
      if (c.username === username) {
        c.token = null;
        c.username = null;
        c.push(await this.view(c, 'usersChanged'));
      }
  }

  /** The automatic logout is pushed to the client when it happens, not at its next request. */
  private armIdle(c: ClientContext): void {
    if (c.idleTimer) clearTimeout(c.idleTimer);
    c.idleTimer = setTimeout(() => {
      c.idleTimer = null;
      const token = c.token;
      if (!token) return;
      const s = this.sessions.peek(token);
      if (s) return this.armIdle(c); // active meanwhile (another timer keeps it)
      const username = c.username;
      c.token = null;
      c.username = null;
      void this.view(c, 'idle').then(c.push, () => undefined);
      void this.audit
        ?.append({
          user: username ?? '?',
          role: null,
          client: c.client,
          method: 'autoLogout',
          before: null,
          after: null,
        })
        .catch((e: unknown) => this.opts.log(`audit: ${(e as Error).message}`));
    }, this.idleTimeoutMs + 50);
    c.idleTimer.unref?.();
  }

  /** The role of a client now (administrator in open commissioning, null when logged out). */
  async roleOf(c: ClientContext): Promise<Role | null> {
    if (await this.isOpen()) return 'administrator';
    return this.live(c)?.role ?? null;
  }

  /**
   * Checks the client may call `method`, runs it, and records a change in the audit trail (who,
   * role, client, method, value before and after). A refused or failed call records nothing.
   */
  async guard<T>(
    c: ClientContext,
    method: ApiMethod,
    args: readonly unknown[],
    run: () => Promise<T>,
  ): Promise<T> {
    const open = await this.isOpen();
    let session: Session | null = null;
    if (!open) {
      const hadToken = c.token !== null;
      session = c.token ? this.sessions.touch(c.token) : null;
      if (!session && hadToken) {
        c.token = null;
        c.username = null;
      }
      if (!canCall(session?.role ?? null, method)) {
        const min = MIN_ROLE[method as GuardedMethod];
        if (!session)
          throw new AccessError(
            hadToken ? 'loggedOutIdle' : 'notLoggedIn',
            { method, role: min },
            hadToken
              ? `not logged in (logged out after inactivity): ${method} needs the ${min} role`
              : `not logged in: ${method} needs the ${min} role`,
          );
        throw new AccessError(
          'forbidden',
          { method, role: min, user: session.username, userRole: session.role },
          `forbidden: ${method} needs the ${min} role (${session.username} is ${session.role})`,
        );
      }
      if (session) this.armIdle(c);
    } else if (!canCall('administrator', method)) {
      throw new AccessError('unknownMethod', { method }, `forbidden: unknown method ${method}`);
    }
    const audit = this.audit;
    if (!isAudited(method) || !audit) return run();
    const { before, target } = await this.opts
      .before(method, args)
      .catch(() => ({ before: null, target: null }));
    const result = await run();
    await audit.append({
      user: session?.username ?? (open ? 'open-commissioning' : 'anonymous'),
      role: session?.role ?? (open ? 'administrator' : null),
      client: c.client,
      method,
      target,
      before,
      after: result === undefined ? null : result,
    });
    return result;
  }
}
