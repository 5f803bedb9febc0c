import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import ort from 'onnxruntime-node';
import type pg from 'pg';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { storedModelSession } from '../support/stored-model.ts';
import { loadBikeShare, showModel, waitForModel } from '../support/models.ts';

let proxy: TestProxy;
let c: pg.Client;
beforeAll(async () => {
  proxy = await startTestProxy({ workers: 1 });
  c = await proxy.client();
  await c.query('create schema if not exists cm');
  await c.query('set search_path = cm, public');
  await loadBikeShare(c, 'cm.rides');
});
afterAll(() => proxy.close());

const FEATURES = 'hour, weekday, holiday, temperature, humidity, wind, weather';

describe('CREATE MODEL, SHOW MODEL, DROP MODEL', () => {
  test('trains a regression model in the background and predicts with it in SQL', async () => {
    const created = await c.query(
      `CREATE MODEL cm.predict_rental_count FROM cm.rides TARGET trip_count FUNCTION predict_rental_count
       IAM_ROLE default SETTINGS (S3_BUCKET 'my-bucket')`,
    );
    expect(created.command).toBe('CREATE');

    const all = await c.query('SHOW MODEL ALL');
    expect(all.fields.map((f) => f.name)).toEqual(['Schema Name', 'Model Name']);
    expect(all.rows).toContainEqual({ 'Schema Name': 'cm', 'Model Name': 'predict_rental_count' });

    const state = await waitForModel(c, 'cm.predict_rental_count');
    expect(state.get('Model State')).toBe('READY');
    const { values, keys } = await showModel(c, 'cm.predict_rental_count');
    expect(keys.slice(0, 5)).toEqual(['Model Name', 'Schema Name', 'Owner', 'Creation Time', 'Model State']);
    expect(keys).toEqual([
      'Model Name', 'Schema Name', 'Owner', 'Creation Time', 'Model State', 'validation:mse', 'Estimated Cost', '',
      'TRAINING DATA:', 'Table', 'Target Column', '', 'PARAMETERS:', 'Model Type', 'Problem Type', 'Objective',
      'AutoML Job Name', 'Function Name', 'Function Parameters', 'Function Parameter Types', 'IAM Role', 'S3 Bucket',
      'Max Runtime', 'Inference Type', 'Model Version', 'Active Version', 'Versions', 'Training Rows', 'Training Progress',
      'Inference Status', 'Min Inference Units', 'Max Inference Units', 'Desired Inference Units', 'In Service Inference Units',
    ]);
    expect(values.get('Schema Name')).toBe('cm');
    expect(values.get('Owner')).toBe('postgres');
    expect(values.get('Table')).toBe('cm.rides');
    expect(values.get('Target Column')).toBe('TRIP_COUNT');
    expect(values.get('Problem Type')).toBe('REGRESSION');
    expect(values.get('Function Parameters')).toBe('hour weekday holiday temperature humidity wind weather');
    expect(values.get('Function Parameter Types')).toBe('int4 int4 bool float8 float8 float8 text');
    expect(values.get('AutoML Job Name')).toMatch(/^redshiftml-\d{20}$/);
    expect(values.get('IAM Role')).toBe('default');
    expect(values.get('S3 Bucket')).toBe('my-bucket');
    expect(values.get('Training Rows')).toBe('17520');
    expect(values.get('Active Version')).toBe('1');
    // Once READY, where the training's time went.
    expect(values.get('Training Progress')).toMatch(/^done; where the time went \([0-9.]+ s\): snapshot [0-9.]+ s, queue wait [0-9.]+ s, .*boosting [0-9.]+ s, .*register [0-9.]+ s; candidates: .*XGBOOST mse [0-9.]+ \([^)]*kept\)/);
    expect(Number(values.get('validation:mse'))).toBeGreaterThan(0);

    // Predictions track the target: RMSE well under the target's spread.
    const r = await c.query(
      `SELECT trip_count, predict_rental_count(${FEATURES}) AS p FROM cm.rides`,
    );
    expect(r.rowCount).toBe(17520);
    expect(r.fields.map((f) => [f.name, f.dataTypeID])).toEqual([['trip_count', 23], ['p', 701]]);
    const mean = r.rows.reduce((s, row) => s + row.trip_count, 0) / r.rows.length;
    const sd = Math.sqrt(r.rows.reduce((s, row) => s + (row.trip_count - mean) ** 2, 0) / r.rows.length);
    const rmse = Math.sqrt(r.rows.reduce((s, row) => s + (row.trip_count - row.p) ** 2, 0) / r.rows.length);
    expect(rmse).toBeLessThan(sd / 3);
  });

  test('the proxy predicts exactly what onnxruntime gives for the stored model', async () => {
    await waitForModel(c, 'cm.predict_rental_count');
    const session = await storedModelSession(proxy, 'predict_rental_count');
    const rows = (await c.query(`SELECT ${FEATURES}, predict_rental_count(${FEATURES}) AS p FROM cm.rides ORDER BY random() LIMIT 50`)).rows;
    const f32 = (k: string, map: (v: never) => number = Number) => new ort.Tensor('float32', Float32Array.from(rows.map((r) => map(r[k] as never))), [rows.length, 1]);
    const out = await session.run({
      hour: f32('hour'),
      weekday: f32('weekday'),
      holiday: f32('holiday', (v: boolean) => (v ? 1 : 0)),
      temperature: f32('temperature'),
      humidity: f32('humidity'),
      wind: f32('wind'),
      weather: new ort.Tensor('string', rows.map((r) => r.weather), [rows.length, 1]),
    });
    const expected = Array.from(out.variable.data as Float32Array);
    expect(rows.map((r) => r.p)).toEqual(expected);
  });

  test('a model function is a real PostgreSQL function that answers direct calls as the proxy does', async () => {
    const direct = await proxy.direct();
    const fn = await direct.query(
      `SELECT pg_get_function_identity_arguments(p.oid) AS args, format_type(p.prorettype, NULL) AS returns
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'cm' AND p.proname = 'predict_rental_count'`,
    );
    expect(fn.rows).toEqual([
      // Named after the features, as tools that list functions show them.
      {
        args: 'hour integer, weekday integer, holiday boolean, temperature double precision, humidity double precision, wind double precision, weather text',
        returns: 'double precision',
      },
    ]);
    // The proxy's answer is onnxruntime's on the stored artifact; PostgreSQL's compiled body must agree.
    const call = `SELECT cm.predict_rental_count(8, 2, false, 20, 50, 5, 'clear') AS p`;
    const [inDatabase, proxied] = [(await direct.query(call)).rows[0].p, (await c.query(call)).rows[0].p];
    expect(typeof inDatabase).toBe('number');
    expect(Math.abs(inDatabase - proxied)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(proxied)));
  });

  test('classification models predict labels in the target type and probabilities as jsonb', async () => {
    await c.query(
      `CREATE MODEL cm.weather_model FROM (SELECT hour, temperature, humidity, trip_count, weather FROM cm.rides)
       TARGET weather FUNCTION predict_weather`,
    );
    const state = await waitForModel(c, 'cm.weather_model');
    expect(state.get('Model State')).toBe('READY');
    expect(state.get('Problem Type')).toBe('MULTICLASS_CLASSIFICATION');
    const r = await c.query(
      `SELECT predict_weather(hour, temperature, humidity, trip_count) AS label,
              predict_weather_probabilities(hour, temperature, humidity, trip_count) AS probs
         FROM cm.rides LIMIT 20`,
    );
    expect(r.fields.map((f) => f.dataTypeID)).toEqual([25, 3802]);
    for (const row of r.rows) {
      expect(['clear', 'cloudy', 'rain', 'snow']).toContain(row.label);
      expect([...row.probs.labels].sort()).toEqual(['clear', 'cloudy', 'rain', 'snow']);
      const p: number[] = row.probs.probabilities;
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect([...p].sort((a, b) => b - a)).toEqual(p);
      expect(row.probs.labels[0]).toBe(row.label);
    }
  });

  test('DROP MODEL removes the model and its functions; IF EXISTS only notices', async () => {
    await c.query(`CREATE MODEL cm.short_lived FROM (SELECT hour, trip_count FROM cm.rides) TARGET trip_count FUNCTION short_lived_fn`);
    expect((await c.query('DROP MODEL cm.short_lived')).command).toBe('DROP');
    const direct = await proxy.direct();
    expect((await direct.query(`SELECT count(*)::int AS n FROM pg_proc WHERE proname = 'short_lived_fn'`)).rows[0].n).toBe(0);
    expect((await direct.query(`SELECT count(*)::int AS n FROM modelgres.model WHERE model_name = 'short_lived'`)).rows[0].n).toBe(0);
    await expect(c.query('DROP MODEL cm.short_lived')).rejects.toMatchObject({ code: '42704', message: 'model "short_lived" does not exist' });
    const notices: string[] = [];
    c.on('notice', (n) => notices.push(n.message ?? ''));
    await c.query('DROP MODEL IF EXISTS cm.short_lived');
    expect(notices).toContain('model "short_lived" does not exist, skipping');
  });

  test('errors carry the contract\'s SQLSTATEs', async () => {
    const syntax = await c.query('CREATE MODEL cm.x FROM cm.rides TARGT trip_count FUNCTION f').catch((e) => e);
    expect(syntax.code).toBe('42601');
    expect(syntax.position).toBe('33');
    await expect(c.query('SHOW MODEL cm.no_such_model')).rejects.toMatchObject({ code: '42704' });
    await expect(
      c.query(`CREATE MODEL cm.predict_rental_count FROM cm.rides TARGET trip_count FUNCTION other_fn`),
    ).rejects.toMatchObject({ code: '42710' });
    await expect(c.query(`CREATE MODEL cm.y FROM cm.rides TARGET no_column FUNCTION y_fn`)).rejects.toMatchObject({ code: '42703' });
    const inner = await c.query('CREATE MODEL cm.z FROM (SELECT hour, nope FROM cm.rides) TARGET hour FUNCTION z_fn').catch((e) => e);
    expect(inner.code).toBe('42703');
    expect(inner.position).toBe('38'); // the "n" of nope
    await expect(
      c.query(`CREATE MODEL cm.k FROM cm.rides TARGET trip_count FUNCTION k_fn PREPROCESSORS '[{"ColumnSet": ["nope"], "Transformers": ["StandardScaler"]}]'`),
    ).rejects.toMatchObject({ code: '22023', message: 'PREPROCESSORS names column "nope", which is not a feature of the training data' });
    // Nothing half-done: none of the failed statements left a model behind.
    const names = (await c.query('SHOW MODEL ALL')).rows.map((r) => r['Model Name']);
    expect(names).not.toContain('y');
    expect(names).not.toContain('z');
  });

  test('a training failure is recorded with its reason', async () => {
    await c.query(
      `CREATE MODEL cm.bad_objective FROM (SELECT hour, temperature, trip_count FROM cm.rides) TARGET trip_count
       FUNCTION bad_objective_fn AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'binary:logistic'`,
    );
    const state = await waitForModel(c, 'cm.bad_objective');
    expect(state.get('Model State')).toBe('FAILED');
    expect(state.get('Failure Reason')).toMatch(/class|binary|two/i);
    const call = await c.query('SELECT bad_objective_fn(1, 2)').catch((e) => e);
    expect(call.code).toBe('55000');
    expect(call.message).toContain('training failed');
  });

  test('CREATE MODEL is transactional: ROLLBACK undoes it; several statements in one message work', async () => {
    await c.query('BEGIN');
    await c.query(`CREATE MODEL cm.rolled_back FROM (SELECT hour, trip_count FROM cm.rides) TARGET trip_count FUNCTION rolled_back_fn`);
    expect((await c.query('SHOW MODEL ALL')).rows.map((r) => r['Model Name'])).toContain('rolled_back');
    await c.query('ROLLBACK');
    expect((await c.query('SHOW MODEL ALL')).rows.map((r) => r['Model Name'])).not.toContain('rolled_back');

    await c.query(
      `CREATE TABLE cm.small AS SELECT hour, trip_count FROM cm.rides LIMIT 500;
       CREATE MODEL cm.from_message FROM cm.small TARGET trip_count FUNCTION from_message_fn;
       SELECT 1`,
    );
    expect((await c.query('SHOW MODEL ALL')).rows.map((r) => r['Model Name'])).toContain('from_message');

    // A failure anywhere in the message undoes all of it.
    await expect(
      c.query(`CREATE TABLE cm.doomed (n int); CREATE MODEL cm.from_message FROM cm.small TARGET trip_count FUNCTION f2`),
    ).rejects.toMatchObject({ code: '42710' });
    await expect(c.query('SELECT * FROM cm.doomed')).rejects.toMatchObject({ code: '42P01' });
  });

  test('ML statements work in the extended protocol, as JDBC and migration tools send them', async () => {
    const all = await c.query({ text: 'SHOW MODEL ALL', values: [] });
    expect(all.rows).toContainEqual({ 'Schema Name': 'cm', 'Model Name': 'predict_rental_count' });
    await waitForModel(c, 'cm.predict_rental_count');
    for (let hour = 7; hour < 10; hour++) {
      const r = await c.query({
        name: 'predict_hour',
        text: `SELECT $1::int AS hour, predict_rental_count($1, 2, false, 20.0, 50.0, 5.0, 'clear') AS p`,
        values: [hour],
      });
      const simple = await c.query(`SELECT predict_rental_count(${hour}, 2, false, 20.0, 50.0, 5.0, 'clear') AS p`);
      expect(r.rows).toEqual([{ hour, p: simple.rows[0].p }]);
    }
    await expect(c.query({ text: 'SHOW MODEL cm.nothing_here', values: [] })).rejects.toMatchObject({ code: '42704' });
    expect((await c.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
  });
});
