/**
 * Logged-in sessions with automatic logout after inactivity. The clock is injected, so expiry is
 * tested without waiting. Bounded: the oldest session is dropped when the table is full.
 */
import { randomBytes } from 'node:crypto';
import type { Role } from '../core/permissions';

export interface Session {
  token: string;
  username: string;
  role: Role;
  /** Which client (e.g. "ipc", "ws 192.168.0.12"), for the audit trail. */
  client: string;
  startedAtMs: number;
  lastActivityMs: number;
}

export interface SessionOptions {
  /** Logout after this long without a request. */
  idleTimeoutMs: number;
  nowMs?: () => number;
  maxSessions?: number;
}

export class Sessions {
  private readonly byToken = new Map<string, Session>();
  private readonly nowMs: () => number;
  private readonly maxSessions: number;

  constructor(private readonly opts: SessionOptions) {
    if (!(opts.idleTimeoutMs > 0)) throw new RangeError('idleTimeoutMs must be positive');
    this.nowMs = opts.nowMs ?? Date.now;
    this.maxSessions = opts.maxSessions ?? 64;
  }

  start(user: { username: string; role: Role }, client: string): Session {
    this.sweep();
    while (this.byToken.size >= this.maxSessions) this.byToken.delete(this.byToken.keys().next().value!);
    const now = this.nowMs();
    const s: Session = {
      token: randomBytes(32).toString('hex'),
      username: user.username,
      role: user.role,
      client,
      startedAtMs: now,
      lastActivityMs: now,
    };
    this.byToken.set(s.token, s);
    return s;
  }

  /** The live session for a token (and counts this as activity), or null when unknown or idle too long. */
  touch(token: string): Session | null {
    const s = this.peek(token);
    if (s) s.lastActivityMs = this.nowMs();
    return s;
  }

  /** Like touch() without counting as activity (for status displays). */
  peek(token: string): Session | null {
    const s = this.byToken.get(token);
    if (!s) return null;
    if (this.nowMs() - s.lastActivityMs >= this.opts.idleTimeoutMs) {
      this.byToken.delete(token);
      return null;
    }
    return s;
  }

  end(token: string): boolean {
    return this.byToken.delete(token);
  }

  /** Ends every session of a user (deleted, demoted or locked out). */
  endUser(username: string): number {
    let n = 0;
    for (const [t, s] of this.byToken)
      if (s.username === username) {
        this.byToken.delete(t);
        n++;
      }
    return n;
  }

  /** Drops expired sessions; returns how many. */
  sweep(): number {
    let n = 0;
    for (const t of [...this.byToken.keys()]) if (!this.peek(t)) n++;
    return n;
  }

  get size(): number {
    return this.byToken.size;
  }
}
