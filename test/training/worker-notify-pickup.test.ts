import { afterAll, beforeAll, expect, test } from 'vitest';
import type pg from 'pg';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { waitForModel } from '../support/models.ts';
import { pollUntil } from '../support/poll.ts';
import { TrainingWorker } from '../../src/worker/training-worker.ts';
import { createLogger } from '../../src/util/logger.ts';

/**
 * The training queue wakes its worker through LISTEN/NOTIFY: begin_version's pg_notify on
 * modelgres_jobs, delivered when CREATE MODEL commits. The worker here polls only every ten
 * minutes, so a model that reaches READY within the test was picked up by the notification,
 * including a second job queued while the worker was busy with the first.
 */
let proxy: TestProxy;
let c: pg.Client;
let direct: pg.Client;
let worker: TrainingWorker;

beforeAll(async () => {
  proxy = await startTestProxy({ workers: 0 });
  c = await proxy.client();
  direct = await proxy.direct();
  await c.query(`CREATE TABLE notify_rows AS
    SELECT i::float8 AS x, (i % 7)::float8 AS z, (2 * i + (i % 7))::float8 AS y FROM generate_series(1, 300) i`);
  worker = new TrainingWorker({ upstreamUrl: proxy.upstreamUrl, log: createLogger('error'), pollMilliseconds: 600_000 });
  await worker.start();
});
afterAll(async () => {
  await worker?.stop();
  await proxy?.close();
});

test('a queued job is trained without waiting for the poll, and so is one queued while the worker is busy', async () => {
  // The worker's first claim has found nothing: it sleeps on its ten-minute poll.
  await pollUntil('the worker\'s first claim', async () => (await direct.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND state = 'idle' AND query LIKE '%SKIP LOCKED%'`,
    [worker.applicationName],
  )).rows[0].n, (n) => n > 0);
  for (const name of ['first', 'second']) {
    await c.query(
      `CREATE MODEL ${name} FROM notify_rows TARGET y FUNCTION ${name}_fn
       AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'reg:squarederror' HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '20')`,
    );
  }
  for (const name of ['first', 'second']) {
    const state = await waitForModel(c, name, 60_000);
    expect(state.get('Model State')).toBe('READY');
  }
  expect((await c.query('SELECT first_fn(10, 3) AS p')).rows[0].p).toBeTypeOf('number');
}, 120_000);
