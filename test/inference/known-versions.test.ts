import ort from 'onnxruntime-node';
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { serialize } from 'pg-protocol';
import { databaseOf, RawClient, rowValues } from '../support/raw-client.ts';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';

/**
 * A one-row call of a function whose version the proxy has seen runs without a lookup statement:
 * the statement itself selects the caller's EXECUTE privilege and the function's stamp
 * (known-versions.ts). Whatever path a call takes, it evaluates the version its own snapshot sees
 * as active, and only for a caller PostgreSQL lets execute the function: each answer is held to
 * onnxruntime on that version's stored artifact.
 */

const OTHER = 'kv_other';
let proxy: TestProxy;
let a: pg.Client;
let b: pg.Client;
let other: pg.Client;
const reference = new Map<number, ort.InferenceSession>();

beforeAll(async () => {
  proxy = await startTestProxy({ workers: 1 });
  a = await proxy.client();
  b = await proxy.client();
  await a.query(`CREATE TABLE kv_train AS
    SELECT (g % 10)::float8 AS x, (g % 7)::float8 AS w, ((g % 10) * 2.5 - (g % 7) + (g % 13) / 10.0)::float8 AS y FROM generate_series(1, 1500) g`);
  await a.query(`CREATE MODEL kv_model FROM kv_train TARGET y FUNCTION kv_fn AUTO OFF MODEL_TYPE XGBOOST
                 OBJECTIVE 'reg:squarederror' HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '10', MAX_DEPTH '3')`);
  expect((await a.query('WAIT FOR MODEL kv_model')).rows[0]).toMatchObject({ version: 1, state: 'READY' });
  // Version 2 learns from other rows, so its answers differ from version 1's.
  await a.query('ALTER MODEL kv_model RETRAIN FROM (SELECT x, w, y * 3 AS y FROM kv_train WHERE x > 2)');
  expect((await a.query('WAIT FOR MODEL kv_model')).rows[0]).toMatchObject({ version: 2, state: 'READY' });
  const direct = await proxy.direct();
  const artifacts = await direct.query(
    `SELECT v.version, v.onnx FROM modelgres.model_version v JOIN modelgres.model m USING (model_id) WHERE m.model_name = 'kv_model'`,
  );
  for (const row of artifacts.rows) {
    reference.set(row.version, await ort.InferenceSession.create(row.onnx, { intraOpNumThreads: 1, interOpNumThreads: 1 }));
  }
  await direct.query(`DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${OTHER}') THEN CREATE ROLE ${OTHER} LOGIN; END IF; END $$`);
  const u = new URL(proxy.url);
  u.username = OTHER;
  other = new pg.Client(u.toString());
  other.on('error', () => {});
  await other.connect();
}, 180_000);

afterAll(async () => {
  await other?.end().catch(() => {});
  await proxy?.close();
});

/** What onnxruntime gives for (x, w) on a version's stored artifact, as the float8 the function returns. */
async function expected(version: number, x: number, w: number): Promise<number> {
  const session = reference.get(version)!;
  const out = await session.run({
    [session.inputNames[0]]: new ort.Tensor('float32', Float32Array.of(x), [1, 1]),
    [session.inputNames[1]]: new ort.Tensor('float32', Float32Array.of(w), [1, 1]),
  });
  return (out[session.outputNames[0]].data as Float32Array)[0];
}

async function call(client: pg.Client, x: number, w: number): Promise<number> {
  return (await client.query(`SELECT kv_fn(${x}, ${w}) AS p`)).rows[0].p;
}

test('a call evaluates the version active in its own snapshot: after another session activates one, inside a transaction, under REPEATABLE READ', async () => {
  const [v1, v2] = [await expected(1, 3.5, 2), await expected(2, 3.5, 2)];
  expect(v1).not.toBe(v2);
  // The first call learns the version, the next ones take the short way.
  for (let i = 0; i < 3; i++) expect(await call(a, 3.5, 2)).toBe(v2);
  expect((await a.query('SELECT kv_fn(3.5, 2) AS p, kv_fn_v1(3.5, 2) AS p1, kv_fn_v2(3.5, 2) AS p2')).rows[0]).toEqual({ p: v2, p1: v1, p2: v2 });

  await b.query('ALTER MODEL kv_model SET ACTIVE VERSION 1');
  expect(await call(a, 3.5, 2)).toBe(v1);
  expect(await call(a, 3.5, 2)).toBe(v1);

  // An activation not committed yet: this transaction sees it, nobody else does, and ROLLBACK undoes it.
  await a.query('BEGIN');
  await a.query('ALTER MODEL kv_model SET ACTIVE VERSION 2');
  expect(await call(a, 3.5, 2)).toBe(v2);
  expect(await call(b, 3.5, 2)).toBe(v1);
  await a.query('ROLLBACK');
  expect(await call(a, 3.5, 2)).toBe(v1);

  // A snapshot taken before another session's activation keeps the version it saw.
  await a.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
  expect(await call(a, 3.5, 2)).toBe(v1);
  await b.query('ALTER MODEL kv_model SET ACTIVE VERSION 2');
  expect(await call(a, 3.5, 2)).toBe(v1);
  await a.query('COMMIT');
  expect(await call(a, 3.5, 2)).toBe(v2);
  expect(await call(b, 1, 6)).toBe(await expected(2, 1, 6));
});

test('PostgreSQL’s EXECUTE privilege decides on the short way too, with rows or without', async () => {
  await a.query('SELECT kv_fn(1, 1)'); // the proxy knows the version
  const sqlstate = (sql: string) => other.query(sql).then(() => undefined, (e: pg.DatabaseError) => e.code);
  expect(await sqlstate('SELECT kv_fn(1, 2)')).toBe('42501');
  expect(await sqlstate('SELECT kv_fn(1, 2) WHERE false')).toBe('42501');
  await a.query(`GRANT EXECUTE ON MODEL kv_model TO ${OTHER}`);
  expect(await call(other, 4, 5)).toBe(await expected(2, 4, 5));
  expect(await call(other, 4, 5)).toBe(await expected(2, 4, 5));
  expect((await other.query('SELECT kv_fn(1, 2) WHERE false')).rows).toEqual([]);
  await a.query(`REVOKE EXECUTE ON MODEL kv_model FROM ${OTHER}`);
  expect(await sqlstate('SELECT kv_fn(4, 5)')).toBe('42501');
  expect(await sqlstate('SELECT kv_fn(4, 5), kv_fn_v1(4, 5)')).toBe('42501');
});

test('the DEBUG line still says which version onnxruntime evaluates', async () => {
  await call(a, 2, 2);
  const notices: string[] = [];
  a.on('notice', (n) => notices.push(n.message ?? ''));
  await a.query('SET client_min_messages = debug1');
  expect(await call(a, 2, 2)).toBe(await expected(2, 2, 2));
  await a.query('RESET client_min_messages');
  expect(notices).toContain('modelgres: kv_fn evaluated by onnxruntime in batches (streamed), version 2');
});

test('the statement the session keeps prepared upstream survives DEALLOCATE ALL and DISCARD ALL, seen or not', async () => {
  const want = await expected(2, 6, 1);
  for (const drop of ['DEALLOCATE ALL', 'DISCARD ALL', `DO $$ BEGIN EXECUTE 'DEALL' || 'OCATE ALL'; END $$`]) {
    expect(await call(a, 6, 1)).toBe(want);
    expect(await call(a, 6, 1)).toBe(want);
    await a.query(drop);
    expect(await call(a, 6, 1)).toBe(want);
    expect(await call(a, 6, 1)).toBe(want);
  }
  // A client's own prepared statements are its own: the proxy's names never clash with them.
  await a.query('PREPARE mine AS SELECT kv_fn(6, 1) AS p');
  expect((await a.query('EXECUTE mine')).rows[0].p).toBe(want);
  expect(await call(a, 6, 1)).toBe(want);
});

test('the kept statement answers in the formats each Bind asks for, text and binary in turn', async () => {
  const want = await expected(2, 6, 1);
  const raw = await RawClient.ready(proxy.port, { database: databaseOf(proxy.url) });
  try {
    for (const format of [0, 1, 1, 0, 1, 0]) {
      raw.write([
        serialize.parse({ text: 'SELECT kv_fn(6, 1) AS p' }),
        serialize.bind({ binary: format === 1 }),
        serialize.describe({ type: 'P' }),
        serialize.execute(),
        serialize.sync(),
      ]);
      const answers = await raw.readUntilReady();
      const fields = answers.find((m) => m.name === 'rowDescription')!.fields as Array<{ format: string }>;
      expect(fields[0].format, `format ${format}`).toBe(format === 1 ? 'binary' : 'text');
      const value = rowValues(answers.find((m) => m.name === 'dataRow')!.body)[0]!;
      // float8send's bytes, or float8out's text.
      expect(format === 1 ? value.readDoubleBE(0) : Number(value.toString()), `format ${format}`).toBe(want);
    }
  } finally {
    raw.destroy();
  }
});
