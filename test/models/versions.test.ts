import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type pg from 'pg';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { loadBikeShare, showModel } from '../support/models.ts';
import { pollUntil } from '../support/poll.ts';

let proxy: TestProxy;
let c: pg.Client;
const ARGS = `8, 2, false, 20.0, 50.0, 5.0, 'clear'`;
const FEATURES = 'hour, weekday, holiday, temperature, humidity, wind, weather';

beforeAll(async () => {
  proxy = await startTestProxy({ workers: 1 });
  c = await proxy.client();
  await loadBikeShare(c, 'rides');
  await c.query(`CREATE MODEL rentals FROM rides TARGET trip_count FUNCTION rentals_fn`);
  await c.query('WAIT FOR MODEL rentals');
});
afterAll(() => proxy.close());

async function versions(): Promise<Array<{ version: number; state: string; active: boolean; source: string }>> {
  const r = await c.query('SHOW MODEL rentals VERSIONS');
  return r.rows.map((row) => ({ version: row.version, state: row.state, active: row.active, source: row.source }));
}

async function predict(fn: string): Promise<number> {
  return (await c.query(`SELECT ${fn}(${ARGS}) AS p`)).rows[0].p;
}

describe('model versions', () => {
  test('RETRAIN and CREATE OR REPLACE add versions numbered max+1; f_vN calls each one', async () => {
    await c.query('ALTER MODEL rentals RETRAIN FROM (SELECT * FROM rides WHERE weekday BETWEEN 1 AND 5)');
    const waited = await c.query('WAIT FOR MODEL rentals');
    expect(waited.rows).toEqual([{ version: 2, state: 'READY' }]);
    expect(await versions()).toEqual([
      { version: 1, state: 'READY', active: false, source: 'TRAINED' },
      { version: 2, state: 'READY', active: true, source: 'RETRAINED' },
    ]);
    const r = await c.query(`SELECT rentals_fn_v1(${ARGS}) AS v1, rentals_fn_v2(${ARGS}) AS v2, rentals_fn(${ARGS}) AS active`);
    expect(r.rows[0].v1).not.toBe(r.rows[0].v2);
    expect(r.rows[0].active).toBe(r.rows[0].v2);
    const shown = await c.query('SHOW MODEL rentals VERSIONS');
    expect(shown.fields.map((f) => [f.name, f.dataTypeID])).toEqual([
      ['version', 23], ['state', 25], ['active', 16], ['source', 25], ['job_name', 25], ['created_at', 1184],
      ['training_started_at', 1184], ['training_finished_at', 1184], ['training_rows', 20], ['metric', 25],
      ['metric_value', 701], ['failure_reason', 25],
    ]);
    expect(shown.rows[1].training_rows).toBe('12504'); // the weekday rows only

    await c.query(`CREATE OR REPLACE MODEL rentals FROM (SELECT * FROM rides WHERE weekday IN (0, 6)) TARGET trip_count FUNCTION rentals_fn`);
    expect((await c.query('WAIT FOR MODEL rentals VERSION 3 TIMEOUT 60')).rows).toEqual([{ version: 3, state: 'READY' }]);
    await c.query('ALTER MODEL rentals ROLLBACK'); // v3 became active (LATEST); back to v2
    await c.query('DROP MODEL rentals VERSION 3');
    await c.query('ALTER MODEL rentals RETRAIN');
    expect((await c.query('WAIT FOR MODEL rentals')).rows).toEqual([{ version: 4, state: 'READY' }]);
    await expect(c.query(`SELECT rentals_fn_v3(${ARGS})`)).rejects.toMatchObject({ code: '42883' });
  });

  test('activation rules: SET ACTIVE VERSION, ROLLBACK and its undo, MANUAL, and the active version is kept', async () => {
    const v1 = await predict('rentals_fn_v1');
    const v2 = await predict('rentals_fn_v2');
    const v4 = await predict('rentals_fn_v4');
    expect(await predict('rentals_fn')).toBe(v4);
    await c.query('ALTER MODEL rentals SET ACTIVE VERSION 1');
    expect(await predict('rentals_fn')).toBe(v1);
    await c.query('ALTER MODEL rentals ROLLBACK');
    expect(await predict('rentals_fn')).toBe(v4);
    await c.query('ALTER MODEL rentals ROLLBACK'); // undoes the first rollback
    expect(await predict('rentals_fn')).toBe(v1);
    await c.query('ALTER MODEL rentals SET ACTIVE VERSION 2');
    expect(await predict('rentals_fn')).toBe(v2);

    await expect(c.query('DROP MODEL rentals VERSION 2')).rejects.toMatchObject({ code: '55000' });
    await expect(c.query('ALTER MODEL rentals SET ACTIVE VERSION 99')).rejects.toMatchObject({ code: '42704' });

    await c.query('ALTER MODEL rentals SET ACTIVATION MANUAL');
    await c.query('ALTER MODEL rentals RETRAIN');
    const waited = await c.query('WAIT FOR MODEL rentals');
    expect(waited.rows[0].version).toBe(5);
    expect(await predict('rentals_fn')).toBe(v2); // MANUAL: a READY version waits to be activated
    expect(await predict('rentals_fn_v5')).toBeTypeOf('number');
    await c.query('ALTER MODEL rentals SET ACTIVATION LATEST');
  });

  test('a version that changes the function is refused; only READY versions activate', async () => {
    const error = await c.query(
      `CREATE OR REPLACE MODEL rentals FROM (SELECT hour, trip_count FROM rides) TARGET trip_count FUNCTION rentals_fn`,
    ).catch((e) => e);
    expect(error.code).toBe('42P13');
    expect(error.hint).toContain('Create a new model');
    expect((await versions()).length).toBe(4);

    // Every target NULL: nothing to learn from, so training fails with a reason.
    await c.query(
      `CREATE OR REPLACE MODEL rentals FROM (SELECT ${FEATURES}, NULL::int AS trip_count FROM rides)
       TARGET trip_count FUNCTION rentals_fn`,
    );
    await expect(c.query('WAIT FOR MODEL rentals')).rejects.toMatchObject({ code: '55000' });
    const failed = (await versions()).at(-1)!;
    expect(failed.state).toBe('FAILED');
    await expect(c.query(`ALTER MODEL rentals SET ACTIVE VERSION ${failed.version}`)).rejects.toMatchObject({ code: '55000' });
  });

  test('CANCEL stops a training; WAIT FOR MODEL times out with 57014 and reports progress', async () => {
    await c.query(
      `CREATE MODEL slow FROM rides TARGET trip_count FUNCTION slow_fn AUTO OFF MODEL_TYPE XGBOOST
       OBJECTIVE 'reg:squarederror' HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '5000', MAX_DEPTH '10')`,
    );
    const notices: string[] = [];
    const onNotice = (n: { message?: string }) => notices.push(n.message ?? '');
    c.on('notice', onNotice);
    await expect(c.query('WAIT FOR MODEL slow TIMEOUT 2')).rejects.toMatchObject({ code: '57014' });
    c.off('notice', onNotice);
    expect(notices.length).toBeGreaterThan(0);
    expect(notices[0]).toMatch(/^model slow version 1: /);
    await c.query('ALTER MODEL slow CANCEL');
    await expect(c.query('WAIT FOR MODEL slow')).rejects.toMatchObject({ code: '55000', message: expect.stringContaining('CANCELED') });
    await expect(c.query('ALTER MODEL slow CANCEL')).rejects.toMatchObject({ code: '55000' });
    await c.query('DROP MODEL slow');
  });

  test('SET ACTIVATION BEST activates a new version only when its validation metric is better; SHOW MODEL m VERSION n', async () => {
    // Hour alone explains far less of the rentals than every feature does.
    const hourOnly = `SELECT hour, 0 AS weekday, false AS holiday, 0.0::float8 AS temperature, 0.0::float8 AS humidity,
                             0.0::float8 AS wind, 'clear'::text AS weather, trip_count FROM rides`;
    const everything = `SELECT ${FEATURES}, trip_count FROM rides`;
    await c.query(`CREATE MODEL best_of FROM (${hourOnly}) TARGET trip_count FUNCTION best_of_fn`);
    await c.query('WAIT FOR MODEL best_of');
    await c.query('ALTER MODEL best_of SET ACTIVATION BEST');
    await c.query(`ALTER MODEL best_of RETRAIN FROM (${everything})`);
    await c.query('WAIT FOR MODEL best_of');
    await c.query(`ALTER MODEL best_of RETRAIN FROM (${hourOnly})`);
    await c.query('WAIT FOR MODEL best_of');
    const [v1, v2, v3] = (await c.query('SHOW MODEL best_of VERSIONS')).rows;
    expect(v2.metric_value).toBeLessThan(v1.metric_value);
    expect(v3.metric_value).toBe(v1.metric_value); // same data, same seed: the same model
    expect([v1.active, v2.active, v3.active]).toEqual([false, true, false]); // v3 does not beat v2

    const shown = await c.query('SHOW MODEL best_of VERSION 3');
    const values = new Map(shown.rows.map((row) => [row.Key, row.Value]));
    expect(values.get('Model Version')).toBe('3');
    expect(values.get('Active Version')).toBe('2');
    expect(values.get('validation:mse')).toBe(String(v3.metric_value));
    await expect(c.query('SHOW MODEL best_of VERSION 9')).rejects.toMatchObject({ code: '42704' });
  });

  test('a statement already running keeps the version it started with', async () => {
    await c.query('ALTER MODEL rentals SET ACTIVE VERSION 1');
    const other = await proxy.client();
    const direct = await proxy.direct();
    // Row 10000, in the second FETCH batch, waits for a lock the test holds: the statement is
    // surely running, past its first batch, while another version is activated.
    await direct.query('SELECT pg_advisory_lock(4242)');
    const running = c.query(
      `SELECT rn, rentals_fn(${FEATURES}) AS p, CASE WHEN rn = 10000 THEN pg_advisory_xact_lock_shared(4242)::text END AS pause
         FROM (SELECT *, row_number() OVER () AS rn FROM rides) s ORDER BY rn`,
    );
    await pollUntil(
      'the statement to wait for the lock at row 10000',
      async () => (await direct.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory'`,
      )).rows[0].n,
      (n) => n === 1,
    );
    await other.query('ALTER MODEL rentals SET ACTIVE VERSION 2');
    await direct.query('SELECT pg_advisory_unlock(4242)');
    const rows = (await running).rows;
    expect(rows.length).toBeGreaterThan(10_000);
    const v1 = (await c.query(`SELECT rn, rentals_fn_v1(${FEATURES}) AS p FROM (SELECT *, row_number() OVER () AS rn FROM rides) s ORDER BY rn`)).rows;
    expect(rows.map((r) => r.p)).toEqual(v1.map((r) => r.p));
    // The next statement sees the new active version.
    expect(await predict('rentals_fn')).toBe(await predict('rentals_fn_v2'));
  });

  test('the dated copy: CREATE MODEL ... FROM the job name gives the same outputs', async () => {
    const { values } = await showModel(c, 'rentals VERSION 1');
    const job = values.get('AutoML Job Name')!;
    await c.query(
      `CREATE MODEL rentals_20230706 FROM '${job}' FUNCTION rentals_20230706 (int4, int4, bool, numeric, numeric, numeric, varchar)
       RETURNS float8 IAM_ROLE default SETTINGS (S3_BUCKET 'bucket')`,
    );
    const copy = await showModel(c, 'rentals_20230706');
    expect(copy.values.get('Inference Type')).toBe('Local');
    expect(copy.values.get('Model State')).toBe('READY');
    expect(copy.values.get('Artifact')).toBe(job);
    expect(copy.values.get('Function Return Type')).toBe('float8');
    const r = await c.query(`SELECT rentals_fn_v1(${FEATURES}) AS a, rentals_20230706(${FEATURES}) AS b FROM rides LIMIT 200`);
    for (const row of r.rows) expect(row.b).toBe(row.a);
    await expect(
      c.query(`CREATE MODEL bad_copy FROM 'redshiftml-00000000000000000000' FUNCTION bad_copy (int4) RETURNS float8`),
    ).rejects.toMatchObject({ code: '42704' });
    await expect(
      c.query(`CREATE MODEL bad_copy FROM '${job}' FUNCTION bad_copy (int4, int4) RETURNS float8`),
    ).rejects.toMatchObject({ code: '22023' });
    expect((await c.query('SHOW MODEL ALL')).rows.map((row) => row['Model Name'])).not.toContain('bad_copy');
  });
});
