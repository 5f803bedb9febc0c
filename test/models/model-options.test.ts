import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type pg from 'pg';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { storedModelSession } from '../support/stored-model.ts';
import { loadBikeShare, showModel, waitForModel } from '../support/models.ts';

let proxy: TestProxy;
let c: pg.Client;
beforeAll(async () => {
  proxy = await startTestProxy({ workers: 1 });
  c = await proxy.client();
  await c.query('CREATE SCHEMA IF NOT EXISTS mo');
  await loadBikeShare(c, 'mo.rides');
});
afterAll(() => proxy.close());

describe('CREATE MODEL options', () => {
  test('XGBOOST with AUTO OFF: binary classification on a bool target, hyperparameters shown', async () => {
    await c.query(
      `CREATE MODEL mo.busy FROM (SELECT hour, weekday, temperature, trip_count > 80 AS busy FROM mo.rides)
       TARGET busy FUNCTION predict_busy AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'binary:logistic'
       HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '40', MAX_DEPTH '4')`,
    );
    const state = await waitForModel(c, 'mo.busy');
    expect(state.get('Model State')).toBe('READY');
    expect(state.get('Problem Type')).toBe('BINARY_CLASSIFICATION');
    expect(state.get('Model Type')).toBe('xgboost');
    expect(state.get('Objective')).toBe('binary:logistic');
    expect(state.get('Training Job Name')).toMatch(/^redshiftml-/);
    const { keys, values } = await showModel(c, 'mo.busy');
    expect(keys.slice(-14)).toEqual([
      '', 'HYPERPARAMETERS:', 'num_round', 'max_depth', 'eta', 'min_child_weight', 'subsample', 'gamma', 'alpha', 'lambda',
      'colsample_bytree', 'colsample_bylevel', 'colsample_bynode', 'max_delta_step',
    ]);
    expect([values.get('num_round'), values.get('max_depth'), values.get('eta')]).toEqual(['40', '4', '0.3']);
    const r = await c.query(
      `SELECT trip_count > 80 AS actual, predict_busy(hour, weekday, temperature) AS predicted FROM mo.rides`,
    );
    expect(r.fields[1].dataTypeID).toBe(16);
    const accuracy = r.rows.filter((row) => row.actual === row.predicted).length / r.rows.length;
    expect(accuracy).toBeGreaterThan(0.85);
  });

  test('a numeric TARGET is refused with a hint to cast it', async () => {
    await c.query(`CREATE TABLE mo.linear AS SELECT g AS a, 3.0 * g AS y FROM generate_series(1, 200) g`);
    const error = await c.query(`CREATE MODEL mo.linear_model FROM mo.linear TARGET y FUNCTION linear_fn`).catch((e) => e);
    expect(error.code).toBe('22023');
    expect(error.message).toBe('target column "y" has type numeric, which cannot be a TARGET');
    expect(error.hint).toContain('cast it');
  });

  test('LINEAR_LEARNER regression predicts a linear relation closely', async () => {
    await c.query(`CREATE TABLE mo.lin2 AS SELECT g::float8 AS a, (g % 7)::float8 AS b, (3.0 * g - 2.0 * (g % 7) + 5)::float8 AS y FROM generate_series(1, 2000) g`);
    await c.query(`CREATE MODEL mo.lin2_model FROM mo.lin2 TARGET y FUNCTION lin2_fn AUTO OFF MODEL_TYPE LINEAR_LEARNER`);
    const state = await waitForModel(c, 'mo.lin2_model');
    expect(state.get('Model State')).toBe('READY');
    expect(state.get('Model Type')).toBe('linear_learner');
    const r = await c.query(`SELECT y, lin2_fn(a, b) AS p FROM mo.lin2 WHERE a IN (10, 500, 1999)`);
    // y spans 5..6000; float32 inputs and ridge regularisation leave well under one unit of error.
    for (const row of r.rows) expect(Math.abs(row.p - row.y)).toBeLessThan(1);
  });

  test('MAX_CELLS samples the training data down; MAX_RUNTIME stops early and keeps the model', async () => {
    await c.query(`CREATE MODEL mo.sampled FROM (SELECT hour, trip_count FROM mo.rides) TARGET trip_count FUNCTION sampled_fn SETTINGS (MAX_CELLS 1000)`);
    const sampled = await waitForModel(c, 'mo.sampled');
    expect(sampled.get('Training Rows')).toBe('500');

    await c.query(
      `CREATE MODEL mo.hurried FROM mo.rides TARGET trip_count FUNCTION hurried_fn AUTO OFF MODEL_TYPE XGBOOST
       OBJECTIVE 'reg:squarederror' HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '10000', MAX_DEPTH '10') SETTINGS (MAX_RUNTIME 1)`,
    );
    const hurried = await waitForModel(c, 'mo.hurried', 60_000);
    expect(hurried.get('Model State')).toBe('READY');
    expect(hurried.get('Training Note')).toContain('MAX_RUNTIME reached');
    const p = await c.query(`SELECT hurried_fn(8, 2, false, 20, 50, 5, 'clear') AS p`);
    expect(typeof p.rows[0].p).toBe('number');
  });

  test('every feature type, and NULL as missing, read the same at training and at inference', async () => {
    await c.query(`CREATE TABLE mo.typed AS
      SELECT (date '2024-01-01' + g) AS day, (timestamp '2024-01-01 00:00' + g * interval '1 hour') AS ts,
             (timestamptz '2024-01-01 00:00+00' + g * interval '1 hour') AS tstz, (time '00:00' + g * interval '7 minutes') AS tod,
             (g % 3)::int2 AS small, (g % 5)::int8 AS big, (g % 11)::numeric(6,2) AS num, (g % 13)::float4 AS real,
             (g % 2 = 0) AS flag, ('c' || g % 4)::varchar(8) AS cat, CASE WHEN g % 10 = 0 THEN NULL ELSE g % 9 END AS sparse,
             (extract(month from date '2024-01-01' + g) * 10 + (g % 4))::float8 AS y
        FROM generate_series(0, 3000) g`);
    await c.query(`CREATE MODEL mo.typed_model FROM mo.typed TARGET y FUNCTION typed_fn`);
    const state = await waitForModel(c, 'mo.typed_model');
    expect(state.get('Model State')).toBe('READY');
    expect(state.get('Function Parameter Types')).toBe('date timestamp timestamptz time int2 int8 numeric float4 bool varchar int4');
    // The session's TimeZone and DateStyle do not change what the model sees.
    const args = 'day, ts, tstz, tod, small, big, num, real, flag, cat, sparse';
    const before = await c.query(`SELECT typed_fn(${args}) AS p FROM mo.typed ORDER BY day LIMIT 50`);
    await c.query(`SET TimeZone = 'Asia/Kolkata'; SET DateStyle = 'SQL, DMY'`);
    const after = await c.query(`SELECT typed_fn(${args}) AS p FROM mo.typed ORDER BY day LIMIT 50`);
    await c.query('RESET TimeZone; RESET DateStyle');
    expect(after.rows).toEqual(before.rows);
    const r = await c.query(`SELECT y, typed_fn(${args}) AS p FROM mo.typed`);
    const rmse = Math.sqrt(r.rows.reduce((s, row) => s + (row.y - row.p) ** 2, 0) / r.rows.length);
    expect(rmse).toBeLessThan(3);
    const nulls = await c.query(`SELECT typed_fn(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL) AS p`);
    expect(Number.isFinite(nulls.rows[0].p)).toBe(true);
  });
});

describe('PREPROCESSORS', () => {
  test('transformers are fitted on the training data and applied inside the model at inference', async () => {
    await c.query(
      `CREATE MODEL mo.prepped FROM mo.rides TARGET trip_count FUNCTION prepped_fn AUTO OFF MODEL_TYPE LINEAR_LEARNER
       PREPROCESSORS '[{"ColumnSet": ["temperature", "humidity", "wind"], "Transformers": ["Imputer", "StandardScaler"]},
                       {"ColumnSet": ["weather"], "Transformers": ["OneHotEncoder"]}]'`,
    );
    const state = await waitForModel(c, 'mo.prepped');
    expect(state.get('Model State')).toBe('READY');
    // The proxy's predictions equal onnxruntime's on the stored artifact (the transformers are in it).
    const ort = (await import('onnxruntime-node')).default;
    const session = await storedModelSession(proxy, 'prepped');
    const rows = (await c.query(
      `SELECT hour, weekday, holiday, temperature, humidity, wind, weather,
              prepped_fn(hour, weekday, holiday, temperature, NULL, wind, weather) AS p FROM mo.rides LIMIT 20`,
    )).rows;
    const col = (k: string, f: (r: Record<string, unknown>) => number) => new ort.Tensor('float32', Float32Array.from(rows.map(f)), [rows.length, 1]);
    const names = session.inputNames;
    const out = await session.run({
      [names[0]]: col('hour', (r) => r.hour as number),
      [names[1]]: col('weekday', (r) => r.weekday as number),
      [names[2]]: col('holiday', (r) => (r.holiday ? 1 : 0)),
      [names[3]]: col('temperature', (r) => r.temperature as number),
      [names[4]]: col('humidity', () => NaN), // NULL: the Imputer fills in the training mean
      [names[5]]: col('wind', (r) => r.wind as number),
      [names[6]]: new ort.Tensor('string', rows.map((r) => r.weather as string), [rows.length, 1]),
    });
    expect(rows.map((r) => r.p)).toEqual(Array.from(out.variable.data as Float32Array));
    await expect(
      c.query(`CREATE MODEL mo.bad_prep FROM mo.rides TARGET trip_count FUNCTION bad_prep_fn AUTO OFF MODEL_TYPE XGBOOST
               OBJECTIVE 'reg:squarederror' PREPROCESSORS '[{"ColumnSet": ["weather"], "Transformers": ["StandardScaler"]}]'`),
    ).resolves.toBeDefined();
    const bad = await waitForModel(c, 'mo.bad_prep');
    expect(bad.get('Model State')).toBe('FAILED');
    expect(bad.get('Failure Reason')).toMatch(/StandardScaler/);
  });
});
