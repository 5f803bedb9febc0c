import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import pg from 'pg';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { showModel } from '../support/models.ts';

// timestamp without time zone as PostgreSQL's text, so no local time zone moves the expected times.
const TIMESTAMP = 1114;
pg.types.setTypeParser(TIMESTAMP, (text) => text);

let proxy: TestProxy;
let c: pg.Client;

const PATTERN = [0, 3, 5, 2, 8, 1, 4];
const LEVELS: Record<string, number> = { north: 10, south: 50, west: 200 };
const DAYS = 56; // eight whole weeks from Monday 2024-01-01

/** Day d after 2024-01-01 as PostgreSQL prints a timestamp. */
function day(d: number): string {
  return new Date(Date.UTC(2024, 0, 1 + d)).toISOString().slice(0, 10) + ' 00:00:00';
}

function close(actual: number, expected: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(expected)));
}

beforeAll(async () => {
  proxy = await startTestProxy({ workers: 1 });
  c = await proxy.client();
  // A pure weekly pattern on three levels, and two straight lines sampled mid-month.
  await c.query(`CREATE TABLE sales (store text, sold_at timestamp, quantity int4)`);
  for (const [store, level] of Object.entries(LEVELS)) {
    const values = Array.from({ length: DAYS }, (_, d) => `('${store}', '${day(d)}', ${level + PATTERN[d % 7]})`);
    await c.query(`INSERT INTO sales VALUES ${values.join(', ')}`);
  }
  await c.query(`CREATE TABLE trend AS
    SELECT s.id, make_timestamp(2020 + m / 12, m % 12 + 1, 15, 9, 30, 0) AS at, s.a + s.b * m AS amount
      FROM (VALUES (1, 100.0::float8, 2.5::float8), (2, -40.0, 0.75)) AS s(id, a, b), generate_series(0, 23) AS m`);
  await c.query(`CREATE MODEL sales_forecast
    FROM (SELECT store, sold_at, quantity FROM sales)
    TARGET quantity IAM_ROLE default AUTO ON MODEL_TYPE FORECAST
    SETTINGS (S3_BUCKET 'b', HORIZON 7, FREQUENCY 'D')`);
  await c.query(`CREATE MODEL trend_forecast FROM trend TARGET amount
    MODEL_TYPE FORECAST OBJECTIVE 'RMSE'
    SETTINGS (HORIZON 6, FREQUENCY 'M', PERCENTILES '0.25,0.50,0.75,mean')`);
  await c.query('WAIT FOR MODEL sales_forecast TIMEOUT 60');
  await c.query('WAIT FOR MODEL trend_forecast TIMEOUT 60');
}, 90_000);
afterAll(() => proxy?.close());

describe('MODEL_TYPE FORECAST', () => {
  test('a pure weekly pattern continues exactly, each series on its level; percentiles equal the point (no held-out error)', async () => {
    const r = await c.query('SELECT FORECAST(sales_forecast)');
    expect(r.fields.map((f) => [f.name, f.dataTypeID])).toEqual([['id', 25], ['time', TIMESTAMP], ['p10', 701], ['p50', 701], ['p90', 701]]);
    expect(r.rows).toHaveLength(3 * 7);
    for (const [i, row] of r.rows.entries()) {
      const store = Object.keys(LEVELS)[Math.floor(i / 7)];
      const d = DAYS + (i % 7);
      expect([row.id, row.time]).toEqual([store, day(d)]);
      for (const p of ['p10', 'p50', 'p90']) close(row[p], LEVELS[store] + PATTERN[d % 7]);
    }
    const { values } = await showModel(c, 'sales_forecast');
    expect(values.get('Model Type')).toBe('forecast');
    expect(values.get('Problem Type')).toBe('FORECAST');
    expect(values.get('Inference Type')).toBe('Local');
    expect(values.get('Horizon')).toBe('7');
    expect(values.get('Frequency')).toBe('D');
    expect(values.get('Percentiles')).toBe('0.1,0.5,0.9');
    expect(values.get('Forecast Method')).toBe('seasonal_naive');
    expect(values.get('validation:average_weighted_quantile_loss')).toBe('0');
    expect(values.get('Candidates')).toMatch(/^seasonal_naive 0, drift [0-9.e-]+, gradient_boosted [0-9.e-]+$/);
  });

  test('a linear trend continues on its line; monthly buckets; p25, p50, p75 and mean columns', async () => {
    const r = await c.query('SELECT FORECAST(trend_forecast)');
    expect(r.fields.map((f) => f.name)).toEqual(['id', 'time', 'p25', 'p50', 'p75', 'mean']);
    const lines: Record<string, [number, number]> = { '1': [100, 2.5], '2': [-40, 0.75] };
    expect(r.rows).toHaveLength(12);
    for (const [i, row] of r.rows.entries()) {
      const m = 24 + (i % 6);
      const [a, b] = lines[row.id];
      expect(row.time).toBe(`${2020 + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}-01 00:00:00`);
      for (const p of ['p25', 'p50', 'p75', 'mean']) close(row[p], a + b * m);
    }
    expect((await showModel(c, 'trend_forecast')).values.get('validation:rmse')).toBe('0');
  });

  test('the gradient-boosted model alone (AUTO OFF) continues the weekly pattern and the lines too, within float32 sums', async () => {
    await c.query(`CREATE MODEL sales_gbdt FROM (SELECT store, sold_at, quantity FROM sales) TARGET quantity
      AUTO OFF MODEL_TYPE FORECAST SETTINGS (HORIZON 7, FREQUENCY 'D', PERCENTILES 'mean')`);
    await c.query(`CREATE MODEL trend_gbdt FROM trend TARGET amount AUTO OFF MODEL_TYPE FORECAST SETTINGS (HORIZON 6, FREQUENCY 'M', PERCENTILES 'mean')`);
    await c.query('WAIT FOR MODEL sales_gbdt TIMEOUT 60');
    await c.query('WAIT FOR MODEL trend_gbdt TIMEOUT 60');
    const near = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(expected)));
    for (const [i, row] of (await c.query('SELECT FORECAST(sales_gbdt)')).rows.entries()) {
      near(row.mean, LEVELS[row.id] + PATTERN[(DAYS + (i % 7)) % 7]);
    }
    const lines: Record<string, [number, number]> = { '1': [100, 2.5], '2': [-40, 0.75] };
    for (const [i, row] of (await c.query('SELECT FORECAST(trend_gbdt)')).rows.entries()) near(row.mean, lines[row.id][0] + lines[row.id][1] * (24 + (i % 6)));
    expect((await showModel(c, 'sales_gbdt')).values.get('Forecast Method')).toBe('gradient_boosted');
  });

  test('with held-out errors the percentiles spread around the point, in order', async () => {
    // Six series: a weekly wave, a level each, and a deterministic jitter no method can foresee.
    await c.query(`CREATE TABLE noisy AS
      SELECT s, date '2024-01-01' + d AS day, 20 * s + 5 * sin(2 * pi() * d / 7) + ((d * 37 + s * 11) % 13) - 6 AS v
        FROM generate_series(1, 6) s, generate_series(0, 59) d`);
    await c.query(`CREATE MODEL noisy_forecast FROM noisy TARGET v MODEL_TYPE FORECAST SETTINGS (HORIZON 7, FREQUENCY 'D', PERCENTILES '0.05,0.5,0.95,mean')`);
    await c.query('WAIT FOR MODEL noisy_forecast TIMEOUT 60');
    const r = await c.query('SELECT FORECAST(noisy_forecast)');
    expect(r.fields.map((f) => f.name)).toEqual(['id', 'time', 'p05', 'p50', 'p95', 'mean']);
    expect(r.rows).toHaveLength(42);
    for (const row of r.rows) {
      expect(row.p05).toBeLessThanOrEqual(row.p50);
      expect(row.p50).toBeLessThanOrEqual(row.p95);
      expect(row.p95 - row.p05).toBeGreaterThan(0);
    }
  });

  test('irregular times are summed into buckets and gaps are 0; short and one-point series; no held-out horizon means drift', async () => {
    await c.query(`CREATE TABLE readings (sensor text, at timestamp, v float8)`);
    await c.query(`INSERT INTO readings VALUES
      ('a', '2024-05-01 00:10', 1), ('a', '2024-05-01 00:50', 2), ('a', '2024-05-01 01:30', 4),
      ('a', '2024-05-01 03:05', NULL), ('a', '2024-05-01 03:20', 6), ('a', '2024-05-01 04:00', 8),
      ('b', '2024-05-01 02:30', 7),
      ('c', '2024-05-01 05:59', 10), ('c', '2024-05-01 06:01', 4)`);
    await c.query(`CREATE MODEL hourly FROM readings TARGET v MODEL_TYPE FORECAST SETTINGS (HORIZON 4, FREQUENCY 'H')`);
    await c.query('WAIT FOR MODEL hourly TIMEOUT 60');
    const r = await c.query('SELECT FORECAST(hourly)');
    // a: buckets 00..04 are 3, 4, 0 (no row), 6, 8; drift (8 − 3)/4 = 1.25 an hour.
    // b: one point, forecast as itself. c: 10 then 4, drift −6 an hour.
    const expected: Array<[string, string, number]> = [
      ['a', '2024-05-01 05:00:00', 9.25], ['a', '2024-05-01 06:00:00', 10.5], ['a', '2024-05-01 07:00:00', 11.75], ['a', '2024-05-01 08:00:00', 13],
      ['b', '2024-05-01 03:00:00', 7], ['b', '2024-05-01 04:00:00', 7], ['b', '2024-05-01 05:00:00', 7], ['b', '2024-05-01 06:00:00', 7],
      ['c', '2024-05-01 07:00:00', -2], ['c', '2024-05-01 08:00:00', -8], ['c', '2024-05-01 09:00:00', -14], ['c', '2024-05-01 10:00:00', -20],
    ];
    expect(r.rows.map((row) => [row.id, row.time])).toEqual(expected.map(([id, t]) => [id, t]));
    for (const [i, row] of r.rows.entries()) for (const p of ['p10', 'p50', 'p90']) close(row[p], expected[i][2]);
    const { values } = await showModel(c, 'hourly');
    expect(values.get('Forecast Method')).toBe('drift');
    expect(values.get('Candidates')).toBe('seasonal_naive not scored, drift not scored, gradient_boosted not scored');
  });

  test('CREATE TABLE AS and INSERT INTO ... SELECT FORECAST(m) give the columns and rows; a direct connection reads SELECT * FROM m()', async () => {
    await c.query('CREATE TABLE tbl_forecast AS SELECT FORECAST(sales_forecast)');
    await c.query('INSERT INTO tbl_forecast SELECT FORECAST(sales_forecast)');
    const columns = await c.query(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'tbl_forecast' ORDER BY ordinal_position`,
    );
    expect(columns.rows.map((r) => [r.column_name, r.data_type])).toEqual([
      ['id', 'text'], ['time', 'timestamp without time zone'], ['p10', 'double precision'], ['p50', 'double precision'], ['p90', 'double precision'],
    ]);
    expect((await c.query('SELECT count(*)::int AS n FROM tbl_forecast')).rows[0].n).toBe(42);
    // The extended protocol (a named statement with a parameter) is rewritten the same way.
    const prepared = await c.query({ name: 'forecast_limit', text: 'SELECT FORECAST(sales_forecast) ORDER BY 1, 2 DESC LIMIT $1', values: [2] });
    expect(prepared.rows.map((r) => [r.id, r.time])).toEqual([['north', day(DAYS + 6)], ['north', day(DAYS + 5)]]);
    const direct = await proxy.direct();
    const viaProxy = await c.query('SELECT FORECAST(sales_forecast)');
    expect((await direct.query('SELECT * FROM sales_forecast()')).rows).toEqual(viaProxy.rows);
  });

  test('RETRAIN makes version 2 with its own forecast; SET ACTIVE VERSION 1 brings version 1 back', async () => {
    const v1 = (await c.query('SELECT FORECAST(sales_forecast)')).rows;
    await c.query(`ALTER MODEL sales_forecast RETRAIN FROM (SELECT store, sold_at, quantity * 2 AS quantity FROM sales)`);
    expect((await c.query('WAIT FOR MODEL sales_forecast TIMEOUT 60')).rows).toEqual([{ version: 2, state: 'READY' }]);
    const v2 = (await c.query('SELECT FORECAST(sales_forecast)')).rows;
    expect(v2.map((r) => r.p50)).toEqual(v1.map((r) => 2 * r.p50));
    expect((await c.query('SELECT * FROM sales_forecast_v1()')).rows).toEqual(v1);
    await c.query('ALTER MODEL sales_forecast SET ACTIVE VERSION 1');
    expect((await c.query('SELECT FORECAST(sales_forecast)')).rows).toEqual(v1);
    expect((await showModel(c, 'sales_forecast')).values.get('Model Version')).toBe('1');
    // Dropping version 2 drops its function and its stored rows.
    await c.query('DROP MODEL sales_forecast VERSION 2');
    await expect(c.query('SELECT * FROM sales_forecast_v2()')).rejects.toMatchObject({ code: '42883' });
    const stored = await c.query(`SELECT version, count(*)::int AS n FROM modelgres.forecast_row r JOIN modelgres.models m USING (model_id)
                                   WHERE m.model_name = 'sales_forecast' GROUP BY version`);
    expect(stored.rows).toEqual([{ version: 1, n: 21 }]);
  });

  test('bad statements: each a SQLSTATE, and nothing left behind', async () => {
    const create = (body: string) => c.query(`CREATE MODEL bad_forecast FROM (SELECT store, sold_at, quantity FROM sales) TARGET quantity ${body}`);
    await expect(create(`MODEL_TYPE FORECAST SETTINGS (FREQUENCY 'D')`)).rejects.toMatchObject({ code: '22023', message: 'a FORECAST model requires the setting HORIZON' });
    await expect(create(`MODEL_TYPE FORECAST SETTINGS (HORIZON 0, FREQUENCY 'D')`)).rejects.toMatchObject({ code: '22023' });
    await expect(create(`MODEL_TYPE FORECAST SETTINGS (HORIZON 501, FREQUENCY 'D')`)).rejects.toMatchObject({ code: '22023', message: 'HORIZON must be at most 500' });
    await expect(create(`MODEL_TYPE FORECAST SETTINGS (HORIZON 5, FREQUENCY 'Q')`)).rejects.toMatchObject({ code: '22023', message: 'invalid FREQUENCY "Q"' });
    await expect(create(`MODEL_TYPE FORECAST SETTINGS (HORIZON 5, FREQUENCY 'D', PERCENTILES '0.5,1.5')`)).rejects.toMatchObject({ code: '22023' });
    await expect(create(`MODEL_TYPE FORECAST OBJECTIVE 'MSE' SETTINGS (HORIZON 5, FREQUENCY 'D')`)).rejects.toMatchObject({ code: '22023' });
    await expect(create(`FUNCTION f MODEL_TYPE FORECAST SETTINGS (HORIZON 5, FREQUENCY 'D')`)).rejects.toMatchObject({
      code: '42601',
      message: 'a FORECAST model takes no FUNCTION clause',
    });
    await expect(c.query(`CREATE MODEL bad_forecast FROM (SELECT store, sold_at, quantity, 1 AS extra FROM sales) TARGET quantity
      MODEL_TYPE FORECAST SETTINGS (HORIZON 5, FREQUENCY 'D')`)).rejects.toMatchObject({ code: '22023', message: expect.stringContaining('3 columns') });
    await expect(c.query(`CREATE MODEL bad_forecast FROM (SELECT store, sold_at, quantity::text AS quantity FROM sales) TARGET quantity
      MODEL_TYPE FORECAST SETTINGS (HORIZON 5, FREQUENCY 'D')`)).rejects.toMatchObject({ code: '22023', message: expect.stringContaining('a number') });
    await expect(c.query('SELECT FORECAST(no_such_model)')).rejects.toMatchObject({ code: '42704', message: 'model "no_such_model" does not exist' });
    await expect(c.query('CREATE TABLE never AS SELECT FORECAST(no_such_model)')).rejects.toMatchObject({ code: '42704' });
    // Rows but no usable one (every target NULL): the training fails and says why.
    await c.query(`CREATE MODEL null_forecast FROM (SELECT store, sold_at, NULL::float8 AS quantity FROM sales) TARGET quantity
      MODEL_TYPE FORECAST SETTINGS (HORIZON 5, FREQUENCY 'D')`);
    await expect(c.query('WAIT FOR MODEL null_forecast TIMEOUT 60')).rejects.toMatchObject({
      code: '55000',
      message: 'version 1 of model "null_forecast" ended FAILED: the training data has no row with a series id, a time and a target',
    });
    await c.query('DROP MODEL null_forecast');
    // A FORECAST model has no function to score, host or schedule.
    for (const statement of [
      'EVALUATE MODEL trend_forecast FROM trend',
      'SHOW MODEL trend_forecast DRIFT',
      'ALTER MODEL trend_forecast START',
      'ALTER MODEL trend_forecast SET MONITORING (CAPTURE_PERCENT 10)',
      `CREATE INFERENCE SCHEDULE s FOR MODEL trend_forecast FROM trend KEY at INTO t_out EVERY '1 hour'`,
    ]) {
      await expect(c.query(statement)).rejects.toMatchObject({ code: '42809', message: expect.stringContaining('does not apply to FORECAST model "trend_forecast"') });
    }
    // A forecast version is rows, not a function: a copy FROM its job name says so.
    const job = (await showModel(c, 'trend_forecast')).values.get('Training Job Name') ?? (await showModel(c, 'trend_forecast')).values.get('AutoML Job Name');
    expect(job).toMatch(/^redshiftml-/);
    await expect(c.query(`CREATE MODEL copied_forecast FROM '${job}' FUNCTION copied_fn (int4) RETURNS float8`)).rejects.toMatchObject({
      code: '0A000',
      message: `the model of job '${job}' is a FORECAST model: it has forecast rows, not a function to copy`,
    });
    // The model's function is named after it: never over a function of the user's, nor one PostgreSQL's would hide.
    await c.query(`CREATE FUNCTION taken_name() RETURNS int LANGUAGE sql AS 'SELECT 1'`);
    for (const name of ['taken_name', 'now']) {
      await expect(c.query(`CREATE MODEL ${name} FROM (SELECT store, sold_at, quantity FROM sales) TARGET quantity MODEL_TYPE FORECAST SETTINGS (HORIZON 5, FREQUENCY 'D')`))
        .rejects.toMatchObject({ code: '42723' });
    }
    expect((await c.query('SELECT taken_name() AS v')).rows).toEqual([{ v: 1 }]);
    // A forecast's result type reaches the catalog owner's CREATE FUNCTION as text: only the one shape passes.
    const smuggled = `TABLE(id text, "time" timestamp without time zone, p10 double precision) LANGUAGE sql AS $q$SELECT 1$q$; CREATE TABLE pwned_by_forecast (); CREATE FUNCTION tail() RETURNS TABLE(p10 double precision)`;
    await expect(c.query(
      `SELECT * FROM modelgres.import_model(current_user, 'public', 'bad_forecast', 'public', 'bad_forecast', '{}', '{}', $1, 'FORECAST', '{}', false,
         'IMPORTED', 'x', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
      [smuggled],
    )).rejects.toMatchObject({ code: '22023' });
    expect((await c.query(`SELECT to_regclass('pwned_by_forecast') AS t`)).rows[0].t).toBeNull();
    const left = await c.query(`SELECT count(*)::int AS n FROM modelgres.models WHERE model_name IN ('bad_forecast', 'taken_name', 'now')`);
    expect(left.rows[0].n).toBe(0);
    expect((await c.query(`SELECT to_regclass('never') AS t`)).rows[0].t).toBeNull();
  });

  test('EXECUTE on the model is what FORECAST(m) needs', async () => {
    // Roles belong to the cluster, which every test file shares.
    await c.query(`DO $$ BEGIN CREATE ROLE forecast_reader LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
    const url = new URL(proxy.url);
    url.username = 'forecast_reader';
    const reader = new pg.Client(url.toString());
    await reader.connect();
    await expect(reader.query('SELECT FORECAST(public.trend_forecast)')).rejects.toMatchObject({ code: '42501' });
    await c.query('GRANT EXECUTE ON MODEL trend_forecast TO forecast_reader');
    expect((await reader.query('SELECT FORECAST(public.trend_forecast)')).rows).toHaveLength(12);
    await reader.end();
  });

  test('DROP MODEL removes the model, its functions and its stored forecasts', async () => {
    await c.query('DROP MODEL hourly');
    expect((await c.query(`SELECT to_regprocedure('hourly()') AS f`)).rows[0].f).toBeNull();
    await expect(c.query('SELECT FORECAST(hourly)')).rejects.toMatchObject({ code: '42704' });
  });

  test('in the creating transaction WAIT FOR MODEL trains it; m() reads it, FORECAST(m) says to (55000); ROLLBACK leaves nothing', async () => {
    await c.query('BEGIN');
    await c.query(`CREATE MODEL tx_forecast FROM trend TARGET amount MODEL_TYPE FORECAST SETTINGS (HORIZON 2, FREQUENCY 'M')`);
    expect((await c.query('WAIT FOR MODEL tx_forecast TIMEOUT 60')).rows).toEqual([{ version: 1, state: 'READY' }]);
    const rows = (await c.query('SELECT * FROM tx_forecast()')).rows;
    expect(rows.map((r) => [r.id, r.time])).toEqual([['1', '2022-01-01 00:00:00'], ['1', '2022-02-01 00:00:00'], ['2', '2022-01-01 00:00:00'], ['2', '2022-02-01 00:00:00']]);
    close(rows[3].p50, -40 + 0.75 * 25);
    await c.query('SAVEPOINT before');
    await expect(c.query('SELECT FORECAST(tx_forecast)')).rejects.toMatchObject({ code: '55000', hint: expect.stringContaining('SELECT * FROM public.tx_forecast()') });
    await c.query('ROLLBACK');
    await expect(c.query('SELECT FORECAST(tx_forecast)')).rejects.toMatchObject({ code: '42704' });
  });

  test("the README's forecasting example runs as written", async () => {
    const readme = readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');
    const block = [...readme.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => b.includes('MODEL_TYPE FORECAST'))!;
    // In a schema of its own: this file has a sales_forecast of its own.
    await c.query('CREATE SCHEMA readme; SET search_path TO readme, public');
    for (const statement of block.split(/;\n/).map((x) => x.trim()).filter(Boolean)) await c.query(statement);
    const r = await c.query('SELECT * FROM sales_next_week');
    expect(r.fields.map((f) => f.name)).toEqual(['id', 'time', 'p25', 'p50', 'p75', 'mean']);
    // 10·s + 3·(d mod 7): the weekly pattern continues, day 56 is d mod 7 = 0.
    expect(r.rows.slice(0, 2).map((row) => [row.id, row.time, row.mean])).toEqual([['store 1', '2024-02-26 00:00:00', 10], ['store 1', '2024-02-27 00:00:00', 13]]);
    await c.query('RESET search_path');
  });
});
