import pg from 'pg';
import { ClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';

/**
 * How many clients the proxy serves at once. Every client holds an upstream connection of its own
 * for its whole session (its prepared statements, SET, temporary tables, LISTEN, advisory locks and
 * cursors live there, and so do the proxy's own statements for it), so the limit is on clients, as
 * PostgreSQL's max_connections is: a client beyond it is refused at its StartupMessage, before any
 * upstream connection is opened, with PostgreSQL's own 53300. See docs/sql-decisions.md.
 */
export class ClientSlots {
  private taken = 0;

  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.taken;
  }

  /** Takes a slot, or throws the FATAL a client beyond the limit gets. */
  take(): void {
    if (this.taken >= this.limit) throw tooManyClients(this.limit);
    this.taken += 1;
  }

  release(): void {
    this.taken -= 1;
  }
}

/** PostgreSQL's words and SQLSTATE for a full server, with what to do about it. */
function tooManyClients(limit: number): ClientError {
  return new ClientError(SqlState.tooManyConnections, 'sorry, too many clients already', {
    severity: 'FATAL',
    detail: `modelgres serves at most ${limit} clients at once, each on a PostgreSQL connection of its own.`,
    hint:
      'Close idle connections or pool them in the application, or raise --max-client-connections ' +
      "(MODELGRES_MAX_CLIENT_CONNECTIONS) together with PostgreSQL's max_connections.",
  });
}

/** The background work a modelgres process runs besides serving clients. */
export interface OwnWorkers {
  trainingWorkers: number;
  scheduleWorkers: number;
}

/**
 * Upstream connections a modelgres process holds besides its clients', at most: the model
 * function registry's LISTEN (1), the remote endpoint table's LISTEN (1), the capture writer's
 * pool (2), the hosting manager's pool (2) and LISTEN (1); per training worker its pool (3) and its LISTEN (1), and the drift scheduler (1)
 * where there are training workers; per inference schedule worker its pool (2) and its LISTEN (1).
 * Keep in step with those classes.
 */
export function ownUpstreamConnections(own: OwnWorkers): number {
  const drift = own.trainingWorkers > 0 ? 1 : 0;
  return 1 + 1 + 2 + (2 + 1) + own.trainingWorkers * (3 + 1) + drift + own.scheduleWorkers * (2 + 1);
}

export interface UpstreamCapacity {
  maxConnections: number;
  /** superuser_reserved_connections plus reserved_connections (PostgreSQL 16+). */
  reserved: number;
}

/** The upstream's connection settings, read once at start. */
export async function readUpstreamCapacity(upstreamUrl: string): Promise<UpstreamCapacity> {
  const client = new pg.Client({ connectionString: upstreamUrl });
  await client.connect();
  try {
    const r = await client.query<{ max: string; reserved: string }>(
      `SELECT current_setting('max_connections') AS max,
              current_setting('superuser_reserved_connections')::int
                + coalesce(current_setting('reserved_connections', true)::int, 0) AS reserved`,
    );
    return { maxConnections: Number(r.rows[0].max), reserved: Number(r.rows[0].reserved) };
  } finally {
    await client.end();
  }
}

/**
 * The default limit: what PostgreSQL lets every role have (its reserved slots stay free for an
 * administrator), less the proxy's own connections. At least 1. Several proxies, separate workers
 * or other applications on the same PostgreSQL share its slots: give each proxy its share with
 * --max-client-connections.
 */
export function defaultClientLimit(capacity: UpstreamCapacity, own: OwnWorkers): number {
  return Math.max(1, capacity.maxConnections - capacity.reserved - ownUpstreamConnections(own));
}
