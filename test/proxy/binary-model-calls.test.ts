import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { databaseOf, names, RawClient, rowValues, type Received } from '../support/raw-client.ts';

/*
 * Binary formats on statements the proxy answers itself. The reference for every binary value is
 * PostgreSQL's own binary output (typsend) of the value the same query returns in text, read byte
 * for byte with a raw protocol client straight to PostgreSQL; jsonb, whose text the proxy writes
 * as the model gave it, is compared as JSON after its version byte.
 */

/** pg's `binary` option (results in binary format) is missing from @types/pg's ClientConfig. */
const BINARY = { binary: true } as pg.ClientConfig;
const OID = { bool: 16, int8: 20, int4: 23, text: 25, float4: 700, float8: 701, jsonb: 3802, timestamptz: 1184 } as const;

let proxy: TestProxy;
let c: pg.Client;
let direct: RawClient;
const raws: RawClient[] = [];

beforeAll(async () => {
  proxy = await startTestProxy({ workers: 1 });
  c = await proxy.client();
  await c.query(`CREATE TABLE bp AS
    SELECT g AS id, (g % 3) * 10 + ((g * 7919) % 100) / 100.0 AS a, (g % 3) * -8 + ((g * 104729) % 100) / 100.0 AS b,
           (ARRAY['low', 'mid', 'high'])[g % 3 + 1] AS label, g % 3 = 0 AS flag, (g % 3) * 7 AS cls,
           ((g % 3) * 20 - (g % 7))::float8 AS y
      FROM generate_series(1, 300) g`);
  const linear = 'AUTO OFF MODEL_TYPE LINEAR_LEARNER';
  await c.query(`CREATE MODEL b_reg FROM (SELECT a, b, y FROM bp) TARGET y FUNCTION b_reg_fn ${linear}`);
  await c.query(`CREATE MODEL b_label FROM (SELECT a, b, label FROM bp) TARGET label FUNCTION b_label_fn ${linear}`);
  await c.query(`CREATE MODEL b_flag FROM (SELECT a, b, flag FROM bp) TARGET flag FUNCTION b_flag_fn ${linear}`);
  await c.query(`CREATE MODEL b_cls FROM (SELECT a, b, cls FROM bp) TARGET cls FUNCTION b_cls_fn ${linear} PROBLEM_TYPE MULTICLASS_CLASSIFICATION`);
  await c.query(
    `CREATE MODEL b_km FROM (SELECT a, b FROM bp) FUNCTION b_km_fn AUTO OFF MODEL_TYPE KMEANS HYPERPARAMETERS DEFAULT EXCEPT (K '3')`,
  );
  for (const m of ['b_reg', 'b_label', 'b_flag', 'b_cls', 'b_km']) await c.query(`WAIT FOR MODEL ${m}`);
  const upstream = new URL(proxy.upstreamUrl);
  direct = await RawClient.ready(Number(upstream.port), { database: databaseOf(proxy.upstreamUrl) });
  raws.push(direct);
}, 300_000);
afterAll(async () => {
  raws.forEach((r) => r.destroy());
  await proxy.close();
});

async function rawProxy(): Promise<RawClient> {
  const r = await RawClient.ready(proxy.port, { database: databaseOf(proxy.url) });
  raws.push(r);
  return r;
}

/** Bind, built by hand: parameter format codes follow the values (Buffer = binary), then result codes. */
function bind(values: Array<string | Buffer | null>, resultFormats: number[], statement = ''): Buffer {
  const parts: Buffer[] = [];
  const int16 = (n: number) => {
    const b = Buffer.alloc(2);
    b.writeInt16BE(n);
    parts.push(b);
  };
  const int32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    parts.push(b);
  };
  parts.push(Buffer.from(`\0${statement}\0`));
  int16(values.length);
  for (const v of values) int16(Buffer.isBuffer(v) ? 1 : 0);
  int16(values.length);
  for (const v of values) {
    if (v === null) int32(-1);
    else {
      const bytes = Buffer.isBuffer(v) ? v : Buffer.from(v);
      int32(bytes.length);
      parts.push(bytes);
    }
  }
  int16(resultFormats.length);
  for (const f of resultFormats) int16(f);
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(5);
  head[0] = 0x42; // B
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

/** Parse, Bind, Describe portal, Execute, Sync; the answers. */
async function run(client: RawClient, text: string, values: Array<string | Buffer | null>, resultFormats: number[]): Promise<Received[]> {
  client.write([serialize.parse({ text }), bind(values, resultFormats), serialize.describe({ type: 'P' }), serialize.execute(), serialize.sync()]);
  return client.readUntilReady();
}

function rowsOf(answers: readonly Received[]): Array<Array<Buffer | null>> {
  return answers.filter((m) => m.name === 'dataRow').map((m) => rowValues(m.body));
}

function fieldsOf(answers: readonly Received[]): Array<{ name: string; dataTypeID: number; format: string }> {
  return answers.find((m) => m.name === 'rowDescription')!.fields as Array<{ name: string; dataTypeID: number; format: string }>;
}

/** How each model call was evaluated, from the proxy's DEBUG notices ("... (streamed), version 1"). */
function evaluators(answers: readonly Received[]): string[] {
  return answers.flatMap((m) => (m.name === 'notice' ? [/\((streamed|materialized|written back)\)/.exec(String(m.message))?.[1] ?? ''] : [])).filter(Boolean);
}

/** PostgreSQL's binary output of each text value read as `type` (null stays null). */
async function postgresBinary(type: string, texts: ReadonlyArray<string | null>): Promise<Array<Buffer | null>> {
  const literal = `{${texts.map((t) => (t === null ? 'NULL' : `"${t.replace(/[\\"]/g, (ch) => `\\${ch}`)}"`)).join(',')}}`;
  const answers = await run(direct, `SELECT x::${type} FROM unnest($1::text[]) WITH ORDINALITY AS u(x, n) ORDER BY n`, [literal], [1]);
  const error = answers.find((m) => m.name === 'error');
  if (error) throw new Error(String(error.message));
  return rowsOf(answers).map((r) => r[0]);
}

/** The column of rows as text, from a text-format query through the proxy. */
async function textColumns(sql: string, params: unknown[] = []): Promise<Array<Array<string | null>>> {
  const r = await c.query({ text: sql, values: params, rowMode: 'array', types: { getTypeParser: () => (v: string) => v } } as pg.QueryArrayConfig);
  return r.rows as Array<Array<string | null>>;
}

const STREAMED =
  'SELECT id, b_reg_fn(a, b) AS reg, b_label_fn(a, b) AS label, b_flag_fn(a, b) AS flag, ' +
  'b_cls_fn(a, b) AS cls, b_km_fn(a, b) AS km, b_label_fn_probabilities(a, b) AS probs, label AS truth FROM bp WHERE id <= $1 ORDER BY id';
const TYPES = ['int4', 'float8', 'text', 'bool', 'int4', 'int4', 'jsonb', 'text'];

describe('binary results of model calls', () => {
  test('streamed: every column in binary is PostgreSQL\'s binary of the value the text query returns', async () => {
    const texts = await textColumns(STREAMED, [120]);
    expect(texts).toHaveLength(120);
    const client = await rawProxy();
    await client.query('SET client_min_messages = debug1');
    const all = await run(client, STREAMED, ['120'], [1]);
    // onnxruntime answered every call, streaming: the proxy wrote their binary values itself.
    expect(evaluators(all)).toEqual(Array(6).fill('streamed'));
    const answers = all.filter((m) => m.name !== 'notice');
    expect(names(answers)).toEqual(['parseComplete', 'bindComplete', 'rowDescription', ...Array(120).fill('dataRow'), 'commandComplete', 'readyForQuery']);
    const fields = fieldsOf(answers);
    expect(fields.map((f) => f.format)).toEqual(Array(TYPES.length).fill('binary'));
    expect(fields.map((f) => f.dataTypeID)).toEqual([OID.int4, OID.float8, OID.text, OID.bool, OID.int4, OID.int4, OID.jsonb, OID.text]);
    const rows = rowsOf(answers);
    for (const [i, type] of TYPES.entries()) {
      const got = rows.map((r) => r[i]);
      if (type === 'jsonb') {
        for (const [r, value] of got.entries()) {
          expect(value![0]).toBe(1);
          expect(JSON.parse(value!.subarray(1).toString('utf8'))).toEqual(JSON.parse(texts[r][i]!));
        }
      } else {
        expect(got, `column ${fields[i].name}`).toEqual(await postgresBinary(type, texts.map((t) => t[i])));
      }
    }
    // The models discriminate: the comparison is not of constants.
    expect(new Set(texts.map((t) => t[2])).size).toBe(3);
    expect(new Set(texts.map((t) => t[4])).size).toBe(3);
    expect(new Set(texts.map((t) => t[5])).size).toBe(3);
  });

  test('per-column format codes: text and binary columns side by side, as RowDescription says', async () => {
    const sql = 'SELECT id, b_reg_fn(a, b) AS reg, label, b_cls_fn(a, b) AS cls FROM bp WHERE id <= 10 ORDER BY id';
    const texts = await textColumns(sql);
    const client = await rawProxy();
    const answers = await run(client, sql, [], [0, 1, 1, 0]);
    expect(fieldsOf(answers).map((f) => f.format)).toEqual(['text', 'binary', 'binary', 'text']);
    const rows = rowsOf(answers);
    expect(rows.map((r) => r[0]!.toString())).toEqual(texts.map((t) => t[0]));
    expect(rows.map((r) => r[1])).toEqual(await postgresBinary('float8', texts.map((t) => t[1])));
    expect(rows.map((r) => r[2]!.toString())).toEqual(texts.map((t) => t[2]));
    expect(rows.map((r) => r[3]!.toString())).toEqual(texts.map((t) => t[3]));
  });

  test('materialized (a call in WHERE and an aggregate): PostgreSQL writes the binary columns', async () => {
    const sql = "SELECT count(*) AS n, avg(b_reg_fn(a, b)) AS mean, b_label_fn(a, b) AS l FROM bp WHERE b_flag_fn(a, b) OR id > 0 GROUP BY 3 ORDER BY 3";
    const texts = await textColumns(sql);
    const client = await rawProxy();
    await client.query('SET client_min_messages = debug1');
    const answers = await run(client, sql, [], [1]);
    expect(new Set(evaluators(answers))).toEqual(new Set(['materialized']));
    expect(fieldsOf(answers).map((f) => f.format)).toEqual(['binary', 'binary', 'binary']);
    const rows = rowsOf(answers);
    expect(rows.map((r) => r[0])).toEqual(await postgresBinary('int8', texts.map((t) => t[0])));
    expect(rows.map((r) => r[1])).toEqual(await postgresBinary('float8', texts.map((t) => t[1])));
    expect(rows.map((r) => r[2]!.toString())).toEqual(texts.map((t) => t[2]));
  });

  test('binary parameters: integers, floats, text and a type the proxy leaves to PostgreSQL (int4range)', async () => {
    const sql = 'SELECT id, b_reg_fn(a, b) AS reg FROM bp WHERE id <= $1 AND a > $2::float8 AND label <> $3 AND id <@ $4::int4range ORDER BY id';
    const texts = await textColumns(sql, [200, 5.5, 'mid', '[50,150)']);
    expect(texts.length).toBeGreaterThan(10);
    const int4 = Buffer.alloc(4);
    int4.writeInt32BE(200);
    const float8 = Buffer.alloc(8);
    float8.writeDoubleBE(5.5);
    const range = rowsOf(await run(direct, "SELECT '[50,150)'::int4range", [], [1]))[0][0]!;
    const client = await rawProxy();
    // Parse leaves the types to PostgreSQL: the proxy learns them from its ParameterDescription.
    const answers = await run(client, sql, [int4, float8, Buffer.from('mid'), range], [0]);
    expect(answers.find((m) => m.name === 'error')).toBeUndefined();
    expect(rowsOf(answers).map((r) => r.map((v) => v!.toString()))).toEqual(texts);
  });

  test('binary parameters of an INSERT ... SELECT written back, and of a materialized statement', async () => {
    await c.query('CREATE TABLE bp_out (id int, p float8)');
    const int4 = Buffer.alloc(4);
    int4.writeInt32BE(30);
    const client = await rawProxy();
    const insert = await run(client, 'INSERT INTO bp_out SELECT id, b_reg_fn(a, b) FROM bp WHERE id <= $1', [int4], []);
    expect(insert.find((m) => m.name === 'commandComplete')?.text).toBe('INSERT 0 30');
    const written = await textColumns('SELECT id, p FROM bp_out ORDER BY id');
    expect(written).toEqual(await textColumns('SELECT id, b_reg_fn(a, b) FROM bp WHERE id <= 30 ORDER BY id'));
    const counted = await run(client, 'SELECT count(*) FROM bp WHERE b_cls_fn(a, b) = $1', [Buffer.from([0, 0, 0, 7])], [1]);
    const expected = await textColumns('SELECT count(*) FROM bp WHERE b_cls_fn(a, b) = 7');
    expect(rowsOf(counted)[0][0]!.readBigInt64BE()).toBe(BigInt(expected[0][0]!));
  });

  test('binary parameters of types Parse declares, NULL among them, are read at once', async () => {
    const sql = 'SELECT id, b_reg_fn(a, b) AS reg FROM bp WHERE id <= $1 AND ($2::float8 IS NULL OR a::float8 > $2) ORDER BY id';
    const client = await rawProxy();
    const int4 = Buffer.alloc(4);
    int4.writeInt32BE(12);
    client.write([
      serialize.parse({ name: 'typed', text: sql, types: [OID.int4, OID.float8] }),
      serialize.sync(),
    ]);
    await client.readUntilReady();
    client.write([bind([int4, null], [1], 'typed'), serialize.execute(), serialize.sync()]);
    const answers = await client.readUntilReady();
    expect(names(answers)).toEqual(['bindComplete', ...Array(12).fill('dataRow'), 'commandComplete', 'readyForQuery']);
    const texts = await textColumns('SELECT id, b_reg_fn(a, b) FROM bp WHERE id <= 12 ORDER BY id');
    const rows = rowsOf(answers);
    expect(rows.map((r) => r[0]!.readInt32BE())).toEqual(texts.map((t) => Number(t[0])));
    expect(rows.map((r) => r[1])).toEqual(await postgresBinary('float8', texts.map((t) => t[1])));
  });

  test('SELECT * beside a call (materialized): every column of the star, in text and in binary', async () => {
    const sql = 'SELECT *, b_label_fn(a, b) AS l FROM bp WHERE id <= 4 ORDER BY id';
    const texts = await textColumns(sql);
    // Streaming placed the call by select-list item, so the star's columns came out shifted.
    const [label] = (await textColumns('SELECT b_label_fn(a, b) FROM bp WHERE id = 1'))[0];
    expect(texts[0]).toEqual([...(await textColumns('SELECT * FROM bp WHERE id = 1'))[0], label]);
    const answers = await run(await rawProxy(), sql, [], [1]);
    expect(answers.find((m) => m.name === 'error')).toBeUndefined();
    const fields = fieldsOf(answers);
    expect(fields.map((f) => f.name)).toEqual(['id', 'a', 'b', 'label', 'flag', 'cls', 'y', 'l']);
    const rows = rowsOf(answers);
    expect(rows.map((r) => r[0]!.readInt32BE())).toEqual([1, 2, 3, 4]);
    expect(rows.map((r) => r[1])).toEqual(await postgresBinary('numeric', texts.map((t) => t[1])));
    expect(rows.map((r) => r[7]!.toString())).toEqual(texts.map((t) => t[7]));
  });

  test('Describe of statement and portal, before execution: types, and the portal\'s formats', async () => {
    const client = await rawProxy();
    client.write([
      serialize.parse({ name: 'bd', text: 'SELECT b_reg_fn(a, b) AS reg, b_label_fn(a, b), id FROM bp WHERE id = $1' }),
      serialize.describe({ type: 'S', name: 'bd' }),
      bind(['3'], [1, 0, 1], 'bd'),
      serialize.describe({ type: 'P' }),
      serialize.execute(),
      serialize.sync(),
    ]);
    const answers = await client.readUntilReady();
    expect(names(answers)).toEqual([
      'parseComplete',
      'parameterDescription',
      'rowDescription',
      'bindComplete',
      'rowDescription',
      'dataRow',
      'commandComplete',
      'readyForQuery',
    ]);
    expect(answers[1].dataTypeIDs).toEqual([OID.int4]);
    const statementFields = answers[2].fields as Array<{ name: string; dataTypeID: number; format: string }>;
    expect(statementFields.map((f) => [f.name, f.dataTypeID, f.format])).toEqual([
      ['reg', OID.float8, 'text'],
      ['b_label_fn', OID.text, 'text'],
      ['id', OID.int4, 'text'],
    ]);
    expect((answers[4].fields as Array<{ format: string }>).map((f) => f.format)).toEqual(['binary', 'text', 'binary']);
    const [reg, label, id] = rowValues(answers[5].body);
    const texts = await textColumns('SELECT b_reg_fn(a, b), b_label_fn(a, b) FROM bp WHERE id = 3');
    expect(reg).toEqual((await postgresBinary('float8', [texts[0][0]]))[0]);
    expect(label!.toString()).toBe(texts[0][1]);
    expect(id!.readInt32BE()).toBe(3);
  });

  test('result format codes that do not fit the columns are refused as PostgreSQL refuses them', async () => {
    const viaProxy = await run(await rawProxy(), 'SELECT id, b_reg_fn(a, b) FROM bp WHERE id = 1', [], [1, 0, 1]);
    const straight = await run(direct, 'SELECT id, 1.5::float8 FROM bp WHERE id = 1', [], [1, 0, 1]);
    const error = (m: Received[]) => m.find((x) => x.name === 'error') as { code?: string; message?: string } | undefined;
    expect(error(viaProxy)?.code).toBe('08P01');
    expect(error(viaProxy)?.message).toBe(error(straight)?.message);
    expect(names(viaProxy).at(-1)).toBe('readyForQuery');
  });

  test('parameter format codes that do not fit, and unknown codes, are refused as PostgreSQL refuses them', async () => {
    /** Bind of one text parameter '1' with the given parameter format codes and result codes. */
    const oddBind = (parameterFormats: number[], resultFormats: number[]) => {
      const body = Buffer.concat([
        Buffer.from('\0\0'),
        Buffer.from(Uint16Array.from([parameterFormats.length, ...parameterFormats]).buffer).swap16(),
        Buffer.from([0, 1, 0, 0, 0, 1, 0x31]),
        Buffer.from(Uint16Array.from([resultFormats.length, ...resultFormats]).buffer).swap16(),
      ]);
      const head = Buffer.alloc(5);
      head[0] = 0x42;
      head.writeInt32BE(body.length + 4, 1);
      return Buffer.concat([head, body]);
    };
    const error = (m: Received[]) => m.find((x) => x.name === 'error') as { code?: string; message?: string } | undefined;
    for (const [parameterFormats, resultFormats] of [[[0, 1], []], [[2], []], [[0], [3]]]) {
      const answers = async (client: RawClient, text: string) => {
        client.write([serialize.parse({ text }), oddBind(parameterFormats, resultFormats), serialize.execute(), serialize.sync()]);
        return client.readUntilReady();
      };
      const viaProxy = await answers(await rawProxy(), 'SELECT b_reg_fn(a, b) FROM bp WHERE id = $1');
      const straight = await answers(direct, 'SELECT 1.5::float8 FROM bp WHERE id = $1');
      expect(error(viaProxy), JSON.stringify([parameterFormats, resultFormats])).toMatchObject({
        code: error(straight)?.code,
        message: error(straight)?.message,
      });
    }
  });

  test('node-postgres with binary: true reads model calls as it reads them in text', async () => {
    const sql = 'SELECT id, b_label_fn(a, b) AS label, b_flag_fn(a, b) AS flag, b_cls_fn(a, b) AS cls, b_km_fn(a, b) AS km FROM bp WHERE id <= $1 ORDER BY id';
    const binary = await proxy.client(BINARY);
    const viaBinary = await binary.query(sql, [60]);
    expect(viaBinary.fields.map((f) => f.format)).toEqual(Array(5).fill('binary'));
    // (pg reads binary values as UTF-8 text before decoding them, see extended-query.test.ts:
    // small integers, bools and ASCII text survive that; floats are compared byte for byte above.)
    expect(viaBinary.rows).toEqual((await c.query(sql, [60])).rows);
    const probs = await binary.query({
      text: 'SELECT b_label_fn_probabilities(a, b) AS p FROM bp WHERE id <= 5 ORDER BY id',
      queryMode: 'extended',
    } as pg.QueryConfig);
    expect(probs.fields[0].format).toBe('binary');
    const probsText = await c.query('SELECT b_label_fn_probabilities(a, b) AS p FROM bp WHERE id <= 5 ORDER BY id');
    // pg has no binary jsonb decoder: it hands over the version byte and the text.
    expect(probs.rows.map((r) => JSON.parse((r.p as string).slice(1)))).toEqual(probsText.rows.map((r) => r.p));
  });
});

describe('binary results of ML statements', () => {
  test('SHOW MODEL with node-postgres binary: true is the text answer', async () => {
    const binary = await proxy.client(BINARY);
    const viaBinary = await binary.query({ text: 'SHOW MODEL b_reg', queryMode: 'extended' } as pg.QueryConfig);
    expect(viaBinary.fields.map((f) => f.format)).toEqual(['binary', 'binary']);
    expect(viaBinary.rows).toEqual((await c.query('SHOW MODEL b_reg')).rows);
    expect(viaBinary.rows.length).toBeGreaterThan(5);
  });

  test('SHOW MODEL VERSIONS in binary: int4, bool, timestamptz, int8, float8 as PostgreSQL writes them', async () => {
    const sql = 'SHOW MODEL b_reg VERSIONS';
    const texts = await textColumns(sql);
    const answers = await run(await rawProxy(), sql, [], [1]);
    const fields = fieldsOf(answers);
    expect(fields.every((f) => f.format === 'binary')).toBe(true);
    const rows = rowsOf(answers);
    expect(rows).toHaveLength(texts.length);
    const typeNames = new Map<number, string>([
      [OID.int4, 'int4'], [OID.text, 'text'], [OID.bool, 'bool'], [OID.timestamptz, 'timestamptz'], [OID.int8, 'int8'], [OID.float8, 'float8'],
    ]);
    for (const [i, f] of fields.entries()) {
      // The session's TimeZone (the same on both connections) reads the timestamptz text.
      expect(rows.map((r) => r[i]), f.name).toEqual(await postgresBinary(typeNames.get(f.dataTypeID)!, texts.map((t) => t[i])));
    }
    expect(texts[0][5]).toMatch(/^\d{4}-/);
  });

  test('EVALUATE MODEL in binary: float8 values and jsonb details', async () => {
    const sql = 'EVALUATE MODEL b_reg FROM bp';
    const texts = await textColumns(sql);
    expect(texts.length).toBeGreaterThan(0);
    const answers = await run(await rawProxy(), sql, [], [1]);
    expect(fieldsOf(answers).map((f) => f.dataTypeID)).toEqual([OID.text, OID.float8, OID.jsonb]);
    const rows = rowsOf(answers);
    expect(rows.map((r) => r[0]!.toString())).toEqual(texts.map((t) => t[0]));
    expect(rows.map((r) => r[1])).toEqual(await postgresBinary('float8', texts.map((t) => t[1])));
    rows.forEach((r, i) => {
      if (texts[i][2] === null) return expect(r[2]).toBeNull();
      expect(r[2]![0]).toBe(1);
      expect(JSON.parse(r[2]!.subarray(1).toString())).toEqual(JSON.parse(texts[i][2]!));
    });
  });

  test('a DateStyle the proxy does not read: PostgreSQL encodes the timestamptz values', async () => {
    const client = await rawProxy();
    await client.query("SET DateStyle = 'SQL, DMY'; SET TimeZone = 'Europe/Paris'");
    const answers = await run(client, 'SHOW MODEL b_reg VERSIONS', [], [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    expect(answers.find((m) => m.name === 'error')).toBeUndefined();
    const created = rowsOf(answers)[0][5]!;
    const texts = await textColumns("SELECT v.created_at::text FROM modelgres.model_version v JOIN modelgres.model m USING (model_id) WHERE m.model_name = 'b_reg' AND v.version = 1");
    expect(created).toEqual((await postgresBinary('timestamptz', [texts[0][0]]))[0]);
  });
});
