import ort from 'onnxruntime-node';
import type pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { BATCH_ROWS } from '../../src/inference/inference-deps.ts';
import { storedModelSession } from '../support/stored-model.ts';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';

/**
 * INSERT ... SELECT f(...) writes its batches after the first with COPY (FORMAT binary) when every
 * column's type allows: the other columns arrive exactly as PostgreSQL's own INSERT ... SELECT
 * puts them (compared on PostgreSQL, directly), and the predictions are onnxruntime's on the
 * stored artifact. A column of a type outside the binary set keeps every batch in COPY text.
 */

const ROWS = 2 * BATCH_ROWS + 1234;

let proxy: TestProxy;
let c: pg.Client;
let direct: pg.Client;
/** onnxruntime's prediction on the stored artifact for each id. */
let want: Map<string, number>;

beforeAll(async () => {
  proxy = await startTestProxy({ workers: 1 });
  c = await proxy.client();
  direct = await proxy.direct({ types: { getTypeParser: () => (v: string) => v } });
  // Values with what COPY text escapes, NULLs, and every kind of column the binary set holds.
  await c.query(`CREATE TABLE wb_src AS
    SELECT g::int8 AS id, (g % 17)::float8 + g / 1e5 AS x, (g % 5)::float8 AS z,
           CASE WHEN g % 9 = 0 THEN NULL ELSE 'r' || g || E'\\t\\\\ \\n é' END AS t,
           (g / 7.0)::numeric AS n, timestamptz '2024-01-01 00:00+00' + g * interval '13 minutes' AS ts,
           g % 3 = 0 AS b, jsonb_build_object('g', g) AS j, md5(g::text)::uuid AS u, decode(md5(g::text), 'hex') AS by,
           date '2020-01-01' + g % 900 AS d, (g % 11)::int2 AS s, g::int4 AS i, (g / 3.0)::float4 AS r,
           ('v' || g)::varchar(20) AS v, g * interval '1 second' AS iv,
           (2 * (g % 17) - (g % 5) + 1)::float8 AS y
      FROM generate_series(1, ${ROWS}) g`);
  await c.query(`CREATE MODEL wb FROM (SELECT x, z, y FROM wb_src WHERE id <= 2000) TARGET y FUNCTION wb_fn AUTO OFF MODEL_TYPE XGBOOST
    OBJECTIVE 'reg:squarederror' HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '10', MAX_DEPTH '4')`);
  await c.query('WAIT FOR MODEL wb');
  const session = await storedModelSession(proxy, 'wb');
  const r = await direct.query({ text: 'SELECT id, x, z FROM wb_src ORDER BY id', rowMode: 'array' });
  const rows = r.rows as string[][];
  const [a, b] = session.inputNames;
  const out = await session.run({
    [a]: new ort.Tensor('float32', Float32Array.from(rows, (row) => Math.fround(Number(row[1]))), [rows.length, 1]),
    [b]: new ort.Tensor('float32', Float32Array.from(rows, (row) => Math.fround(Number(row[2]))), [rows.length, 1]),
  });
  const values = out[session.outputNames[0]].data as Float32Array;
  want = new Map(rows.map((row, i) => [row[0], values[i]]));
  expect(new Set(values).size).toBeGreaterThan(10);
}, 180_000);

afterAll(async () => {
  await proxy?.close();
});

/** Rows of `table` not equal to PostgreSQL's own `SELECT columns FROM wb_src`, either way (0: the same rows). */
async function differences(table: string, columns: string): Promise<number> {
  const r = await direct.query(`SELECT count(*)::int AS n FROM (
    (SELECT ${columns} FROM ${table} EXCEPT ALL SELECT ${columns} FROM wb_src)
    UNION ALL (SELECT ${columns} FROM wb_src EXCEPT ALL SELECT ${columns} FROM ${table})) d`);
  return Number(r.rows[0].n);
}

async function predicted(table: string): Promise<Map<string, number>> {
  const r = await c.query(`SELECT id::text AS id, p FROM ${table}`);
  return new Map(r.rows.map((row: { id: string; p: number }) => [row.id, row.p]));
}

const COLUMNS = 'id, t, n, ts, b, j, u, by, d, s, i, r, v';

test('every column of a binary type: values as PostgreSQL inserts them, predictions as onnxruntime', async () => {
  await c.query(`CREATE TABLE wb_out AS SELECT ${COLUMNS}, 0::float8 AS p FROM wb_src LIMIT 0`);
  const r = await c.query(`INSERT INTO wb_out SELECT ${COLUMNS}, wb_fn(x, z) FROM wb_src`);
  expect(r.rowCount).toBe(ROWS);
  expect(await differences('wb_out', COLUMNS)).toBe(0);
  expect(await predicted('wb_out')).toEqual(want);
  // The same values as the streamed SELECT gives the client, in text.
  const streamed = await c.query('SELECT id::text AS id, wb_fn(x, z) AS p FROM wb_src');
  expect(new Map(streamed.rows.map((row: { id: string; p: number }) => [row.id, row.p]))).toEqual(want);
});

test('a column outside the binary set (interval): every batch in COPY text, the same values', async () => {
  await c.query('CREATE TABLE wb_text_out AS SELECT id, t, iv, 0::float8 AS p FROM wb_src LIMIT 0');
  await c.query('INSERT INTO wb_text_out SELECT id, t, iv, wb_fn(x, z) FROM wb_src');
  expect(await differences('wb_text_out', 'id, t, iv')).toBe(0);
  expect(await predicted('wb_text_out')).toEqual(want);
});

test('a column list and columns in another order', async () => {
  await c.query('CREATE TABLE wb_cols (p float8, extra text DEFAULT $$x$$, id int8, ts timestamptz)');
  await c.query('INSERT INTO wb_cols (id, p, ts) SELECT id, wb_fn(x, z), ts FROM wb_src');
  expect(await differences('wb_cols', 'id, ts')).toBe(0);
  expect(await predicted('wb_cols')).toEqual(want);
  expect(Number((await direct.query("SELECT count(*) AS n FROM wb_cols WHERE extra = 'x'")).rows[0].n)).toBe(ROWS);
});
