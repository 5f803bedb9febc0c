import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { pollUntil } from '../support/poll.ts';

/**
 * Two `modelgres start` proxies and two `modelgres worker` processes, each its own OS process,
 * over one PostgreSQL database: everything they share is in that database (catalog, job queue,
 * LISTEN/NOTIFY), which is what docs/deployment.md tells operators.
 */

const root = path.resolve(import.meta.dirname, '../..');
const children: ChildProcess[] = [];
const clients: pg.Client[] = [];
let upstreamUrl: string;
let proxyA: Proxy;
let proxyB: Proxy;
let direct: pg.Client;

interface Proxy {
  child: ChildProcess;
  url: string;
}

/** Starts `modelgres <args>` and resolves once `ready` matches a line of its output. */
function startProcess(args: string[], ready: RegExp): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  const child = spawn(process.execPath, ['dist/cli.js', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = output.match(ready);
      if (match) {
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        // Keep draining, so a chatty process never blocks on a full pipe.
        child.stdout?.resume();
        child.stderr?.resume();
        resolve({ child, match });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`modelgres ${args[0]} exited (${code}) before it was ready:\n${output}`)));
  });
}

async function startProxy(): Promise<Proxy> {
  const { child, match } = await startProcess(
    ['start', '--upstream', upstreamUrl, '--port', '0', '--workers', '0', '--log-level', 'warn'],
    /modelgres is ready: postgres:\/\/postgres@127\.0\.0\.1:(\d+)\//,
  );
  const url = new URL(upstreamUrl);
  return { child, url: `postgres://postgres@127.0.0.1:${match[1]}${url.pathname}` };
}

async function connect(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => {});
  await c.connect();
  clients.push(c);
  return c;
}

async function freshDatabase(serverUrl: string): Promise<string> {
  const name = `modelgres_cluster_${process.pid}_${Date.now() % 100000}`;
  const admin = new pg.Client(serverUrl);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A version's state and job, straight from the catalog. */
async function versionRow(model: string, version: number): Promise<{ state: string; job_name: string } | undefined> {
  const r = await direct.query(
    `SELECT v.state, v.job_name FROM modelgres.model_version v JOIN modelgres.model m USING (model_id) WHERE m.model_name = $1 AND v.version = $2`,
    [model, version],
  );
  return r.rows[0];
}

async function untilReady(model: string, version: number): Promise<void> {
  const row = await pollUntil(`${model} v${version} to leave TRAINING`, () => versionRow(model, version), (r) => r !== undefined && r.state !== 'TRAINING', {
    timeoutMs: 90_000,
    intervalMs: 20,
  });
  expect(row?.state).toBe('READY');
}

const CALL = 'SELECT id, cl_fn(hour, weekday, temp) AS p FROM cl_rides WHERE id <= 20 ORDER BY id';

/** What PostgreSQL's own compiled body of `fn` answers, on a direct connection (no proxy). */
async function compiledAnswers(fn: string): Promise<number[]> {
  const r = await direct.query(`SELECT ${fn}(hour, weekday, temp) AS p FROM cl_rides WHERE id <= 20 ORDER BY id`);
  return r.rows.map((row) => Number(row.p));
}

function expectClose(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) => expect(Math.abs(a - expected[i])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(expected[i]))));
}

beforeAll(async () => {
  upstreamUrl = await freshDatabase(inject('upstreamUrl'));
  // All four started together: the catalog migration serialises on its advisory lock.
  const worker = () => startProcess(['worker', '--upstream', upstreamUrl, '--workers', '1', '--lease-seconds', '5', '--log-level', 'info'], /training worker\(s\) waiting for jobs/);
  [proxyA, proxyB] = await Promise.all([startProxy(), startProxy(), worker(), worker()]);
  direct = await connect(upstreamUrl);
  await direct.query(`CREATE TABLE cl_rides AS
    SELECT g AS id, g % 24 AS hour, g % 7 AS weekday, ((g * 7) % 31)::float8 AS temp,
           (g % 24) * 2 + g % 7 + ((g * 7) % 31) / 10.0::float8 AS y
    FROM generate_series(1, 400) g`);
}, 120_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.end().catch(() => {})));
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await Promise.all(children.map((child) => (child.exitCode === null && child.signalCode === null ? new Promise((r) => child.once('exit', r)) : null)));
});

describe('two proxies and two workers over one PostgreSQL', () => {
  test('a model created through proxy A is callable through proxy B within a second of READY', async () => {
    const a = await connect(proxyA.url);
    const b = await connect(proxyB.url);
    await a.query(`CREATE MODEL cl FROM (SELECT hour, weekday, temp, y FROM cl_rides) TARGET y FUNCTION cl_fn
      AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'reg:squarederror' HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '20', MAX_DEPTH '4')`);
    await untilReady('cl', 1);
    const viaB = await pollUntil('proxy B to answer cl_fn', () => b.query(CALL).then((r) => r.rows.map((row) => Number(row.p)), () => null), (rows) => rows !== null, {
      timeoutMs: 1_000,
    });
    expectClose(viaB ?? [], await compiledAnswers('cl_fn_v1'));
    // And B describes it as A does: the catalog is the one both read.
    const show = await b.query('SHOW MODEL cl');
    expect(show.rows.find((r) => r.Key === 'Model State')?.Value).toBe('READY');
  });

  test('an activation through proxy B is seen by proxy A', async () => {
    const a = await connect(proxyA.url);
    const b = await connect(proxyB.url);
    await b.query('ALTER MODEL cl SET ACTIVATION MANUAL');
    // Version 2 learns another target, so its answers differ from version 1's.
    await b.query('ALTER MODEL cl RETRAIN FROM (SELECT hour, weekday, temp, y * 3 + 100 AS y FROM cl_rides)');
    await untilReady('cl', 2);
    const v1 = await compiledAnswers('cl_fn_v1');
    const v2 = await compiledAnswers('cl_fn_v2');
    expect(v2[0]).not.toBeCloseTo(v1[0], 1);
    // MANUAL: version 1 stays active through both proxies until B says otherwise.
    expectClose((await a.query(CALL)).rows.map((r) => Number(r.p)), v1);
    await b.query('ALTER MODEL cl SET ACTIVE VERSION 2');
    const viaA = await pollUntil('proxy A to call version 2', () => a.query(CALL).then((r) => r.rows.map((row) => Number(row.p))), (rows) => Math.abs(rows[0] - v2[0]) < 1e-3, {
      timeoutMs: 5_000,
    });
    expectClose(viaA, v2);
    const show = await a.query('SHOW MODEL cl');
    expect(show.rows.find((r) => r.Key === 'Active Version')?.Value).toBe('2');
  });

  test('no job is trained twice: many models at once through both proxies, two workers, one job and one attempt each', async () => {
    const a = await connect(proxyA.url);
    const b = await connect(proxyB.url);
    const names = ['cl_j1', 'cl_j2', 'cl_j3', 'cl_j4'];
    await Promise.all(
      names.map((name, i) =>
        (i % 2 === 0 ? a : b).query(`CREATE MODEL ${name} FROM (SELECT hour, weekday, temp, y FROM cl_rides WHERE id % ${i + 2} <> 0) TARGET y
          FUNCTION ${name}_fn AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'reg:squarederror' HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '10')`),
      ),
    );
    for (const name of names) await untilReady(name, 1);
    const jobs = await direct.query(`
      SELECT m.model_name, v.version, v.state, j.state AS job_state, j.attempts, count(*) OVER (PARTITION BY v.job_name) AS jobs_for_version
      FROM modelgres.model m JOIN modelgres.model_version v USING (model_id) JOIN modelgres.job j USING (job_name)
      ORDER BY m.model_name, v.version`);
    // Every version of the file so far (cl v1, cl v2 and the four above): one job each, done at the first attempt.
    expect(jobs.rows.map((r) => [r.model_name, r.version, r.state, r.job_state, r.attempts, Number(r.jobs_for_version)])).toEqual(
      [['cl', 1], ['cl', 2], ...names.map((n) => [n, 1])].map(([n, v]) => [n, v, 'READY', 'done', 1, 1]),
    );
    const versions = await direct.query(`SELECT count(*)::int AS n, count(DISTINCT job_name)::int AS jobs FROM modelgres.model_version`);
    expect(versions.rows[0]).toEqual({ n: 6, jobs: 6 });
  });

  test("killing proxy A (SIGKILL) does not disturb proxy B's clients", async () => {
    const a = await connect(proxyA.url);
    const b = await connect(proxyB.url);
    const expected = await compiledAnswers('cl_fn_v2');
    // B's client holds a transaction open across the kill.
    const tx = await connect(proxyB.url);
    await tx.query('BEGIN');
    await tx.query('CREATE TEMP TABLE cl_tx (n int)');
    await tx.query('INSERT INTO cl_tx VALUES (1)');
    // B's other client calls the model and runs plain queries in a loop, all through the kill.
    const errors: unknown[] = [];
    let rounds = 0;
    let stop = false;
    const loop = (async () => {
      while (!stop) {
        try {
          expectClose((await b.query(CALL)).rows.map((r) => Number(r.p)), expected);
          expect((await b.query('SELECT count(*)::int AS n FROM cl_rides')).rows[0].n).toBe(400);
          rounds++;
        } catch (error) {
          errors.push(error);
          rounds++;
        }
      }
    })();
    await pollUntil('B to serve a few rounds', async () => rounds, (n) => n >= 5);
    expect((await a.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    const exited = new Promise((resolve) => proxyA.child.once('exit', resolve));
    proxyA.child.kill('SIGKILL');
    await exited;
    await expect(a.query('SELECT 1')).rejects.toThrow();
    const afterKill = rounds;
    await pollUntil('B to serve more rounds after the kill', async () => rounds, (n) => n >= afterKill + 10);
    stop = true;
    await loop;
    expect(errors).toEqual([]);
    await tx.query('INSERT INTO cl_tx VALUES (2)');
    expect((await tx.query('SELECT array_agg(n ORDER BY n) AS ns FROM cl_tx')).rows).toEqual([{ ns: [1, 2] }]);
    await tx.query('COMMIT');
    // New clients of B are served, model calls included.
    const fresh = await connect(proxyB.url);
    expectClose((await fresh.query(CALL)).rows.map((r) => Number(r.p)), expected);
  });
});
