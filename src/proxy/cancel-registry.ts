import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

export interface Cancellable {
  cancel(): void;
}

/**
 * The proxy hands each client a process id and secret of its own (BackendKeyData), so a
 * CancelRequest reaches the session that owns it, which then cancels its upstream backend and
 * any work the proxy is doing for it.
 */
export class CancelRegistry {
  private sessions = new Map<number, { secret: Buffer; session: Cancellable }>();

  register(session: Cancellable, secretLength: number): { processId: number; secret: Buffer } {
    let processId: number;
    do processId = randomInt(1, 0x7fffffff);
    while (this.sessions.has(processId));
    const secret = randomBytes(secretLength);
    this.sessions.set(processId, { secret, session });
    return { processId, secret };
  }

  unregister(processId: number): void {
    this.sessions.delete(processId);
  }

  /** Returns whether a session matched; a wrong secret is ignored, as PostgreSQL does. */
  cancel(processId: number, secret: Buffer): boolean {
    const entry = this.sessions.get(processId);
    if (!entry || entry.secret.length !== secret.length || !timingSafeEqual(entry.secret, secret)) return false;
    entry.session.cancel();
    return true;
  }
}
