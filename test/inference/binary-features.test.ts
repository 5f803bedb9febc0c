import ort from 'onnxruntime-node';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { binaryFloat32Column, binaryFloat64Column } from '../../src/inference/binary-feature-decoding.ts';
import { float32Column, indexLeadingColumns } from '../../src/inference/feature-decoding.ts';
import { featureSelectExpression } from '../../src/snapshot/feature-select-expression.ts';
import { waitForModel } from '../support/models.ts';
import { RawClient, type Received } from '../support/raw-client.ts';
import { storedModelSession } from '../support/stored-model.ts';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';

/**
 * The model's inputs read from PostgreSQL's binary (the streamed and written-back paths) are the
 * numbers the text path reads from PostgreSQL's text, for every feature type, and predictions on
 * every path equal onnxruntime's on the stored artifact fed from PostgreSQL's text.
 */

let proxy: TestProxy;
let c: pg.Client;

beforeAll(async () => {
  proxy = await startTestProxy({ workers: 1 });
  c = await proxy.client();
}, 120_000);

afterAll(async () => {
  await proxy?.close();
});

/** Values of each feature type, with the edges: extremes, NULL, NaN, infinities, tiny and huge. */
const VALUES: Record<string, string[]> = {
  int2: ['0', '1', '-1', '32767', '-32768', '12345'],
  int4: ['0', '-2147483648', '2147483647', '16777217', '-16777219', '7'],
  int8: ['0', '9223372036854775807', '-9223372036854775808', '9007199254740993', '-9007199254740995', '16777217', '123456789012345678'],
  float4: ['0', '-0', '0.1', '1e-45', '1.17549435e-38', '3.4028235e+38', '-3.4028235e+38', 'NaN', 'Infinity', '-Infinity', '16777217', '1.5', '-2.75e-10'],
  float8: ['0', '-0', '0.1', '5e-324', '2.2250738585072014e-308', '1.7976931348623157e+308', '-1e300', 'NaN', 'Infinity', '-Infinity', '1.0000000596046448', '3.4028235677973366e+38', '1e39', '-1e-50'],
  numeric: [
    '0', '-0.000', '0.1', '1.5', '-2.75', '12345678901234567890', '0.00000000000000000000000000000000000001', '1e300', '-1e-300',
    '1.00000005960464477539062', '3.40282356779733661637539395458142568448e38', '123456.789012345678901234', 'NaN', 'Infinity', '-Infinity',
    '1700000000.123456', '99999999999999999999999999999.9999',
  ],
  bool: ['true', 'false'],
  date: ['2024-02-29', '1970-01-01', '0001-01-01', '4713-01-01 BC', '294276-12-31', 'infinity', '-infinity'],
  timestamp: ['2024-02-29 13:45:56.123456', '1970-01-01 00:00:00', '0001-01-01 00:00:00', '294276-12-31 23:59:59.999999', 'infinity', '-infinity'],
  timestamptz: ['2024-02-29 13:45:56.123456+05:30', '1970-01-01 00:00:00+00', '1900-06-01 12:00:00-08', 'infinity', '-infinity'],
  time: ['00:00:00', '13:45:56.123456', '23:59:59.999999', '24:00:00'],
};

/** One column of DataRow bodies from PostgreSQL directly, in text (0) or binary (1). */
async function dataRows(raw: RawClient, sql: string, format: 0 | 1): Promise<Received[]> {
  raw.write([serialize.parse({ text: sql }), serialize.bind({ binary: format === 1 }), serialize.execute(), serialize.sync()]);
  const messages = await raw.readUntilReady();
  const error = messages.find((m) => m.name === 'error');
  if (error) throw new Error(`${sql}: ${String(error.message)}`);
  return messages.filter((m) => m.name === 'dataRow');
}

describe('inputs from binary are the numbers the text path reads', () => {
  test.each(Object.keys(VALUES))('%s, and NULL', async (type) => {
    const upstream = new URL(proxy.upstreamUrl);
    const raw = await RawClient.ready(Number(upstream.port), { database: upstream.pathname.slice(1) });
    try {
      const literals = [...VALUES[type].map((v) => `('${v}')`), '(NULL)'].join(', ');
      // As the streamed statement selects an argument: cast to the parameter type, dates as epoch seconds.
      const sql = `SELECT ${featureSelectExpression(`(x)::${type}`, type)} FROM (VALUES ${literals}) AS v(x)`;
      const text = (await dataRows(raw, sql, 0)).map((m) => m.body);
      const binary = (await dataRows(raw, sql, 1)).map((m) => m.body);
      const texts = text.map((body) => (body.readInt32BE(2) < 0 ? null : body.toString('utf8', 6)));
      const temporal = ['date', 'time', 'timestamp', 'timestamptz'].includes(type);
      const typeOid = (await c.query(`SELECT pg_typeof(${featureSelectExpression(`(NULL)::${type}`, type)})::oid::int AS oid`)).rows[0].oid as number;
      // The reference: predictBatch's reading of PostgreSQL's text.
      const number = (t: string | null) => (t === null ? NaN : t === 't' ? 1 : t === 'f' ? 0 : Number(t));
      const want = temporal ? Float64Array.from(texts, number) : Float32Array.from(texts, (t) => Math.fround(number(t)));
      const fromBinary = temporal
        ? binaryFloat64Column(indexLeadingColumns(binary, 1), 0, typeOid)
        : binaryFloat32Column(indexLeadingColumns(binary, 1), 0, typeOid);
      const same = (got: ArrayLike<number>) => texts.map((t, i) => ({ text: t, value: Object.is(got[i], want[i]) ? 'same' : got[i] }));
      expect(same(fromBinary)).toEqual(texts.map((t) => ({ text: t, value: 'same' })));
      if (!temporal) expect(same(float32Column(indexLeadingColumns(text, 1), 0))).toEqual(texts.map((t) => ({ text: t, value: 'same' })));
    } finally {
      raw.end();
    }
  });

  test('random float8, float4, int8 and numeric values', async () => {
    const upstream = new URL(proxy.upstreamUrl);
    const raw = await RawClient.ready(Number(upstream.port), { database: upstream.pathname.slice(1) });
    try {
      for (const type of ['float8', 'float4', 'int8', 'numeric']) {
        // Scales from 1e-40 to 1e40; numeric with up to 30 digits after the point.
        const value =
          type === 'int8'
            ? `(hashint8(g) >> (g % 60)::int)`
            : type === 'numeric'
              ? `round(((hashint8(g) % 1000000000000)::numeric * 10::numeric ^ ((g % 60) - 30)), (g % 31)::int)`
              : type === 'float4'
                ? `(hashint8(g)::float8 * 10::float8 ^ ((g % 50) - 45))`
                : `(hashint8(g)::float8 * 10::float8 ^ ((g % 80) - 60))`;
        const sql = `SELECT (${value})::${type} FROM generate_series(1, 20000) g`;
        const text = (await dataRows(raw, sql, 0)).map((m) => m.body);
        const binary = (await dataRows(raw, sql, 1)).map((m) => m.body);
        const oid = { float8: 701, float4: 700, int8: 20, numeric: 1700 }[type]!;
        const fromText = float32Column(indexLeadingColumns(text, 1), 0);
        const fromBinary = binaryFloat32Column(indexLeadingColumns(binary, 1), 0, oid);
        const differing = fromText.findIndex((v, i) => !Object.is(v, fromBinary[i]));
        expect({ type, differing, text: differing < 0 ? null : text[differing].toString('utf8', 6) }).toEqual({ type, differing: -1, text: null });
        if (type === 'numeric') {
          // Epoch seconds are numeric: read as float64 they must be Number() of the text exactly.
          const f64 = binaryFloat64Column(indexLeadingColumns(binary, 1), 0, oid);
          const off = text.findIndex((body, i) => !Object.is(Number(body.toString('utf8', 6)), f64[i]));
          expect(off).toBe(-1);
        }
      }
    } finally {
      raw.end();
    }
  });
});

describe('predictions on every path equal onnxruntime on the stored artifact', () => {
  const FEATURES = ['small int2', 'whole int4', 'big int8', 'real float4', 'dbl float8', 'num numeric', 'flag bool', 'cat varchar', 'day date', 'ts timestamp', 'tstz timestamptz', 'tod time'];
  const names = FEATURES.map((f) => f.split(' ')[0]);
  const args = names.join(', ');

  beforeAll(async () => {
    await c.query('CREATE SCHEMA bf');
    await c.query(`CREATE TABLE bf.train AS
      SELECT (g % 7 - 3)::int2 AS small, (g % 101)::int4 AS whole, (g * 7919 % 100003)::int8 AS big, (g % 13 / 3.0)::float4 AS real,
             (g % 17 / 7.0)::float8 AS dbl, (g % 11 / 4.0)::numeric AS num, (g % 2 = 0) AS flag, ('c' || g % 4)::varchar AS cat,
             (date '2024-01-01' + g % 400) AS day, (timestamp '2024-01-01' + g * interval '97 minutes') AS ts,
             (timestamptz '2024-01-01 00:00+00' + g * interval '53 minutes') AS tstz, (time '00:00' + g * interval '7 minutes') AS tod,
             ((g % 7) * 2 + (g % 101) / 10.0 + (g % 13) / 3.0 + (g % 2) * 5 + (g % 4) + (g % 400) / 100.0 + (g * 7 % 1440) / 300.0)::float8 AS y
        FROM generate_series(0, 3000) g`);
    await c.query(
      `CREATE MODEL bf.typed FROM bf.train TARGET y FUNCTION typed_fn AUTO OFF MODEL_TYPE XGBOOST
       OBJECTIVE 'reg:squarederror' HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '20', MAX_DEPTH '4')`,
    );
    expect((await waitForModel(c, 'bf.typed')).get('Model State')).toBe('READY');
    // Ordinary rows, then a row of edges for each feature (the others at an ordinary value), then all NULL.
    await c.query(`CREATE TABLE bf.probe AS SELECT row_number() OVER () AS id, * FROM (
      SELECT ${args} FROM bf.train WHERE y IS NOT NULL LIMIT 200) s`);
    const edges: Record<string, string[]> = {
      small: VALUES.int2, whole: VALUES.int4, big: VALUES.int8, real: VALUES.float4, dbl: VALUES.float8,
      num: VALUES.numeric.filter((v) => !v.includes('e300') && !v.startsWith('9999')), flag: VALUES.bool, cat: ['c1', 'c9', '', 'é', 'c1 '],
      day: VALUES.date, ts: VALUES.timestamp, tstz: VALUES.timestamptz, tod: VALUES.time,
    };
    let id = 1000;
    for (const [f, type] of FEATURES.map((x) => x.split(' '))) {
      for (const v of edges[f]) {
        await c.query(`INSERT INTO bf.probe SELECT ${id++}, ${names.map((n) => (n === f ? `$1::${type}` : n)).join(', ')} FROM bf.probe WHERE id = 1`, [v]);
      }
    }
    await c.query(`INSERT INTO bf.probe (id) VALUES (${id})`);
    await c.query('CREATE TABLE bf.out (id int8, p float8)');
  }, 180_000);

  /** onnxruntime on the stored artifact, fed as predictBatch would from PostgreSQL's own text. */
  async function reference(): Promise<Map<string, number>> {
    const direct = await proxy.direct({ types: { getTypeParser: () => (v: string) => v } });
    const select = FEATURES.map((f) => {
      const [n, type] = f.split(' ');
      return featureSelectExpression(n, type);
    });
    const r = await direct.query({ text: `SELECT id::text, ${select.join(', ')} FROM bf.probe ORDER BY id`, rowMode: 'array' });
    const rows = r.rows as Array<Array<string | null>>;
    const session = await storedModelSession(proxy, 'typed');
    const number = (t: string | null) => (t === null ? NaN : t === 't' ? 1 : t === 'f' ? 0 : Number(t));
    const feeds: Record<string, ort.Tensor> = {};
    FEATURES.forEach((f, j) => {
      const type = f.split(' ')[1];
      const column = rows.map((row) => row[j + 1]);
      const dims = [rows.length, 1];
      feeds[session.inputNames[j]] =
        type === 'varchar'
          ? new ort.Tensor('string', column.map((v) => v ?? ''), dims)
          : ['date', 'time', 'timestamp', 'timestamptz'].includes(type)
            ? new ort.Tensor('float64', Float64Array.from(column, number), dims)
            : new ort.Tensor('float32', Float32Array.from(column, (v) => Math.fround(number(v))), dims);
    });
    const out = (await session.run(feeds)).variable.data as Float32Array;
    return new Map(rows.map((row, i) => [row[0]!, out[i]]));
  }

  const asMap = (rows: Array<{ id: string; p: number }>) => new Map(rows.map((r) => [String(r.id), r.p]));

  test('streamed in text and in binary, written back, and materialized (text inputs)', async () => {
    const want = await reference();
    expect(want.size).toBeGreaterThan(250);
    const streamed = await c.query(`SELECT id, typed_fn(${args}) AS p FROM bf.probe`);
    expect(asMap(streamed.rows)).toEqual(want);
    // Every column in binary (node-postgres reads binary floats as text first: a raw client).
    const raw = await RawClient.ready(proxy.port, { database: new URL(proxy.url).pathname.slice(1) });
    try {
      const rows = await dataRows(raw, `SELECT id, typed_fn(${args}) AS p FROM bf.probe`, 1);
      const values = rows.map((m) => ({ id: String(m.body.readBigInt64BE(6)), p: m.body.readDoubleBE(18) }));
      expect(asMap(values)).toEqual(want);
    } finally {
      raw.end();
    }
    await c.query(`INSERT INTO bf.out SELECT id, typed_fn(${args}) FROM bf.probe`);
    expect(asMap((await c.query('SELECT id, p FROM bf.out')).rows)).toEqual(want);
    // Not a whole select-list item: materialized, its inputs read from PostgreSQL's text.
    const materialized = await c.query(`SELECT id, typed_fn(${args}) + 0 AS p FROM bf.probe`);
    expect(asMap(materialized.rows)).toEqual(want);
  });
});
