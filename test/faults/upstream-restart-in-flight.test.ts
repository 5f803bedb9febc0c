import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedServer, type EmbeddedServer } from '../../src/embedded/embedded-server.ts';
import { startModelgres, type Modelgres } from '../../src/modelgres.ts';
import { freePort } from '../../src/util/free-port.ts';
import { pollUntil } from '../support/poll.ts';
import { recordingLogger, show, type RecordingLogger } from '../support/recording-logger.ts';

/*
 * PostgreSQL restarted under a running proxy while statements are in flight, with a fast shutdown
 * (SIGINT: `pg_ctl restart -m fast`) and an immediate one (SIGQUIT: `-m immediate`, crash recovery
 * at the next start). A PostgreSQL of this file's own, so the restarts disturb no other file.
 * test/proxy/upstream-restart.test.ts covers a restart with nobody connected, and closing the
 * proxy during an outage.
 */
let dir: string;
let server: EmbeddedServer;
let modelgres: Modelgres | null = null;
let log: RecordingLogger;
let proxyUrl: string;
const clients: pg.Client[] = [];

async function client(applicationName = 'modelgres-test'): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: proxyUrl, application_name: applicationName });
  c.on('error', () => {});
  await c.connect();
  clients.push(c);
  return c;
}

/** Straight to PostgreSQL: what is running, as PostgreSQL sees it. */
async function activeQueries(): Promise<string[]> {
  const direct = new pg.Client(server.url);
  await direct.connect();
  try {
    const r = await direct.query(`SELECT application_name FROM pg_stat_activity WHERE state = 'active' AND application_name LIKE 'in-flight-%'`);
    return r.rows.map((row) => row.application_name).sort();
  } finally {
    await direct.end();
  }
}

/** `pg_ctl stop -m immediate`: SIGQUIT to the postmaster (its pid is the lock file's first line); resolves once it is gone. */
async function immediateShutdown(): Promise<void> {
  const pid = Number((await readFile(path.join(dir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0]);
  process.kill(pid, 'SIGQUIT');
  const alive = async () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  await pollUntil('the postmaster to exit', alive, (a) => !a);
}

/** What a client connecting through the proxy gets while PostgreSQL is down. */
async function connectDuringOutage(): Promise<{ code?: string; message: string }> {
  const c = new pg.Client(proxyUrl);
  c.on('error', () => {});
  const error = await c.connect().then(
    () => null,
    (e: Error & { code?: string }) => e,
  );
  await c.end().catch(() => {});
  expect(error).toBeInstanceOf(Error);
  return { code: error!.code, message: error!.message };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'modelgres-restart-in-flight-'));
  server = await startEmbeddedServer({ dataDir: dir, port: await freePort() });
  log = recordingLogger();
  modelgres = await startModelgres({ upstreamUrl: server.url, host: '127.0.0.1', port: 0, workers: 1, log });
  proxyUrl = `postgres://postgres@127.0.0.1:${modelgres.port}/postgres`;
  const c = await client();
  await c.query(`CREATE TABLE pts AS SELECT g::float8 AS x, (2 * g + 1)::float8 AS y FROM generate_series(0, 99) g`);
  await c.query('CREATE MODEL m FROM pts TARGET y FUNCTION m_fn AUTO OFF MODEL_TYPE LINEAR_LEARNER');
  expect((await c.query('WAIT FOR MODEL m TIMEOUT 60')).rows[0].state).toBe('READY');
  await c.end();
}, 120_000);

afterAll(async () => {
  await Promise.all(clients.splice(0).map((c) => c.end().catch(() => {})));
  await modelgres?.close();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const FAST = { code: '57P01', message: 'terminating connection due to administrator command' };
const LOST = { code: '08006', message: 'the connection to PostgreSQL was lost: the server shut down, restarted, or ended this session' };

describe.each([
  // PostgreSQL says why to every session before it goes; the proxy relays its words.
  { mode: 'fast', restart: () => server.restart(), inFlightError: FAST },
  {
    // The backends end without a word: the proxy says it.
    mode: 'immediate',
    restart: async () => {
      await immediateShutdown();
      expect(await connectDuringOutage()).toEqual({ code: '08001', message: expect.stringMatching(/^modelgres cannot reach PostgreSQL: connect ECONNREFUSED/) });
      await server.restart();
    },
    inFlightError: LOST,
  },
])('PostgreSQL restarted ($mode shutdown) under the proxy', ({ restart, inFlightError, mode }) => {
  test('the statements in flight get an error with a SQLSTATE; new connections, model calls and the job queue work once it is back', async () => {
    const plain = await client('in-flight-plain');
    const model = await client('in-flight-model');
    const idle = await client('idle');
    const inFlight = [
      plain.query('SELECT pg_sleep(60)').catch((e: Error) => e),
      // A model call whose rows PostgreSQL has not sent yet.
      model.query('SELECT x, m_fn(x) AS p FROM pts CROSS JOIN pg_sleep(60)').catch((e: Error) => e),
    ];
    await pollUntil('both statements to run in PostgreSQL', activeQueries, (a) => a.length === 2);
    await restart();

    for (const result of await Promise.all(inFlight)) {
      expect(result).toBeInstanceOf(Error);
      const error = result as Error & { code?: string; severity?: string };
      expect({ severity: error.severity, code: error.code, message: error.message }).toEqual({ severity: 'FATAL', ...inFlightError });
    }
    // The idle connection lost its PostgreSQL session too: it says so at its next statement.
    const later = await idle.query('SELECT 1').catch((e: Error) => e);
    expect(later).toBeInstanceOf(Error);

    // PostgreSQL is back (restart resolved when it accepted connections): so is the proxy, at once.
    const c = await client();
    expect((await c.query('SELECT 6 * 7 AS n')).rows).toEqual([{ n: 42 }]);
    expect((await c.query('SELECT m_fn(10) AS p')).rows[0].p).toBeCloseTo(21, 1);
    expect((await c.query('SELECT x, m_fn(x) AS p FROM pts ORDER BY x')).rows.every((r) => Math.abs(r.p - (2 * r.x + 1)) < 0.1)).toBe(true);

    // The job queue: a model created now is trained by the proxy's worker, which was never restarted.
    const name = `after_${mode}`;
    await c.query(`CREATE MODEL ${name} FROM (SELECT x, 3 * x - 4 AS y FROM pts) TARGET y FUNCTION ${name}_fn AUTO OFF MODEL_TYPE LINEAR_LEARNER`);
    await pollUntil(
      `${name} to be trained by the worker`,
      async () => (await c.query(`SELECT state FROM modelgres.model_version v JOIN modelgres.model m USING (model_id) WHERE m.model_name = $1`, [name])).rows[0]?.state,
      (state) => state !== 'TRAINING',
      { timeoutMs: 60_000 },
    );
    await pollUntil(`${name}_fn to answer through the proxy`, () => c.query(`SELECT ${name}_fn(10) AS p`).then((r) => r.rows[0].p, (e: Error) => e.message), (p) => typeof p === 'number');
    expect((await c.query(`SELECT ${name}_fn(10) AS p`)).rows[0].p).toBeCloseTo(26, 1);
    expect(log.lines.filter((l) => l.level === 'error').map(show)).toEqual([]);
  }, 120_000);
});
