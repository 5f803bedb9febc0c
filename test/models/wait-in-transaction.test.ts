import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import ort from 'onnxruntime-node';
import pg from 'pg';
import { Umzug } from 'umzug';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { storedModelSession } from '../support/stored-model.ts';
import { cancelRequest, sendAndClose } from '../support/raw-client.ts';

/*
 * A migration tool runs each migration file in one transaction. CREATE MODEL and WAIT FOR MODEL
 * in the same file: the job is invisible to workers until COMMIT, so the waiting session trains
 * the version itself and registers it READY inside the transaction. umzug (the migration
 * library) runs the SQL files of wait-migrations/ through a pg client connected to the proxy,
 * each in BEGIN ... COMMIT, its bookkeeping row in the same transaction, as node-pg-migrate does.
 */

let proxy: TestProxy;
let direct: pg.Client;

beforeAll(async () => {
  // A worker runs, as in production: it must not train the version again after COMMIT.
  proxy = await startTestProxy({ workers: 1 });
  direct = await proxy.direct();
});
afterAll(() => proxy.close());

function migrator(client: pg.Client): Umzug {
  return new Umzug({
    migrations: {
      glob: ['*.sql', { cwd: path.join(import.meta.dirname, 'wait-migrations') }],
      resolve: ({ name, path: file }) => ({
        name,
        up: async () => {
          const sql = await readFile(file!, 'utf8');
          await client.query('BEGIN');
          try {
            await client.query(sql);
            await client.query('INSERT INTO app_migrations (name) VALUES ($1)', [name]);
            await client.query('COMMIT');
          } catch (error) {
            await client.query('ROLLBACK');
            throw error;
          }
        },
      }),
    },
    storage: {
      executed: async () => (await client.query('SELECT name FROM app_migrations ORDER BY name')).rows.map((r) => r.name as string),
      // Logged inside the migration's own transaction (see up).
      logMigration: async () => {},
      unlogMigration: async ({ name }) => {
        await client.query('DELETE FROM app_migrations WHERE name = $1', [name]);
      },
    },
    logger: undefined,
  });
}

describe('WAIT FOR MODEL inside the transaction that created the version', () => {
  test('umzug runs table, model + wait, and view migrations; the view’s values are the stored artifact’s', async () => {
    const c = await proxy.client();
    const notices: string[] = [];
    c.on('notice', (n) => notices.push(n.message ?? ''));
    await c.query('CREATE TABLE app_migrations (name text PRIMARY KEY)');
    const applied = await migrator(c).up();
    expect(applied.map((m) => m.name)).toEqual(['0001-create-table.sql', '0002-create-model.sql', '0003-create-view.sql']);
    expect(notices.some((n) => /^model mg_m version 1: training in this transaction/.test(n))).toBe(true);

    // READY with the same catalog rows a worker writes, and the job done: no worker trains it again.
    const version = await direct.query(
      `SELECT v.state, v.onnx IS NOT NULL AS has_onnx, v.metric, v.metric_value IS NOT NULL AS has_metric,
              v.explanation IS NOT NULL AS has_explanation, v.baseline ? 'prediction' AS has_baseline,
              v.compiled_value IS NOT NULL AS compiled, m.active_version, j.state AS job_state, j.attempts,
              (SELECT count(*)::int FROM modelgres.training_snapshot s WHERE s.job_name = v.job_name) AS snapshots
         FROM modelgres.model m JOIN modelgres.model_version v USING (model_id) JOIN modelgres.job j ON j.job_name = v.job_name
        WHERE m.model_name = 'mg_m'`,
    );
    expect(version.rows).toEqual([
      {
        state: 'READY',
        has_onnx: true,
        metric: version.rows[0].metric,
        has_metric: true,
        has_explanation: true,
        has_baseline: true,
        compiled: true,
        active_version: 1,
        job_state: 'done',
        attempts: 0,
        snapshots: 0,
      },
    ]);

    // The view (PostgreSQL's compiled body) and a call through the proxy (onnxruntime), both
    // against onnxruntime here on the stored artifact, fed float32 as the proxy feeds float8.
    const viewRows = (await c.query('SELECT id, x1, x2, predicted FROM mg_predicted ORDER BY id')).rows;
    expect(viewRows).toHaveLength(400);
    const session = await storedModelSession(proxy, 'mg_m');
    const [a, b] = session.inputNames;
    const out = await session.run({
      [a]: new ort.Tensor('float32', Float32Array.from(viewRows.map((r) => r.x1 as number)), [viewRows.length, 1]),
      [b]: new ort.Tensor('float32', Float32Array.from(viewRows.map((r) => r.x2 as number)), [viewRows.length, 1]),
    });
    const want = out[session.outputNames[0]].data as Float32Array;
    const proxied = (await c.query('SELECT id, mg_f(x1, x2) AS p FROM mg ORDER BY id')).rows;
    viewRows.forEach((row, i) => {
      const tolerance = 1e-5 * Math.max(1, Math.abs(want[i]));
      expect(Math.abs((row.predicted as number) - want[i]), `view row ${row.id}`).toBeLessThanOrEqual(tolerance);
      expect(Math.abs((proxied[i].p as number) - want[i]), `proxied row ${row.id}`).toBeLessThanOrEqual(tolerance);
    });
    // The model learnt the target (3·x1 − 2·x2 plus a little): not a constant.
    const y = (await c.query('SELECT y FROM mg ORDER BY id')).rows.map((r) => r.y as number);
    const meanError = y.reduce((sum, v, i) => sum + Math.abs(v - want[i]), 0) / y.length;
    expect(meanError).toBeLessThan(1);
  }, 180_000);

  test('a role that is not a superuser trains and registers in its own transaction, and COMMIT shows it READY', async () => {
    await direct.query(`DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'wit_analyst') THEN CREATE ROLE wit_analyst LOGIN; END IF;
    END $$`);
    await direct.query('CREATE SCHEMA wit AUTHORIZATION wit_analyst');
    const admin = await proxy.client();
    await admin.query('GRANT CREATE MODEL TO wit_analyst');
    const url = new URL(proxy.url);
    url.username = 'wit_analyst';
    const analyst = new pg.Client(url.toString());
    await analyst.connect();
    try {
      await analyst.query('CREATE TABLE wit.t AS SELECT g::float8 AS x, (g * 2 + 1)::float8 AS y FROM generate_series(1, 150) g');
      await analyst.query('BEGIN');
      await analyst.query('CREATE MODEL wit.m FROM wit.t TARGET y FUNCTION wit.f');
      expect((await analyst.query('WAIT FOR MODEL wit.m TIMEOUT 120')).rows).toEqual([{ version: 1, state: 'READY' }]);
      await analyst.query('COMMIT');
      const r = await direct.query(
        `SELECT v.state, j.state AS job_state FROM modelgres.model m JOIN modelgres.model_version v USING (model_id)
           JOIN modelgres.job j ON j.job_name = v.job_name WHERE m.schema_name = 'wit' AND m.model_name = 'm'`,
      );
      expect(r.rows).toEqual([{ state: 'READY', job_state: 'done' }]);
      // The registration function serves only the transaction that queued the job.
      await expect(
        analyst.query(
          `SELECT modelgres.register_trained_version(v.job_name, '\\x00', 'XGBOOST', 'REGRESSION', 'reg:squarederror', 'mse', 0, NULL, false, '{}', NULL, NULL, NULL)
             FROM modelgres.model_versions v WHERE v.schema_name = 'wit' AND v.model_name = 'm'`,
        ),
      ).rejects.toMatchObject({ code: '42501' });
    } finally {
      await analyst.end();
    }
  }, 180_000);

  test('ROLLBACK after such a WAIT leaves no model, version, job or function', async () => {
    const c = await proxy.client();
    await c.query('CREATE TABLE rb (x1 float8, y float8); INSERT INTO rb SELECT i, 2 * i FROM generate_series(1, 100) i');
    await c.query('BEGIN');
    await c.query('CREATE MODEL rb_m FROM rb TARGET y FUNCTION rb_f IAM_ROLE default');
    const waited = await c.query('WAIT FOR MODEL rb_m TIMEOUT 120');
    expect(waited.rows).toEqual([{ version: 1, state: 'READY' }]);
    const jobName = (await c.query(`SELECT job_name FROM modelgres.model_versions WHERE model_name = 'rb_m'`)).rows[0].job_name as string;
    expect((await c.query('SELECT count(*)::int AS n FROM pg_proc WHERE proname IN ($1, $2)', ['rb_f', 'rb_f_v1'])).rows).toEqual([{ n: 2 }]);
    await c.query('ROLLBACK');
    const left = await direct.query(
      `SELECT (SELECT count(*) FROM modelgres.model WHERE model_name = 'rb_m')::int AS models,
              (SELECT count(*) FROM modelgres.model_version v JOIN modelgres.model m USING (model_id) WHERE m.model_name = 'rb_m')::int AS versions,
              (SELECT count(*) FROM modelgres.job WHERE job_name = $1)::int AS jobs,
              (SELECT count(*) FROM pg_proc WHERE proname LIKE 'rb\\_f%')::int AS functions`,
      [jobName],
    );
    expect(left.rows).toEqual([{ models: 0, versions: 0, jobs: 0, functions: 0 }]);
    await expect(c.query('SHOW MODEL rb_m')).rejects.toMatchObject({ code: '42704' });
  }, 180_000);

  test('the TIMEOUT and a CancelRequest stop a training in the transaction (57014); ROLLBACK recovers', async () => {
    const c = await proxy.client();
    await c.query('CREATE TABLE slow_t AS SELECT g::float8 AS a, (g % 97)::float8 AS b, (g * 7 % 13)::float8 AS y FROM generate_series(1, 20000) g');
    const slowModel = `CREATE MODEL slow_m FROM slow_t TARGET y FUNCTION slow_f AUTO OFF MODEL_TYPE XGBOOST
                       OBJECTIVE 'reg:squarederror' HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '5000', MAX_DEPTH '10')`;
    await c.query('BEGIN');
    await c.query(slowModel);
    await expect(c.query('WAIT FOR MODEL slow_m TIMEOUT 1')).rejects.toMatchObject({ code: '57014' });
    await c.query('ROLLBACK');

    await c.query('BEGIN');
    await c.query(slowModel);
    const notices: string[] = [];
    const training = new Promise<void>((resolve) =>
      c.on('notice', (n) => {
        notices.push(n.message ?? '');
        if (/training in this transaction/.test(n.message ?? '')) resolve();
      }),
    );
    const waiting = c.query('WAIT FOR MODEL slow_m').then(
      () => null,
      (e: unknown) => e,
    );
    await training;
    const { processID, secretKey } = c as unknown as { processID: number; secretKey: number };
    await sendAndClose(proxy.port, cancelRequest(processID, secretKey));
    expect(await waiting).toMatchObject({ code: '57014' });
    await c.query('ROLLBACK');
    expect((await c.query(`SELECT count(*)::int AS n FROM modelgres.models WHERE model_name = 'slow_m'`)).rows).toEqual([{ n: 0 }]);
  }, 180_000);
});
