import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type pg from 'pg';
import { serialize } from 'pg-protocol';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { databaseOf, RawClient, rowValues, type Received } from '../support/raw-client.ts';
import { tempModelDir, writeModel } from '../artifacts/support/onnx-files.ts';
import { argmaxClassifier, regressor } from '../artifacts/support/test-models.ts';

/*
 * The return types an imported model may declare, streamed in binary: each value must be
 * PostgreSQL's own binary output (typsend) of the value the same query returns in text, read
 * byte for byte straight from PostgreSQL. The regressor is y = 2a - b + 0.5c + 3 in float32, so
 * integer inputs with even c give integers, which every integer type can hold.
 */

let proxy: TestProxy;
let c: pg.Client;
let direct: RawClient;
const raws: RawClient[] = [];

/** The regressor's float32 output as each of these; the classifier's int64 label as each integer type. */
const FLOAT_RETURNS = ['float4', 'float8', 'numeric', 'text', 'varchar'] as const;
const LABEL_RETURNS = ['int2', 'int4', 'int8'] as const;

beforeAll(async () => {
  const dir = await tempModelDir();
  await writeModel(dir, 'regressor.onnx', regressor());
  await writeModel(dir, 'argmax.onnx', argmaxClassifier());
  proxy = await startTestProxy({ modelDir: dir });
  c = await proxy.client();
  for (const type of FLOAT_RETURNS) {
    await c.query(`CREATE MODEL r_${type} FROM 'regressor.onnx' FUNCTION r_${type}_fn (float8, float8, float8) RETURNS ${type}`);
  }
  for (const type of LABEL_RETURNS) {
    await c.query(`CREATE MODEL l_${type} FROM 'argmax.onnx' FUNCTION l_${type}_fn (float8, float8) RETURNS ${type}`);
  }
  await c.query(`CREATE TABLE ri AS SELECT g AS id, (g % 9)::float8 AS a, (g % 4)::float8 AS b, (2 * (g % 3))::float8 AS c FROM generate_series(1, 40) g`);
  const upstream = new URL(proxy.upstreamUrl);
  direct = await RawClient.ready(Number(upstream.port), { database: databaseOf(proxy.upstreamUrl) });
  raws.push(direct);
});
afterAll(async () => {
  raws.forEach((r) => r.destroy());
  await proxy.close();
});

/** Parse, Bind (no parameters, the given result codes), Describe portal, Execute, Sync. */
async function run(client: RawClient, text: string, resultFormats: number[], values: string[] = []): Promise<Received[]> {
  const codes = Buffer.alloc(2 + 2 * resultFormats.length);
  codes.writeInt16BE(resultFormats.length);
  resultFormats.forEach((f, i) => codes.writeInt16BE(f, 2 + 2 * i));
  const params = Buffer.concat(
    values.map((v) => {
      const b = Buffer.alloc(4);
      b.writeInt32BE(Buffer.byteLength(v));
      return Buffer.concat([b, Buffer.from(v)]);
    }),
  );
  const count = Buffer.alloc(2);
  count.writeInt16BE(values.length);
  const body = Buffer.concat([Buffer.from('\0\0'), Buffer.from([0, 0]), count, params, codes]);
  const head = Buffer.alloc(5);
  head[0] = 0x42; // Bind
  head.writeInt32BE(body.length + 4, 1);
  client.write([serialize.parse({ text }), Buffer.concat([head, body]), serialize.describe({ type: 'P' }), serialize.execute(), serialize.sync()]);
  const answers = await client.readUntilReady();
  const error = answers.find((m) => m.name === 'error');
  if (error) throw new Error(String(error.message));
  return answers;
}

const types = () => [...FLOAT_RETURNS, ...LABEL_RETURNS];

function column(answers: readonly Received[], i: number): Array<Buffer | null> {
  return answers.filter((m) => m.name === 'dataRow').map((m) => rowValues(m.body)[i]);
}

describe('binary results of every return type an imported model declares', () => {
  test('float4, float8, numeric, text, varchar of a regression, int2, int4, int8 of a class label, as PostgreSQL writes them', async () => {
    const calls = [
      ...FLOAT_RETURNS.map((type) => `r_${type}_fn(a, b, c) AS ${type}`),
      ...LABEL_RETURNS.map((type) => `l_${type}_fn(a - 4, b - 1) AS ${type}`),
    ];
    const sql = `SELECT id, ${calls.join(', ')} FROM ri ORDER BY id`;
    const text = (await c.query({ text: sql, rowMode: 'array', types: { getTypeParser: () => (v: string) => v } } as pg.QueryArrayConfig))
      .rows as string[][];
    const client = await RawClient.ready(proxy.port, { database: databaseOf(proxy.url) });
    raws.push(client);
    await client.query('SET client_min_messages = debug1');
    const answers = await run(client, sql, [1]);
    // onnxruntime answered, streaming: the proxy wrote the binary predictions itself.
    const evaluators = answers.filter((m) => m.name === 'notice').map((m) => String(m.message));
    expect(evaluators.filter((m) => m.includes('(streamed)'))).toHaveLength(types().length);
    for (const [k, type] of types().entries()) {
      const values = text.map((row) => row[k + 1]);
      const literal = `{${values.map((v) => `"${v}"`).join(',')}}`;
      const reference = await run(direct, `SELECT x::${type} FROM unnest($1::text[]) WITH ORDINALITY AS u(x, n) ORDER BY n`, [1], [literal]);
      expect(column(answers, k + 1), type).toEqual(column(reference, 0));
    }
    // The values vary, so the comparison is not of one constant.
    expect(new Set(text.map((row) => row[1])).size).toBeGreaterThan(10);
    expect(new Set(text.map((row) => row[FLOAT_RETURNS.length + 1])).size).toBeGreaterThan(1);
  });
});
