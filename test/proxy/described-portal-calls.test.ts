import { afterAll, beforeAll, expect, test } from 'vitest';
import ort from 'onnxruntime-node';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { storedModelSession } from '../support/stored-model.ts';
import { databaseOf, names, RawClient, rowValues, type Received } from '../support/raw-client.ts';

/*
 * A named statement calling a model, bound, described and executed again and again as
 * pgbench -M prepared and JDBC do: the proxy answers each Describe of a portal itself (its
 * RowDescription kept per format codes) and sends PostgreSQL the same Bind and Execute of its kept
 * statement for every call without parameters. Each call's RowDescription says the formats its
 * Bind asked for, and its value is onnxruntime's on the stored artifact, in text or in binary.
 */

const FLOAT8 = 701;

let proxy: TestProxy;
let c: pg.Client;
let reference: ort.InferenceSession;
const raws: RawClient[] = [];

beforeAll(async () => {
  proxy = await startTestProxy({ workers: 1 });
  c = await proxy.client();
  await c.query(`CREATE TABLE dp AS
    SELECT g AS id, (g % 5) * 1.5 + ((g * 7919) % 100) / 100.0 AS a, (g % 3) * -2 + ((g * 104729) % 100) / 100.0 AS b,
           ((g % 5) * 3 - (g % 3) * 2 + ((g * 31) % 10) / 10.0)::float8 AS y
      FROM generate_series(1, 300) g`);
  await c.query('CREATE MODEL dp_model FROM (SELECT a, b, y FROM dp) TARGET y FUNCTION dp_fn AUTO OFF MODEL_TYPE LINEAR_LEARNER');
  await c.query('WAIT FOR MODEL dp_model');
  reference = await storedModelSession(proxy, 'dp_model');
}, 300_000);
afterAll(async () => {
  raws.forEach((r) => r.destroy());
  await reference?.release();
  await c?.end();
  await proxy.close();
});

/** onnxruntime's prediction for one row (a, b) on the stored artifact, as a float8. */
async function expected(a: number, b: number): Promise<number> {
  const feeds: Record<string, ort.Tensor> = {};
  reference.inputNames.forEach((name, j) => (feeds[name] = new ort.Tensor('float32', Float32Array.of([a, b][j]), [1, 1])));
  const out = await reference.run(feeds);
  return (out.variable.data as Float32Array)[0];
}

/** Bind of statement `statement` to the unnamed portal, text parameters, then the result format codes. */
function bind(statement: string, values: string[], resultFormats: number[]): Buffer {
  const body: Buffer[] = [Buffer.from(`\0${statement}\0`)];
  const int16 = (n: number) => body.push(Buffer.from([(n >> 8) & 0xff, n & 0xff]));
  int16(0);
  int16(values.length);
  for (const v of values) {
    const bytes = Buffer.from(v);
    const length = Buffer.alloc(4);
    length.writeInt32BE(bytes.length);
    body.push(length, bytes);
  }
  int16(resultFormats.length);
  for (const f of resultFormats) int16(f);
  const joined = Buffer.concat(body);
  const head = Buffer.alloc(5);
  head[0] = 0x42; // B
  head.writeInt32BE(joined.length + 4, 1);
  return Buffer.concat([head, joined]);
}

/** One call: Bind, Describe portal, Execute, Sync; the answers. */
async function call(client: RawClient, statement: string, values: string[], resultFormats: number[]): Promise<Received[]> {
  client.write([bind(statement, values, resultFormats), serialize.describe({ type: 'P' }), serialize.execute(), serialize.sync()]);
  return client.readUntilReady();
}

/** The one value of a one-row answer, read as its RowDescription's format says. */
function valueOf(answers: readonly Received[]): { format: string; value: number } {
  const error = answers.find((m) => m.name === 'error');
  if (error) throw new Error(String(error.message));
  expect(names(answers)).toEqual(['bindComplete', 'rowDescription', 'dataRow', 'commandComplete', 'readyForQuery']);
  const [field] = answers.find((m) => m.name === 'rowDescription')!.fields as Array<{ dataTypeID: number; format: string }>;
  expect(field.dataTypeID).toBe(FLOAT8);
  const bytes = rowValues(answers.find((m) => m.name === 'dataRow')!.body)[0]!;
  return { format: field.format, value: field.format === 'binary' ? bytes.readDoubleBE(0) : Number(bytes.toString()) };
}

async function prepared(text: string): Promise<RawClient> {
  const client = await RawClient.ready(proxy.port, { database: databaseOf(proxy.url) });
  raws.push(client);
  client.write([serialize.parse({ name: 's', text }), serialize.sync()]);
  expect(names(await client.readUntilReady())).toEqual(['parseComplete', 'readyForQuery']);
  return client;
}

/** Format codes in turn: text, binary, text again, none (text), one for every column (binary). */
const FORMATS = [[0], [1], [0], [], [1], [1], [0]];

test('a statement without parameters: every call described in the formats its Bind asked for, with onnxruntime\'s value', async () => {
  const client = await prepared('SELECT dp_fn(2.25, -0.5) AS p');
  const want = await expected(2.25, -0.5);
  const got = [];
  for (const formats of FORMATS) got.push(valueOf(await call(client, 's', [], formats)));
  expect(got).toEqual(FORMATS.map((f) => ({ format: f[0] === 1 ? 'binary' : 'text', value: want })));
});

test('a statement with parameters: each call its own value, described as bound', async () => {
  const client = await prepared('SELECT dp_fn($1::float8, $2::float8) AS p');
  for (const [k, formats] of FORMATS.entries()) {
    const a = 0.5 + k * 1.25;
    const b = 1.5 - k * 0.75;
    expect(valueOf(await call(client, 's', [String(a), String(b)], formats))).toEqual({ format: formats[0] === 1 ? 'binary' : 'text', value: await expected(a, b) });
  }
});
