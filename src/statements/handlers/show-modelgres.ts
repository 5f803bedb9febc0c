import { CLIENTS } from '../../metrics/client-stats.ts';
import type { ShowModelgresClients, ShowModelgresStats, ShowModelgresWorkers } from '../ast/show-modelgres.ts';
import type { MlStatementContext } from '../ml-statement-context.ts';
import { sendRows } from './send-rows.ts';

/*
 * SHOW MODELGRES STATS | CLIENTS | WORKERS, in the spirit of pgbouncer's admin console. Any role
 * may ask; it sees its own sessions (its login role's), unless it is a superuser or a member of
 * modelgres_monitor. STATS and CLIENTS are this proxy's; WORKERS is the catalog's queue, shared
 * by every proxy and worker process on the database.
 */

/** Whether the caller sees every session: asked of PostgreSQL, on the caller's own session. */
async function seesAll(context: MlStatementContext): Promise<boolean> {
  const r = await context.upstream.query('SELECT modelgres.sees_all_sessions(current_user)');
  return r.rows[0][0] === 't';
}

const n = (v: number) => String(Math.round(v));
// As PostgreSQL writes a timestamptz in UTC.
const time = (d: Date | null) => (d === null ? null : d.toISOString().replace('T', ' ').replace('Z', '+00'));

export async function showModelgresStats(_s: ShowModelgresStats, _t: string, context: MlStatementContext): Promise<void> {
  const all = await seesAll(context);
  const rows = CLIENTS.byUser()
    .filter((t) => all || t.user === context.user)
    .map((t) => [t.database, t.user, n(t.clients), n(t.connections), n(t.transactions), n(t.queries), n(t.bytesReceived), n(t.bytesSent), n(t.queryMicros)]);
  sendRows(context, rows, `SHOW`);
}

export async function showModelgresClients(_s: ShowModelgresClients, _t: string, context: MlStatementContext): Promise<void> {
  const all = await seesAll(context);
  const rows = CLIENTS.open()
    .filter((c) => c.user !== '' && (all || c.user === context.user))
    .sort((a, b) => a.id - b.id)
    .map((c) => [
      n(c.id), c.user, c.database, c.state, c.address, c.port === null ? null : n(c.port), time(c.connectedAt), time(c.lastRequestMs === null ? null : new Date(c.lastRequestMs)),
      c.backendPid === null ? null : n(c.backendPid), n(c.transactions), n(c.queries), n(c.bytesReceived), n(c.bytesSent),
    ]);
  sendRows(context, rows, `SHOW`);
}

export async function showModelgresWorkers(_s: ShowModelgresWorkers, _t: string, context: MlStatementContext): Promise<void> {
  const r = await context.upstream.query(
    `SELECT worker, state, quote_ident(schema_name) || '.' || quote_ident(model_name), version::text, job_name, attempts::text,
            lease_until::text, queued_at::text, progress::text
       FROM modelgres.training_workers(current_user)`,
  );
  sendRows(context, r.rows, 'SHOW');
}
