import { afterAll, beforeAll, expect, test } from 'vitest';
import type pg from 'pg';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';

/*
 * CREATE MODEL outside a transaction block is one transaction, as a PostgreSQL statement is: its
 * job becomes visible to workers (NOTIFY modelgres_jobs, sent at commit) only with everything the
 * statement stores, the features' baseline included, which it measures after registering the job.
 */
let proxy: TestProxy;
let c: pg.Client;
let direct: pg.Client;

beforeAll(async () => {
  // No worker: nothing trains, the test watches the queue.
  proxy = await startTestProxy({ workers: 0 });
  c = await proxy.client();
  direct = await proxy.direct();
  // Large enough that measuring the baseline (a scan of its own) takes a while after registration.
  await c.query(`CREATE TABLE atomic_src AS SELECT g::float8 AS x, (g % 97)::float8 AS z, (2 * g)::float8 AS y FROM generate_series(1, 300000) g`);
}, 60_000);

afterAll(() => proxy?.close());

test('the job is announced with its baseline already stored', async () => {
  await direct.query('LISTEN modelgres_jobs');
  const announced = new Promise<string>((resolve) => direct.once('notification', (n) => resolve(n.payload ?? '')));
  // Checked the moment the notification arrives, while CREATE MODEL may still be running.
  const seen = announced.then(async (job) => {
    const r = await direct.query('SELECT baseline IS NOT NULL AS has_baseline FROM modelgres.model_version WHERE job_name = $1', [job]);
    return { job, rows: r.rows };
  });
  await c.query('CREATE MODEL atomic_m FROM atomic_src TARGET y FUNCTION atomic_fn AUTO OFF MODEL_TYPE LINEAR_LEARNER');
  const { job, rows } = await seen;
  expect(job).toMatch(/^redshiftml-/);
  expect(rows).toEqual([{ has_baseline: true }]);
});
