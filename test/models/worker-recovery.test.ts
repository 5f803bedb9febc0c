import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type pg from 'pg';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { loadBikeShare, waitForModel } from '../support/models.ts';
import { TrainingWorker } from '../../src/worker/training-worker.ts';
import { createLogger } from '../../src/util/logger.ts';

const root = path.resolve(import.meta.dirname, '../..');
let proxy: TestProxy;
let c: pg.Client;
let direct: pg.Client;

beforeAll(async () => {
  // No worker in the proxy: the tests decide who trains.
  proxy = await startTestProxy({ workers: 0 });
  c = await proxy.client();
  direct = await proxy.direct();
  await c.query('CREATE SCHEMA IF NOT EXISTS wr');
  await loadBikeShare(c, 'wr.rides');
});
afterAll(() => proxy.close());

/** A training slow enough to be interrupted: many deep rounds. */
async function createSlowModel(name: string): Promise<void> {
  await c.query(
    `CREATE MODEL wr.${name} FROM wr.rides TARGET trip_count FUNCTION ${name}_fn
     AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'reg:squarederror'
     HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '2000', MAX_DEPTH '8')`,
  );
}

/** Starts `modelgres worker` and SIGKILLs it once it has reported training progress. */
async function killWorkerMidTraining(name: string): Promise<void> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['dist/cli.js', 'worker', '--upstream', proxy.upstreamUrl, '--lease-seconds', '2', '--log-level', 'error'],
    { cwd: root, stdio: 'ignore' },
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = await direct.query(
      `SELECT v.progress FROM modelgres.model_version v JOIN modelgres.model m USING (model_id) WHERE m.model_name = $1`,
      [name],
    );
    if (r.rows[0]?.progress?.done > 0) break;
    if (Date.now() > deadline) throw new Error('the worker never reported progress');
    await new Promise((res) => setTimeout(res, 100));
  }
  // While it trains, SHOW MODEL reports how far it got.
  const show = await c.query(`SHOW MODEL wr.${name}`);
  const progress = show.rows.find((r) => r.Key === 'Training Progress')?.Value;
  expect(progress).toMatch(/^\d+% \(\d+\/2000 rounds\), \d+ s elapsed, about \d+ s left$/);
  child.kill('SIGKILL');
  await new Promise((res) => child.once('exit', res));
}

describe('a model still training', () => {
  test('answers calls with 55000 and its state, and shows that it waits for a worker', async () => {
    await c.query(`CREATE MODEL wr.waiting FROM (SELECT hour, trip_count FROM wr.rides) TARGET trip_count FUNCTION waiting_fn`);
    const error = await c.query('SELECT wr.waiting_fn(3)').catch((e) => e);
    expect(error.code).toBe('55000');
    expect(error.message).toBe('model "waiting" is not ready: its state is TRAINING');
    const show = await c.query('SHOW MODEL wr.waiting');
    const values = new Map(show.rows.map((r) => [r.Key, r.Value]));
    expect(values.get('Model State')).toBe('TRAINING');
    expect(values.get('Training Progress')).toBe('waiting for a worker');
    await c.query('DROP MODEL wr.waiting');
  });
});

describe('a worker that dies mid-training', () => {
  test('leaves its job to another worker, which finishes it', async () => {
    await createSlowModel('resumed');
    await killWorkerMidTraining('resumed');
    // Its worker is gone and no other runs: the version stays TRAINING, its job claimed by the dead worker.
    const stuck = await direct.query(
      `SELECT v.state, j.state AS job, j.attempts, j.lease_owner IS NOT NULL AS leased FROM modelgres.model_version v
         JOIN modelgres.job j USING (job_name) JOIN modelgres.model m USING (model_id) WHERE m.model_name = 'resumed'`,
    );
    expect(stuck.rows).toEqual([{ state: 'TRAINING', job: 'running', attempts: 1, leased: true }]);

    const worker = new TrainingWorker({ upstreamUrl: proxy.upstreamUrl, log: createLogger('error'), leaseSeconds: 2, pollMilliseconds: 200 });
    await worker.start();
    try {
      const state = await waitForModel(c, 'wr.resumed', 240_000);
      expect(state.get('Model State')).toBe('READY');
      const job = await direct.query(
        `SELECT j.state, j.attempts FROM modelgres.job j JOIN modelgres.model_version v USING (job_name)
           JOIN modelgres.model m USING (model_id) WHERE m.model_name = 'resumed'`,
      );
      expect(job.rows).toEqual([{ state: 'done', attempts: 2 }]);
      const versions = await direct.query(
        `SELECT count(*)::int AS n FROM modelgres.model_version v JOIN modelgres.model m USING (model_id) WHERE m.model_name = 'resumed'`,
      );
      expect(versions.rows[0].n).toBe(1);
      // 2,000 trees of depth 8 are more than a SQL body holds: a direct call says so, the proxy answers.
      const args = (await direct.query(`SELECT parameter_types FROM modelgres.model WHERE model_name = 'resumed'`)).rows[0].parameter_types;
      const call = `SELECT wr.resumed_fn(${args.map((t: string) => `NULL::${t}`).join(', ')}) AS p`;
      const refused = await direct.query(call).catch((e) => e);
      expect(refused.code).toBe('0A000');
      expect(refused.message).toMatch(/^this model cannot be evaluated inside PostgreSQL: the model has \d+ tree nodes, more than the 100000 a SQL body holds$/);
      expect(typeof (await c.query(call)).rows[0].p).toBe('number');
    } finally {
      await worker.stop();
    }
  }, 360_000); // up to 60 s for the first worker to report progress, 240 s for the second to finish (2,000 deep trees on a loaded machine)

  test('is marked FAILED with a reason once its attempts run out, never left TRAINING', async () => {
    await createSlowModel('abandoned');
    await killWorkerMidTraining('abandoned');
    const worker = new TrainingWorker({
      upstreamUrl: proxy.upstreamUrl,
      log: createLogger('error'),
      leaseSeconds: 2,
      maxAttempts: 1,
      pollMilliseconds: 200,
    });
    await worker.start();
    try {
      const state = await waitForModel(c, 'wr.abandoned', 60_000);
      expect(state.get('Model State')).toBe('FAILED');
      expect(state.get('Failure Reason')).toBe('training was interrupted 1 time (its worker stopped); giving up');
    } finally {
      await worker.stop();
    }
  }, 150_000); // up to 60 s for progress, 60 s for the verdict
});
