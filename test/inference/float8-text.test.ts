import { afterAll, beforeAll, expect, test } from 'vitest';
import ort from 'onnxruntime-node';
import type pg from 'pg';
import { float8Text, writeFloat8Text } from '../../src/protocol/float8-text.ts';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { storedModelSession } from '../support/stored-model.ts';
import { seededRandom } from '../fuzz/seeded-random.ts';

/*
 * The proxy writes predictions (float32 values of float8 results) as text itself. The reference is
 * PostgreSQL's own float8out of the same double, for random float32 bit patterns, values around
 * every place where the way of formatting changes, and random doubles; then end to end, the text a
 * scoring query and a write-back give for onnxruntime's predictions on the stored artifact.
 */

let proxy: TestProxy;
let direct: pg.Client;

beforeAll(async () => {
  proxy = await startTestProxy({ workers: 1 });
  direct = await proxy.direct();
}, 120_000);
afterAll(async () => {
  await proxy.close();
});

/** PostgreSQL's text of each double (sent as JavaScript's round-trip text, which float8in reads back exactly). */
async function postgresText(values: readonly number[]): Promise<string[]> {
  const text = (v: number) => (Object.is(v, -0) ? '-0' : String(v));
  const r = await direct.query({ text: 'SELECT v::text FROM unnest($1::float8[]) WITH ORDINALITY AS u(v, i) ORDER BY i', values: [values.map(text)], rowMode: 'array' });
  return r.rows.map((row) => row[0] as string);
}

async function expectPostgresText(values: number[]): Promise<void> {
  const expected = await postgresText(values);
  const out = Buffer.alloc(32);
  const mismatches = values.flatMap((v, i) => {
    const mine = float8Text(v);
    const written = out.toString('latin1', 0, writeFloat8Text(out, 0, v));
    return mine === expected[i] && written === mine ? [] : [{ v, mine, written, postgres: expected[i] }];
  });
  expect(mismatches.slice(0, 10)).toEqual([]);
}

const rng = seededRandom(20261201);
const random = () => rng.next();
const float32 = new Float32Array(1);
const float32Bits = new Uint32Array(float32.buffer);
const float64 = new Float64Array(1);
const float64Words = new Uint32Array(float64.buffer);

test('random float32 values, every exponent: PostgreSQL\'s float8 text', async () => {
  const values: number[] = [];
  for (let i = 0; i < 60_000; i++) {
    float32Bits[0] = Math.floor(random() * 2 ** 32) >>> 0;
    values.push(float32[0]);
  }
  await expectPostgresText(values);
});

test('float32 values of predictions\' usual sizes, near 2^-10, 10^-4, 10^15 and 2^53, and special values', async () => {
  const values: number[] = [0, -0, NaN, Infinity, -Infinity, 1, -1, 0.5, 0.1, 0.3, 1e-4, 1e14, 1e15, 1e16, 2 ** 53, 2 ** 24 + 2];
  for (let i = 0; i < 30_000; i++) values.push(Math.fround((random() - 0.3) * 10 ** Math.floor(random() * 8 - 3)));
  for (const edge of [2 ** -10, 1e-4, 1e-5, 1e14, 1e15, 2 ** 53, 2 ** 24, 1, 10, 100, 0.001]) {
    // The 200 float32 values either side of it.
    float32[0] = edge;
    const at = float32Bits[0];
    for (let k = -200; k <= 200; k++) {
      float32Bits[0] = (at + k) >>> 0;
      values.push(float32[0], -float32[0]);
    }
  }
  // Exact powers of two: the gap below is half the gap above.
  for (let e = -30; e <= 60; e++) values.push(2 ** e, Math.fround(2 ** e * 1.5));
  await expectPostgresText(values);
});

test('random doubles (not float32 values): PostgreSQL\'s float8 text', async () => {
  const values: number[] = [Number.MIN_VALUE, Number.MAX_VALUE, 2.2250738585072014e-308, 0.1 + 0.2, 1 / 3, 123456789012345680000];
  for (let i = 0; i < 20_000; i++) {
    float64Words[0] = Math.floor(random() * 2 ** 32) >>> 0;
    float64Words[1] = Math.floor(random() * 2 ** 32) >>> 0;
    if (Number.isFinite(float64[0])) values.push(float64[0]);
  }
  await expectPostgresText(values);
});

test('a scoring query and a write-back through the proxy: PostgreSQL\'s text of onnxruntime\'s predictions', async () => {
  const c = await proxy.client();
  await c.query(`CREATE TABLE ft AS
    SELECT g AS id, ((g % 17) * 0.37 - 2)::float8 AS a, ((g % 11) * -1.25 + g / 1000.0)::float8 AS b,
           ((g % 17) * 0.37 * 3.0 - (g % 11) * 0.5 + 0.25)::float8 AS y
      FROM generate_series(1, 400) g`);
  await c.query('CREATE MODEL ft FROM (SELECT a, b, y FROM ft) TARGET y FUNCTION ft_fn AUTO OFF MODEL_TYPE LINEAR_LEARNER');
  await c.query('WAIT FOR MODEL ft');
  const model = await storedModelSession(proxy, 'ft');
  const inputs = await direct.query('SELECT id, a, b FROM ft ORDER BY id');
  const column = (k: 'a' | 'b') => new Float32Array(inputs.rows.map((r) => Number(r[k])));
  const n = inputs.rows.length;
  const out = await model.run({ [model.inputNames[0]]: new ort.Tensor('float32', column('a'), [n, 1]), [model.inputNames[1]]: new ort.Tensor('float32', column('b'), [n, 1]) });
  await model.release();
  const predicted = Array.from(out[model.outputNames[0]].data as Float32Array);
  const expected = await postgresText(predicted);

  // The text as it came over the wire (pg would parse float8 into a number).
  const asText = { getTypeParser: () => (text: string) => text } as unknown as pg.CustomTypesConfig;
  const scored = await c.query({ text: 'SELECT id, ft_fn(a, b) FROM ft ORDER BY id', rowMode: 'array', types: asText });
  expect(scored.rows.map((r) => r[1])).toEqual(expected);

  await c.query('CREATE TABLE ft_out (id int4, p float8)');
  const inserted = await c.query('INSERT INTO ft_out SELECT id, ft_fn(a, b) FROM ft');
  expect(inserted.rowCount).toBe(n);
  const stored = await direct.query({ text: 'SELECT p::text FROM ft_out ORDER BY id', rowMode: 'array' });
  expect(stored.rows.map((r) => r[0])).toEqual(expected);
}, 120_000);
