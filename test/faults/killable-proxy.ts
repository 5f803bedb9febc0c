import { inject } from 'vitest';
import pg from 'pg';
import { pollUntil } from '../support/poll.ts';
import { freshDatabase, spawnProxy, type ProxyProcess } from './proxy-process.ts';

/*
 * `modelgres start` on a database of its own, to be SIGKILLed in the middle of a statement: no
 * shutdown code runs, its connections to PostgreSQL just close. Kills wait for an event PostgreSQL
 * shows (the statement's backend in pg_stat_activity, a job row), never for time to pass.
 */
export interface KillableProxy {
  upstreamUrl: string;
  /** Straight to PostgreSQL, as the superuser. */
  direct: pg.Client;
  /** The running proxy; a new one after a kill. One training worker, whose lease runs out 2 s after it dies. */
  proxy(): Promise<ProxyProcess>;
  /** A client through the proxy, named so that pg_stat_activity shows its backend. */
  client(applicationName: string): Promise<pg.Client>;
  /** The backend of the client named `applicationName` now, or null when it has ended. */
  backendOf(applicationName: string): Promise<Backend | null>;
  /** SIGKILL; the clients through it are gone. */
  kill(): Promise<void>;
  /** Waits until PostgreSQL has ended the backend the killed proxy left behind. */
  backendGone(applicationName: string): Promise<void>;
  close(): Promise<void>;
}

export interface Backend {
  query: string;
  /** Set once its transaction has written something. */
  xid: string | null;
  /** 'Lock' while it waits on a lock. */
  waiting: string | null;
}

export async function killableProxy(prefix: string): Promise<KillableProxy> {
  const upstreamUrl = await freshDatabase(inject('upstreamUrl'), prefix);
  const database = new URL(upstreamUrl).pathname.slice(1);
  const direct = new pg.Client(upstreamUrl);
  await direct.connect();
  let running: ProxyProcess | null = null;
  let clients: pg.Client[] = [];
  const proxy = async () => {
    if (running) return running;
    const started = await spawnProxy(upstreamUrl, ['--workers', '1', '--lease-seconds', '2']);
    await started.ready();
    running = started;
    return started;
  };
  const backendOf = async (applicationName: string) => {
    const r = await direct.query<Backend>(
      `SELECT query, backend_xid::text AS xid, wait_event_type AS waiting FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()`,
      [applicationName],
    );
    return r.rows[0] ?? null;
  };
  const kill = async () => {
    await running?.kill();
    running = null;
    clients = [];
  };
  return {
    upstreamUrl,
    direct,
    proxy,
    client: async (applicationName) => {
      const c = new pg.Client({ connectionString: (await proxy()).url(database), application_name: applicationName });
      c.on('error', () => {});
      await c.connect();
      clients.push(c);
      return c;
    },
    backendOf,
    kill,
    backendGone: async (applicationName) => {
      await pollUntil(`the backend of ${applicationName} to end`, () => backendOf(applicationName), (b) => b === null, { timeoutMs: 30_000 });
    },
    close: async () => {
      await Promise.all(clients.map((c) => c.end().catch(() => {})));
      await kill();
      await direct.end();
    },
  };
}

/**
 * A linear model `name` (function `${name}_fn`) on pts(x, y), y = 2x + 1 for x in 0..99, trained
 * and READY: closed-form answers to check predictions against.
 */
export async function linearModel(k: KillableProxy, name: string): Promise<void> {
  await k.direct.query(`CREATE TABLE IF NOT EXISTS pts AS SELECT g::float8 AS x, (2 * g + 1)::float8 AS y FROM generate_series(0, 99) g`);
  const c = await k.client('setup');
  await c.query(`CREATE MODEL ${name} FROM pts TARGET y FUNCTION ${name}_fn AUTO OFF MODEL_TYPE LINEAR_LEARNER`);
  await pollUntil(`model ${name} to be READY`, () => versionStates(k.direct, name), (s) => s.join() === 'READY', { timeoutMs: 60_000 });
  await c.end();
}

/** The states of a model's versions, in version order. */
export async function versionStates(direct: pg.Client, name: string): Promise<string[]> {
  const r = await direct.query(
    `SELECT v.state FROM modelgres.model_version v JOIN modelgres.model m USING (model_id) WHERE m.model_name = $1 ORDER BY v.version`,
    [name],
  );
  return r.rows.map((row) => row.state);
}
