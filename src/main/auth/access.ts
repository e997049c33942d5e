/**
 * The main side's gate for every API request (IPC and WebSocket alike): who is calling (session),
 * may they (canCall), and — for changes — an audit entry with the value before and after.
 * The transport layer calls `check` before dispatching and `audited` around a change.
 */
import type { AuditLog } from '../audit/audit-log';
import { canCall, MIN_ROLE, type GuardedMethod, type Role } from '../core/permissions';
import type { Session, Sessions } from './sessions';
import type { UserStore } from './users';

export type AccessDenied = {
  ok: false;
  code: 'notLoggedIn' | 'forbidden' | 'unknownMethod';
  message: string;
};
export type AccessGranted = { ok: true; session: Session | null };

export type LoginResult =
  | { ok: true; token: string; username: string; role: Role }
  | { ok: false; reason: 'wrongCredentials' | 'locked'; message: string };

export class AccessControl {
  constructor(
    private readonly users: UserStore,
    private readonly sessions: Sessions,
    private readonly audit: AuditLog | null,
  ) {}

  async login(username: string, secret: string, client: string): Promise<LoginResult> {
    const r = await this.users.authenticate(username, secret);
    // Failed logins are audited too (who tried which name from where), never the secret.
    await this.audit?.append({
      user: username,
      role: r.ok ? r.user.role : null,
      client,
      method: 'login',
      before: null,
      after: r.ok ? 'ok' : r.reason,
    });
    if (!r.ok) return r;
    const s = this.sessions.start(r.user, client);
    return { ok: true, token: s.token, username: s.username, role: s.role };
  }

  async logout(token: string): Promise<void> {
    const s = this.sessions.peek(token);
    if (!this.sessions.end(token) || !s) return;
    await this.audit?.append({
      user: s.username,
      role: s.role,
      client: s.client,
      method: 'logout',
      before: null,
      after: null,
    });
  }

  /**
   * May the holder of `token` (null: nobody logged in) call `method`? A live session's activity
   * clock is reset; an idle one has already ended (automatic logout), so it counts as not logged in.
   */
  check(token: string | null, method: string): AccessGranted | AccessDenied {
    if (!Object.prototype.hasOwnProperty.call(MIN_ROLE, method))
      return { ok: false, code: 'unknownMethod', message: `unknown method '${method}'` };
    const session = token ? this.sessions.touch(token) : null;
    if (canCall(session?.role ?? null, method)) return { ok: true, session };
    if (!session)
      return {
        ok: false,
        code: 'notLoggedIn',
        message: token ? 'logged out after inactivity: log in again' : 'log in first',
      };
    const min = MIN_ROLE[method as GuardedMethod];
    return {
      ok: false,
      code: 'forbidden',
      message: `${session.username} (${session.role}) may not ${method}: it needs ${min === 'public' ? 'nobody' : `an ${min}`}`,
    };
  }

  /**
   * Runs a change and records it: who, from where, the value before and after. Nothing is recorded
   * when the change fails (it did not happen); the error goes to the caller.
   */
  async audited<T>(
    session: Session | null,
    client: string,
    method: string,
    change: { before: unknown; target?: string | null },
    run: () => Promise<T>,
  ): Promise<T> {
    const result = await run();
    await this.audit?.append({
      user: session?.username ?? 'anonymous',
      role: session?.role ?? null,
      client: session?.client ?? client,
      method,
      target: change.target ?? null,
      before: change.before,
      after: result,
    });
    return result;
  }
}
