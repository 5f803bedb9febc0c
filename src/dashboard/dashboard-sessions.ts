import { randomBytes } from 'node:crypto';
import type pg from 'pg';

export interface DashboardSession {
  readonly id: string;
  readonly user: string;
  /** The role's own connection: every page of this session reads through it. */
  readonly client: pg.Client;
  /** Sent back with every form the session posts (logout). */
  readonly csrf: string;
  readonly startedAt: number;
  lastSeen: number;
  /** One page at a time on the connection: pg queues queries, this keeps a page's reads together. */
  busy: Promise<unknown>;
}

export interface SessionLimits {
  /** Ends a session unused for this long (default 30 minutes). */
  idleMs: number;
  /** Ends any session this long after login (default 12 hours). */
  maxMs: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMs: 30 * 60_000, maxMs: 12 * 3_600_000 };

/** Random, unguessable, URL- and cookie-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Logged-in sessions, in this process's memory only: the cookie holds a random id, never the
 * role's name or password. A session ends on logout, after `idleMs` unused or `maxMs` in all, and
 * its PostgreSQL connection closes with it.
 */
export class DashboardSessions {
  private readonly sessions = new Map<string, DashboardSession>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly limits: SessionLimits = DEFAULT_SESSION_LIMITS) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(60_000, limits.idleMs)).unref();
  }

  create(user: string, client: pg.Client): DashboardSession {
    const now = Date.now();
    const session: DashboardSession = { id: newToken(), user, client, csrf: newToken(), startedAt: now, lastSeen: now, busy: Promise.resolve() };
    this.sessions.set(session.id, session);
    // A connection PostgreSQL closes (restart, pg_terminate_backend) ends the session.
    client.once('end', () => this.end(session.id));
    return session;
  }

  /** The live session of this id, marked as used now; an expired one is ended and not returned. */
  get(id: string | undefined): DashboardSession | null {
    if (!id) return null;
    const session = this.sessions.get(id);
    if (!session) return null;
    if (this.expired(session, Date.now())) {
      this.end(id);
      return null;
    }
    session.lastSeen = Date.now();
    return session;
  }

  end(id: string): void {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    session.client.end().catch(() => {});
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((s) => s.client.end().catch(() => {})));
  }

  private expired(session: DashboardSession, now: number): boolean {
    return now - session.lastSeen > this.limits.idleMs || now - session.startedAt > this.limits.maxMs;
  }

  private sweep(): void {
    const now = Date.now();
    for (const session of this.sessions.values()) if (this.expired(session, now)) this.end(session.id);
  }
}
