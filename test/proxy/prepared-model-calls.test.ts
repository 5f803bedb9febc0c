import { afterAll, beforeAll, expect, test } from 'vitest';
import type ort from 'onnxruntime-node';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { storedModelSession } from '../support/stored-model.ts';
import { databaseOf, names, RawClient, rowValues, type Received } from '../support/raw-client.ts';

/*
 * A prepared statement calling a model, executed again and again with a Describe of the portal at
 * every call (as pgbench -M prepared and libpq's PQsendQueryPrepared do). The proxy asks PostgreSQL
 * for the statement's columns once, as PostgreSQL fixes them at Parse, and answers later Describes
 * itself. References: PostgreSQL's own answers to the same statement (the model function's
 * compiled body evaluates it there), and onnxruntime on the stored artifact for the predictions.
 */

const INT4 = 23;
let proxy: TestProxy;
let admin: pg.Client;
let model: ort.InferenceSession;
const raws: RawClient[] = [];

beforeAll(async () => {
  proxy = await startTestProxy({ workers: 1 });
  admin = await proxy.client();
  await admin.query(`CREATE TABLE pm AS
    SELECT g AS id, ((g % 13) * 0.75)::float8 AS a, ((g % 7) * -1.5 + g / 100.0)::float8 AS b, ((g % 13) * 2.0 - (g % 7))::float8 AS y
      FROM generate_series(1, 200) g`);
  await admin.query('CREATE TABLE pmt AS SELECT id, a, b FROM pm');
  await admin.query('CREATE MODEL pm FROM (SELECT a, b, y FROM pm) TARGET y FUNCTION pm_fn AUTO OFF MODEL_TYPE LINEAR_LEARNER');
  await admin.query('WAIT FOR MODEL pm');
  model = await storedModelSession(proxy, 'pm');
}, 300_000);

afterAll(async () => {
  raws.forEach((r) => r.destroy());
  await model?.release();
  await proxy.close();
});

async function raw(port: number, url: string): Promise<RawClient> {
  const r = await RawClient.ready(port, { database: databaseOf(url) });
  raws.push(r);
  return r;
}
const viaProxy = () => raw(proxy.port, proxy.url);
const direct = () => raw(Number(new URL(proxy.upstreamUrl).port), proxy.upstreamUrl);

/** Parse of a named statement, then Sync. */
async function prepare(c: RawClient, name: string, text: string): Promise<void> {
  c.write([serialize.parse({ name, text, types: [INT4] }), serialize.sync()]);
  expect(names(await c.readUntilReady())).toEqual(['parseComplete', 'readyForQuery']);
}

/** What pgbench -M prepared sends for each call. */
function call(name: string, id: number): Buffer[] {
  return [serialize.bind({ statement: name, values: [String(id)] }), serialize.describe({ type: 'P' }), serialize.execute(), serialize.sync()];
}

async function predicted(ids: number[]): Promise<Map<number, number>> {
  const rows = await admin.query({ text: 'SELECT id, a, b FROM pm WHERE id = ANY($1) ORDER BY id', values: [ids] });
  const column = (k: 'a' | 'b') => new Float32Array(rows.rows.map((r) => Number(r[k])));
  const { Tensor } = await import('onnxruntime-node');
  const feeds = Object.fromEntries(model.inputNames.map((n, j) => [n, new Tensor('float32', column(j === 0 ? 'a' : 'b'), [rows.rows.length, 1])]));
  const out = await model.run(feeds);
  const values = out[model.outputNames[0]].data as Float32Array;
  return new Map(rows.rows.map((r, i) => [Number(r.id), values[i]]));
}

function bodyOf(messages: readonly Received[], name: string): Buffer {
  const m = messages.find((x) => x.name === name);
  if (!m) throw new Error(`no ${name} in ${names(messages).join(', ')}`);
  return m.body;
}

test('Bind, Describe, Execute, Sync again and again: PostgreSQL\'s own columns every time, onnxruntime\'s predictions', async () => {
  const text = 'SELECT id, pm_fn(a, b) FROM pm WHERE id = $1';
  const [p, d] = [await viaProxy(), await direct()];
  await prepare(p, 's1', text);
  await prepare(d, 's1', text);
  const ids = [3, 17, 42, 99, 150, 200, 3];
  const expected = await predicted(ids);
  // All calls in one write, as a pipelining client sends them: each answered in order.
  p.write(ids.flatMap((id) => call('s1', id)));
  d.write(ids.flatMap((id) => call('s1', id)));
  for (const id of ids) {
    const [mine, theirs] = [await p.readUntilReady(), await d.readUntilReady()];
    expect(names(mine)).toEqual(['bindComplete', 'rowDescription', 'dataRow', 'commandComplete', 'readyForQuery']);
    expect(names(theirs)).toEqual(names(mine));
    expect(bodyOf(mine, 'rowDescription')).toEqual(bodyOf(theirs, 'rowDescription'));
    const [gotId, value] = rowValues(bodyOf(mine, 'dataRow'));
    expect(gotId?.toString()).toBe(String(id));
    expect(Number(value?.toString())).toBe(expected.get(id));
    expect(bodyOf(mine, 'commandComplete')).toEqual(bodyOf(theirs, 'commandComplete'));
  }
});

test('a column type changed after the columns were described: PostgreSQL\'s 0A000 "cached plan must not change result type", no rows', async () => {
  const text = 'SELECT id, pm_fn(a, b) FROM pmt WHERE id = $1';
  const [p, d] = [await viaProxy(), await direct()];
  await prepare(p, 's2', text);
  await prepare(d, 's2', text);
  for (const c of [p, d]) {
    c.write(call('s2', 5));
    expect(names(await c.readUntilReady())).toContain('dataRow');
  }
  await admin.query('ALTER TABLE pmt ALTER COLUMN id TYPE int8');
  const answers: Received[][] = [];
  for (const c of [p, d]) {
    c.write(call('s2', 5));
    answers.push(await c.readUntilReady());
  }
  const [mine, theirs] = answers;
  const error = (ms: Received[]) => ms.find((m) => m.name === 'error') as Received & { code: string; message: string };
  expect(error(theirs).code).toBe('0A000');
  expect({ code: error(mine).code, message: error(mine).message }).toEqual({ code: error(theirs).code, message: error(theirs).message });
  expect(names(mine)).not.toContain('dataRow');
  // The session goes on: a new statement of the same text answers with the new column type.
  await prepare(p, 's3', text);
  p.write(call('s3', 5));
  const again = await p.readUntilReady();
  expect(names(again)).toEqual(['bindComplete', 'rowDescription', 'dataRow', 'commandComplete', 'readyForQuery']);
  expect(rowValues(bodyOf(again, 'dataRow'))[0]?.toString()).toBe('5');
});

test('Describe in a failed transaction: PostgreSQL\'s own error, as when it is asked directly', async () => {
  const text = 'SELECT id, pm_fn(a, b) FROM pm WHERE id = $1';
  const answers: Received[][] = [];
  for (const c of [await viaProxy(), await direct()]) {
    await prepare(c, 's4', text);
    c.write(call('s4', 1));
    await c.readUntilReady();
    await c.query('BEGIN');
    await c.query('SELECT 1 / 0');
    c.write([serialize.describe({ type: 'S', name: 's4' }), serialize.sync()]);
    answers.push(await c.readUntilReady());
    await c.query('ROLLBACK');
  }
  const [mine, theirs] = answers;
  expect(names(mine)).toEqual(names(theirs));
  const error = (ms: Received[]) => ms.find((m) => m.name === 'error') as Received & { code: string };
  expect(error(mine).code).toBe(error(theirs).code);
});
