import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type pg from 'pg';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { pollUntil } from '../support/poll.ts';

/*
 * SHOW MODELGRES STATS | CLIENTS | WORKERS: any role may ask; it sees its own sessions, unless it
 * is a superuser or a member of modelgres_monitor (created by migration 0012).
 */

let proxy: TestProxy;
// Roles belong to the cluster that every test file shares: names of this run's own.
const suffix = `${process.pid}_${Date.now() % 100000}`;
const alice = `sm_alice_${suffix}`;
const bob = `sm_bob_${suffix}`;
const carol = `sm_carol_${suffix}`;
let su: pg.Client;
let a: pg.Client;
let b: pg.Client;
let m: pg.Client;

beforeAll(async () => {
  // No training worker: a queued CREATE MODEL stays queued, for WORKERS to show.
  proxy = await startTestProxy({ workers: 0 });
  su = await proxy.client();
  for (const role of [alice, bob, carol]) await su.query(`CREATE ROLE ${role} LOGIN`);
  await su.query(`GRANT modelgres_monitor TO ${carol}`);
  await su.query(`GRANT CREATE ON SCHEMA public TO ${alice}, ${bob}`);
  await su.query(`GRANT CREATE MODEL TO ${alice}, ${bob}`);
  a = await as(alice);
  b = await as(bob);
  m = await as(carol);
  await a.query('CREATE TABLE alice_train AS SELECT g::float8 AS x, (2 * g)::float8 AS y FROM generate_series(1, 50) g');
  await a.query('CREATE MODEL alice_model FROM alice_train TARGET y FUNCTION alice_fn');
  await b.query('CREATE TABLE bob_train AS SELECT g::float8 AS x, (3 * g)::float8 AS y FROM generate_series(1, 50) g');
  await b.query('CREATE MODEL bob_model FROM bob_train TARGET y FUNCTION bob_fn');
}, 60_000);
afterAll(async () => {
  await proxy?.close();
});

/** A client through the proxy as `user` (closed with the proxy). */
function as(user: string): Promise<pg.Client> {
  const u = new URL(proxy.url);
  u.username = user;
  return proxy.client({ connectionString: u.toString() });
}

const users = (rows: Array<Record<string, unknown>>) => [...new Set(rows.map((r) => r.user as string))].sort();

describe('SHOW MODELGRES CLIENTS', () => {
  test('a role sees its own sessions only', async () => {
    const r = await a.query('SHOW MODELGRES CLIENTS');
    expect(r.fields.map((f) => f.name)).toEqual([
      'id', 'user', 'database', 'state', 'address', 'port', 'connected_at', 'last_request_at', 'backend_pid',
      'transactions', 'queries', 'bytes_received', 'bytes_sent',
    ]);
    expect(users(r.rows)).toEqual([alice]);
    // Its own backend, as PostgreSQL numbers it; the asking session is the active one.
    const pid = (await a.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    const mine = (await a.query('SHOW MODELGRES CLIENTS')).rows;
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ backend_pid: pid, state: 'active', address: '127.0.0.1' });
    expect(Number(mine[0].queries)).toBeGreaterThanOrEqual(4);
  });

  test('a member of modelgres_monitor and a superuser see every session', async () => {
    const all = [alice, bob, carol];
    expect(users((await m.query('SHOW MODELGRES CLIENTS')).rows)).toEqual(expect.arrayContaining(all));
    expect(users((await su.query('SHOW MODELGRES CLIENTS')).rows)).toEqual(expect.arrayContaining([...all, 'postgres']));
    expect(users((await b.query('SHOW MODELGRES CLIENTS')).rows)).toEqual([bob]);
  });

  test('a session idle in a transaction says so', async () => {
    await b.query('BEGIN');
    const row = (await m.query('SHOW MODELGRES CLIENTS')).rows.find((r) => r.user === bob);
    expect(row.state).toBe('idle in transaction');
    await b.query('ROLLBACK');
  });
});

describe('SHOW MODELGRES STATS', () => {
  test('totals per database and user: a role sees its own row', async () => {
    const r = await a.query('SHOW MODELGRES STATS');
    expect(r.fields.map((f) => f.name)).toEqual([
      'database', 'user', 'clients', 'connections', 'transactions', 'queries', 'bytes_received', 'bytes_sent', 'query_time_us',
    ]);
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]).toMatchObject({ user: alice, clients: 1, database: new URL(proxy.upstreamUrl).pathname.slice(1) });
    expect(users((await m.query('SHOW MODELGRES STATS')).rows)).toEqual(expect.arrayContaining([alice, bob, carol]));
  });

  test('a closed session stays in the totals', async () => {
    const before = (await m.query('SHOW MODELGRES STATS')).rows.find((r) => r.user === bob);
    const extra = await as(bob);
    await extra.query('SELECT 1');
    await extra.end();
    // The proxy learns of the close a moment later.
    const after = await pollUntil(
      'the closed session in the totals',
      async () => (await m.query('SHOW MODELGRES STATS')).rows.find((r) => r.user === bob),
      (row) => row.clients === before.clients && Number(row.connections) - Number(before.connections) === 1,
    );
    expect(Number(after.queries) - Number(before.queries)).toBe(1);
    expect(after.clients).toBe(before.clients);
  });
});

describe('SHOW MODELGRES WORKERS', () => {
  test('the queue as the catalog holds it, a role seeing the jobs of its own models', async () => {
    const jobs = (await (await proxy.direct()).query(
      `SELECT m.model_name, j.job_name, j.state FROM modelgres.job j JOIN modelgres.model_version v USING (job_name) JOIN modelgres.model m USING (model_id) ORDER BY 1`,
    )).rows;
    expect(jobs.map((j) => [j.model_name, j.state])).toEqual([['alice_model', 'queued'], ['bob_model', 'queued']]);
    const r = await a.query('SHOW MODELGRES WORKERS');
    expect(r.fields.map((f) => f.name)).toEqual(['worker', 'state', 'model', 'version', 'job_name', 'attempts', 'lease_until', 'queued_at', 'progress']);
    expect(r.rows.map((row) => [row.model, row.state, row.worker, row.job_name])).toEqual([['public.alice_model', 'queued', null, jobs[0].job_name]]);
    expect((await b.query('SHOW MODELGRES WORKERS')).rows.map((row) => row.model)).toEqual(['public.bob_model']);
    expect((await m.query('SHOW MODELGRES WORKERS')).rows.map((row) => row.model).sort()).toEqual(['public.alice_model', 'public.bob_model']);
  });

  test('the catalog function does not let a role ask as another', async () => {
    await expect(a.query(`SELECT * FROM modelgres.training_workers('${carol}')`)).rejects.toMatchObject({ code: '42501' });
  });
});

test('SHOW MODELGRES with another word says what it takes', async () => {
  await expect(a.query('SHOW MODELGRES POOLS')).rejects.toMatchObject({ code: '42601', message: expect.stringContaining('syntax error') });
});
