import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import pg from 'pg';
import { pollUntil } from '../support/poll.ts';
import { killableProxy, versionStates, type KillableProxy } from './killable-proxy.ts';

/*
 * The proxy SIGKILLed in the middle of CREATE MODEL: nothing is half-registered. The job either
 * exists (with its model, version and snapshot) and trains, or nothing of the model does.
 */
let k: KillableProxy;

beforeAll(async () => {
  k = await killableProxy('modelgres_kill_create');
  await k.direct.query(`CREATE TABLE pts AS SELECT g::float8 AS x, (2 * g + 1)::float8 AS y FROM generate_series(0, 99) g`);
  // Large enough that reading it for training is seen in pg_stat_activity.
  await k.direct.query(`CREATE TABLE big AS SELECT (g % 100)::float8 AS x, (2 * (g % 100) + 1)::float8 AS y FROM generate_series(1, 1000000) g`);
}, 180_000);

afterAll(() => k?.close());

/** Every row about model `name` in the catalog, and its functions in pg_proc. */
async function catalogRowsOf(name: string): Promise<Record<string, number>> {
  const r = await k.direct.query(
    `SELECT (SELECT count(*) FROM modelgres.model WHERE model_name = $1)::int AS models,
            (SELECT count(*) FROM modelgres.model_version v JOIN modelgres.model m USING (model_id) WHERE m.model_name = $1)::int AS versions,
            (SELECT count(*) FROM modelgres.job j JOIN modelgres.model_version v USING (job_name) JOIN modelgres.model m USING (model_id)
              WHERE m.model_name = $1)::int AS jobs,
            (SELECT count(*) FROM modelgres.training_snapshot s JOIN modelgres.model_version v USING (job_name) JOIN modelgres.model m USING (model_id)
              WHERE m.model_name = $1)::int AS snapshots,
            (SELECT count(*) FROM pg_proc WHERE proname LIKE $1 || '\\_fn%')::int AS functions`,
    [name],
  );
  return r.rows[0];
}

const NOTHING = { models: 0, versions: 0, jobs: 0, snapshots: 0, functions: 0 };

describe('SIGKILL during CREATE MODEL', () => {
  test('while it reads the training data: nothing of the model is left, and the same CREATE MODEL works afterwards', async () => {
    const c = await k.client('reader');
    const running = c.query('CREATE MODEL half FROM big TARGET y FUNCTION half_fn AUTO OFF MODEL_TYPE LINEAR_LEARNER').catch((e: Error) => e);
    await pollUntil('CREATE MODEL to read its training data', () => k.backendOf('reader'), (b) => b !== null && /^COPY .* TO STDOUT/is.test(b.query));
    await k.kill();
    expect(await running).toBeInstanceOf(Error);
    await k.backendGone('reader');
    expect(await catalogRowsOf('half')).toEqual(NOTHING);

    const again = await k.client('reader-again');
    await again.query('CREATE MODEL half FROM pts TARGET y FUNCTION half_fn AUTO OFF MODEL_TYPE LINEAR_LEARNER');
    await pollUntil('half to be READY', () => versionStates(k.direct, 'half'), (s) => s.join() === 'READY', { timeoutMs: 60_000 });
    expect((await again.query('SELECT half_fn(10) AS p')).rows[0].p).toBeCloseTo(21, 1);
  }, 120_000);

  test('while its catalog call waits on a lock: the model is registered whole (model, version, job, snapshot) and trains, or not at all', async () => {
    const c = await k.client('registrar');
    const blocker = new pg.Client(k.upstreamUrl);
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE modelgres.model IN EXCLUSIVE MODE');
      const running = c.query('CREATE MODEL held FROM pts TARGET y FUNCTION held_fn AUTO OFF MODEL_TYPE LINEAR_LEARNER').catch((e: Error) => e);
      await pollUntil('CREATE MODEL to wait on the catalog lock', () => k.backendOf('registrar'), (b) => b !== null && b.waiting === 'Lock');
      await k.kill();
      expect(await running).toBeInstanceOf(Error);
      await blocker.query('COMMIT');
    } finally {
      await blocker.end();
    }
    await k.backendGone('registrar');
    // One catalog call registers everything in one transaction. PostgreSQL had the whole call
    // (its Sync included) before the proxy died, so it may well complete and commit it.
    const left = await catalogRowsOf('held');
    if (left.models === 0) {
      expect(left).toEqual(NOTHING);
      return;
    }
    expect({ ...left, functions: left.functions > 0 }).toEqual({ models: 1, versions: 1, jobs: 1, snapshots: 1, functions: true });
    // Whole, so it trains: the next proxy's worker takes the job.
    const again = await k.client('registrar-again');
    await pollUntil('held to be READY', () => versionStates(k.direct, 'held'), (s) => s.join() === 'READY', { timeoutMs: 60_000 });
    expect((await again.query('SELECT held_fn(10) AS p')).rows[0].p).toBeCloseTo(21, 1);
  }, 120_000);

  test('once committed, while its worker registers the result: the job survives the proxy, and the next proxy trains it, once', async () => {
    const c = await k.client('trainer');
    const blocker = new pg.Client(k.upstreamUrl);
    await blocker.connect();
    const job = `SELECT j.state, j.attempts, v.state AS version FROM modelgres.job j JOIN modelgres.model_version v USING (job_name)
                   JOIN modelgres.model m USING (model_id) WHERE m.model_name = 'trained'`;
    try {
      // The activation history locked: the worker's registration of the trained version waits.
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE modelgres.activation IN EXCLUSIVE MODE');
      await c.query('CREATE MODEL trained FROM pts TARGET y FUNCTION trained_fn AUTO OFF MODEL_TYPE LINEAR_LEARNER');
      await pollUntil(
        'the worker to register its result',
        async () => (await k.direct.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%register_trained_version%'`)).rows[0].n,
        (n) => n > 0,
        { timeoutMs: 60_000 },
      );
      await k.kill();
      await blocker.query('COMMIT');
    } finally {
      await blocker.end();
    }
    await pollUntil(
      'the killed worker\'s registration to end',
      async () => (await k.direct.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE '%register_trained_version%' AND pid <> pg_backend_pid()`)).rows[0].n,
      (n) => n === 0,
    );
    const left = (await k.direct.query(job)).rows;
    expect(left).toEqual([{ state: 'running', attempts: 1, version: 'TRAINING' }]);

    // The next proxy's worker claims it once the dead worker's lease has run out.
    const again = await k.client('trainer-again');
    await pollUntil('trained to be READY', () => versionStates(k.direct, 'trained'), (s) => s.join() !== 'TRAINING', { timeoutMs: 60_000 });
    expect((await k.direct.query(job)).rows).toEqual([{ state: 'done', attempts: 2, version: 'READY' }]);
    expect((await k.direct.query(`SELECT count(*)::int AS n FROM modelgres.activation a JOIN modelgres.model m USING (model_id) WHERE m.model_name = 'trained'`)).rows[0].n).toBe(1);
    expect((await again.query('SELECT trained_fn(10) AS p')).rows[0].p).toBeCloseTo(21, 1);
  }, 120_000);
});
