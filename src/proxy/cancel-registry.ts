import { timingSafeEqual } from 'node:crypto';

export interface Cancellable {
  cancel(): void;
}

/**
 * The sessions of this proxy by the key PostgreSQL gave their backend (BackendKeyData), which the
 * client gets unchanged: pg_backend_pid() and a notification's sender are the pid it was given,
 * and pg_terminate_backend of that pid ends its session. A CancelRequest with a key found here
 * stops the proxy's own work for that session too; any other key is PostgreSQL's to judge.
 */
export class CancelRegistry {
  private sessions = new Map<number, { secret: Buffer; session: Cancellable }>();

  register(processId: number, secret: Buffer, session: Cancellable): void {
    this.sessions.set(processId, { secret: Buffer.from(secret), session });
  }

  /** Only the session's own entry: PostgreSQL may have given its pid to a newer backend already. */
  unregister(processId: number, session: Cancellable): void {
    if (this.sessions.get(processId)?.session === session) this.sessions.delete(processId);
  }

  /** Returns whether a session matched (and was cancelled); a wrong secret matches none. */
  cancel(processId: number, secret: Buffer): boolean {
    const entry = this.sessions.get(processId);
    if (!entry || entry.secret.length !== secret.length || !timingSafeEqual(entry.secret, secret)) return false;
    entry.session.cancel();
    return true;
  }
}
