import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type pg from 'pg';
import { TrainingWorker } from '../../src/worker/training-worker.ts';
import { pollUntil } from '../support/poll.ts';
import { loadBikeShare } from '../support/models.ts';
import { recordingLogger, show, type RecordingLogger } from '../support/recording-logger.ts';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';

/*
 * Two training workers on one queue; PostgreSQL ends the connections of the one that holds a job
 * (pg_terminate_backend, as an administrator or a failover would). Whatever the moment, the job
 * is finished once, by some worker: its result is registered once, never twice.
 * test/models/worker-recovery.test.ts covers a worker process killed mid-training.
 */
let proxy: TestProxy;
let c: pg.Client;
let direct: pg.Client;
let workers: Array<{ worker: TrainingWorker; log: RecordingLogger }> = [];

beforeAll(async () => {
  proxy = await startTestProxy({ workers: 0 });
  c = await proxy.client();
  direct = await proxy.direct();
  await loadBikeShare(c, 'rides');
  await c.query(`CREATE TABLE pts AS SELECT g::float8 AS x, (2 * g + 1)::float8 AS y FROM generate_series(0, 99) g`);
}, 120_000);

afterEach(async () => {
  await Promise.all(workers.map((w) => w.worker.stop()));
  workers = [];
});

afterAll(() => proxy.close());

/** `leaseSeconds`: long where no lease should run out, short where one must. */
async function startWorkers(n: number, leaseSeconds: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const log = recordingLogger();
    const worker = new TrainingWorker({ upstreamUrl: proxy.upstreamUrl, log, leaseSeconds, pollMilliseconds: 200 });
    await worker.start();
    workers.push({ worker, log });
  }
}

interface JobRow {
  job_name: string;
  state: string;
  attempts: number;
  lease_owner: string | null;
  version: string;
  /** The holder has read the training data and is training (or has trained). */
  started: boolean;
}

async function jobOf(model: string): Promise<JobRow | undefined> {
  const r = await direct.query<JobRow>(
    `SELECT j.job_name, j.state, j.attempts, j.lease_owner, v.state AS version, v.training_started_at IS NOT NULL AS started
       FROM modelgres.job j JOIN modelgres.model_version v USING (job_name) JOIN modelgres.model m USING (model_id)
      WHERE m.model_name = $1`,
    [model],
  );
  return r.rows[0];
}

/** Ends every connection of the worker that holds the job; returns how many there were. */
async function terminateConnectionsOf(owner: string): Promise<number> {
  const holder = workers.find((w) => w.worker.workerId === owner)!.worker;
  const r = await direct.query(`SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1`, [holder.applicationName]);
  return r.rows[0].n;
}

async function createSlowModel(name: string): Promise<void> {
  await c.query(
    `CREATE MODEL ${name} FROM rides TARGET trip_count FUNCTION ${name}_fn AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'reg:squarederror'
     HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '100', MAX_DEPTH '4')`,
  );
}

/** The job is done, its one version READY, registered and activated once, and trained to the end by one worker. */
async function expectFinishedOnce(model: string, job: JobRow, answers: () => Promise<void>): Promise<void> {
  const row = (await jobOf(model))!;
  const failure = (await direct.query(`SELECT failure_reason FROM modelgres.model_version WHERE job_name = $1`, [job.job_name])).rows[0]?.failure_reason;
  const logs = workers.map((w, i) => w.log.lines.map((l) => `worker ${i}: ${show(l)}`).join('\n')).join('\n');
  expect({ state: row.state, version: row.version, failure }, logs).toEqual({ state: 'done', version: 'READY', failure: null });
  const catalog = await direct.query(
    `SELECT (SELECT count(*) FROM modelgres.model_version v JOIN modelgres.model m USING (model_id) WHERE m.model_name = $1)::int AS versions,
            (SELECT count(*) FROM modelgres.activation a JOIN modelgres.model m USING (model_id) WHERE m.model_name = $1)::int AS activations`,
    [model],
  );
  expect(catalog.rows[0]).toEqual({ versions: 1, activations: 1 });
  const trained = workers.flatMap((w) => w.log.lines.filter((l) => l.level === 'info' && l.message.startsWith(`trained ${job.job_name}:`)));
  expect(trained.map(show), workers.map((w, i) => w.log.lines.map((l) => `worker ${i}: ${show(l)}`).join('\n')).join('\n')).toHaveLength(1);
  const errors = workers.flatMap((w) => w.log.lines.filter((l) => l.level === 'error'));
  expect(errors.map(show)).toEqual([]);
  await answers();
}

describe('a worker whose PostgreSQL connections are terminated', () => {
  test('while it trains: it reconnects, and the job is finished once', async () => {
    await startWorkers(2, 10);
    await createSlowModel('dropped');
    const job = await pollUntil('a worker to start training', () => jobOf('dropped'), (j) => j?.state === 'running' && j.started, { timeoutMs: 60_000 });
    expect(await terminateConnectionsOf(job!.lease_owner!)).toBeGreaterThan(0);
    await pollUntil('the job to finish', () => jobOf('dropped'), (j) => j?.state === 'done' || j?.version !== 'TRAINING', { timeoutMs: 90_000 });
    await expectFinishedOnce('dropped', job!, async () => {
      // NULL features are missing values, which the trees route by their default direction.
      const types: string[] = (await direct.query(`SELECT parameter_types FROM modelgres.model WHERE model_name = 'dropped'`)).rows[0].parameter_types;
      const p = (await c.query(`SELECT dropped_fn(${types.map((t) => `NULL::${t}`).join(', ')}) AS p`)).rows[0].p;
      expect(Number.isFinite(p)).toBe(true);
    });
  }, 180_000);

  test('while it registers the result (held on a lock): nothing of that attempt is kept, the next attempt finishes it once', async () => {
    await startWorkers(2, 2);
    const blocker = await proxy.direct();
    // The activation history locked: registering the trained version (which activates it) waits
    // for it, inside the transaction that holds the job row, which no other worker can claim meanwhile.
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE modelgres.activation IN EXCLUSIVE MODE');
    await c.query('CREATE MODEL registering FROM pts TARGET y FUNCTION registering_fn AUTO OFF MODEL_TYPE LINEAR_LEARNER');
    const job = await pollUntil('a worker to claim the job', () => jobOf('registering'), (j) => j?.state === 'running', { timeoutMs: 60_000 });
    const holder = workers.find((w) => w.worker.workerId === job!.lease_owner)!.worker;
    await pollUntil(
      'the holder to wait on the lock with its result',
      async () =>
        (
          await direct.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock' AND query LIKE '%register_trained_version%'`,
            [holder.applicationName],
          )
        ).rows[0].n,
      (n) => n > 0,
      { timeoutMs: 60_000 },
    );
    expect(await terminateConnectionsOf(job!.lease_owner!)).toBeGreaterThan(0);
    await blocker.query('COMMIT');
    // The lease runs out (nobody renews it now) and a worker claims the job again.
    const retried = await pollUntil('the job to be finished', () => jobOf('registering'), (j) => j?.state === 'done', { timeoutMs: 90_000 });
    expect(retried!.attempts).toBe(2);
    await expectFinishedOnce('registering', job!, async () => {
      expect((await c.query('SELECT registering_fn(10) AS p')).rows[0].p).toBeCloseTo(21, 1);
    });
  }, 180_000);
});
