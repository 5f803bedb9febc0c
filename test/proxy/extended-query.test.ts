import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { databaseOf, names, RawClient, rowValues, type Received } from '../support/raw-client.ts';

/** pg's `binary` option (results in binary format) is missing from @types/pg's ClientConfig. */
const BINARY = { binary: true } as pg.ClientConfig;

let proxy: TestProxy;
let upstreamPort: number;
const raws: RawClient[] = [];

beforeAll(async () => {
  proxy = await startTestProxy();
  upstreamPort = Number(new URL(proxy.upstreamUrl).port);
});
afterAll(async () => {
  raws.forEach((r) => r.destroy());
  await proxy.close();
});

async function rawProxy(): Promise<RawClient> {
  const c = await RawClient.ready(proxy.port, { database: databaseOf(proxy.url) });
  raws.push(c);
  return c;
}

async function rawDirect(): Promise<RawClient> {
  const c = await RawClient.ready(upstreamPort, { database: databaseOf(proxy.url) });
  raws.push(c);
  return c;
}

/** Sends the same bytes through the proxy and straight to PostgreSQL; returns both answers. */
async function both(bytes: Buffer, groups: number): Promise<{ viaProxy: Received[][]; direct: Received[][] }> {
  const run = async (c: RawClient) => {
    c.write(bytes);
    const out: Received[][] = [];
    for (let i = 0; i < groups; i++) out.push(await c.readUntilReady());
    return out;
  };
  return { viaProxy: await run(await rawProxy()), direct: await run(await rawDirect()) };
}

/** Parse (unnamed) + Bind + Describe portal + Execute + Sync: one round of pg's extended query. */
function group(text: string, values: Array<string | null> = [], rows = 0): Buffer {
  return Buffer.concat([
    serialize.parse({ text }),
    serialize.bind({ values }),
    serialize.describe({ type: 'P' }),
    serialize.execute({ rows }),
    serialize.sync(),
  ]);
}

function dataRows(messages: readonly Received[]): unknown[][] {
  return messages.filter((m) => m.name === 'dataRow').map((m) => m.fields as unknown[]);
}

describe('extended query protocol through the proxy', () => {
  test('parameters $1..$n in text and binary (Buffer → bytea) come back as sent', async () => {
    const c = await proxy.client();
    const bytes = Buffer.from([0, 1, 2, 0x7f, 0x80, 0xfe, 0xff]);
    const r = await c.query(
      'select $1::int4 + $2::int4 as sum, $3::text as t, $4::bytea as b, $5::text is null as n, length($4::bytea) as len',
      [40, 2, 'héllo \'quoted\' "x"', bytes, null],
    );
    expect(r.rows).toEqual([{ sum: 42, t: 'héllo \'quoted\' "x"', b: bytes, n: true, len: 7 }]);
  });

  test('a named prepared statement is parsed once and reused with different values', async () => {
    const c = await proxy.client();
    const text = 'select $1::int8 * 3 as tripled, $2::text || $1::text as tag';
    for (let i = 0; i < 60; i++) {
      const r = await c.query({ name: 'q1', text, values: [i, `k${i}-`] });
      expect(r.rows).toEqual([{ tripled: String(i * 3), tag: `k${i}-${i}` }]);
    }
    // PostgreSQL itself holds the one statement pg prepared.
    const ps = await c.query("select name, statement from pg_prepared_statements where name = 'q1'");
    expect(ps.rows).toEqual([{ name: 'q1', statement: text }]);
  });

  test('pg with binary: true: int8, float8, timestamptz, bool decode to the same values as a direct session', async () => {
    const sql =
      "select 9007199254740993::int8 as big, 4294967296::int8 as two32, 2.5::float8 as pi, " +
      "'2000-01-01 00:00:01+00'::timestamptz as tstz, " +
      "true as yes, $1::int4 as p";
    const viaProxy = await proxy.client(BINARY);
    const r = await viaProxy.query(sql, [7]);
    expect(r.fields.map((f) => f.format)).toEqual(Array(6).fill('binary'));
    const direct = await proxy.direct(BINARY);
    expect((await direct.query(sql, [7])).rows).toEqual(r.rows);
    const row = r.rows[0];
    expect(row.big).toBe('9007199254740993');
    expect(row.two32).toBe('4294967296');
    expect(row.pi).toBe(2.5);
    // (pg's binary decoders see each value as UTF-8 text, so only values without bytes >= 0x80
    // decode right; those are chosen here, and the exact bytes are checked in the next test.)
    expect((row.tstz as Date).getTime()).toBe(Date.UTC(2000, 0, 1, 0, 0, 1));
    expect(row.yes).toBe(true);
    expect(row.p).toBe(7);
  });

  test('binary results arrive byte-exact: int8, float8, timestamp read from the raw column bytes', async () => {
    // pg decodes every DataRow value as UTF-8 text, even in binary mode (so its binary int8 and
    // float8 values are lossy, direct or not); the raw client reads the exact bytes instead.
    const c = await rawProxy();
    c.write([
      serialize.parse({
        text:
          "select -12345::int8 as neg, 9223372036854775807::int8 as max, 3.141592653589793::float8 as pi, " +
          "'-Infinity'::float8 as ninf, '2000-01-02 00:00:01.000002'::timestamp as ts, $1::bytea as b, null::int8 as n",
      }),
      serialize.bind({ values: [Buffer.from([0xff, 0x00, 0x80])], binary: true }),
      serialize.describe({ type: 'P' }),
      serialize.execute(),
      serialize.sync(),
    ]);
    const answers = await c.readUntilReady();
    expect(names(answers)).toEqual(['parseComplete', 'bindComplete', 'rowDescription', 'dataRow', 'commandComplete', 'readyForQuery']);
    expect((answers[2].fields as Array<{ format: string }>).map((f) => f.format)).toEqual(Array(7).fill('binary'));
    const [neg, max, pi, ninf, ts, b, n] = rowValues(answers[3].body);
    expect(neg?.readBigInt64BE()).toBe(-12345n);
    expect(max?.readBigInt64BE()).toBe(9223372036854775807n);
    expect(pi?.readDoubleBE()).toBe(Math.PI);
    expect(ninf?.readDoubleBE()).toBe(-Infinity);
    // timestamp: int64 microseconds since 2000-01-01 00:00:00.
    expect(ts?.readBigInt64BE()).toBe(86_401_000_002n);
    expect(b).toEqual(Buffer.from([0xff, 0x00, 0x80]));
    expect(n).toBeNull();
  });

  test('several Parse/Bind/Describe/Execute/Sync groups in one write are each answered, in order', async () => {
    const c = await rawProxy();
    c.write([
      serialize.parse({ name: 'pipe_s1', text: 'select $1::int + 1 as n' }),
      serialize.bind({ statement: 'pipe_s1', values: ['41'] }),
      serialize.describe({ type: 'P' }),
      serialize.execute(),
      serialize.sync(),
      group('select g as g, g * g as sq from generate_series(1, 3) g'),
      serialize.bind({ statement: 'pipe_s1', values: ['99'] }),
      serialize.execute(),
      serialize.sync(),
      group("select 'three'::text as word"),
      group('select 1 where false'),
    ]);
    const g1 = await c.readUntilReady();
    expect(names(g1)).toEqual(['parseComplete', 'bindComplete', 'rowDescription', 'dataRow', 'commandComplete', 'readyForQuery']);
    expect(dataRows(g1)).toEqual([['42']]);
    expect((g1[2].fields as Array<{ name: string }>).map((f) => f.name)).toEqual(['n']);

    const g2 = await c.readUntilReady();
    expect(dataRows(g2)).toEqual([
      ['1', '1'],
      ['2', '4'],
      ['3', '9'],
    ]);
    expect(g2.find((m) => m.name === 'commandComplete')?.text).toBe('SELECT 3');

    const g3 = await c.readUntilReady();
    expect(names(g3)).toEqual(['bindComplete', 'dataRow', 'commandComplete', 'readyForQuery']);
    expect(dataRows(g3)).toEqual([['100']]);

    const g4 = await c.readUntilReady();
    expect(dataRows(g4)).toEqual([['three']]);

    const g5 = await c.readUntilReady();
    expect(names(g5)).toEqual(['parseComplete', 'bindComplete', 'rowDescription', 'commandComplete', 'readyForQuery']);
    expect(g5[3].text).toBe('SELECT 0');
    expect(g5[4].status).toBe('I');
  });

  test('an error mid-pipeline skips only to the next Sync; the following group works', async () => {
    const bytes = Buffer.concat([
      group('select 1 as ok'),
      // This group fails at Execute; the Parse/Bind/Execute after it, before the Sync, are skipped.
      serialize.parse({ text: 'select 1 / (g - $1::int) as boom from generate_series(1, 1) g' }),
      serialize.bind({ values: ['1'] }),
      serialize.execute(),
      serialize.parse({ name: 'never_parsed', text: 'select 2' }),
      serialize.bind({ statement: 'never_parsed' }),
      serialize.execute(),
      serialize.sync(),
      group('select 3 as after'),
      // The statement of the failed group was never created.
      serialize.bind({ statement: 'never_parsed' }),
      serialize.execute(),
      serialize.sync(),
      group('select 4 as last'),
    ]);
    const { viaProxy, direct } = await both(bytes, 5);
    const [ok, failed, after, missing, last] = viaProxy;
    expect(dataRows(ok)).toEqual([['1']]);
    expect(names(failed)).toEqual(['parseComplete', 'bindComplete', 'error', 'readyForQuery']);
    expect(failed[2].code).toBe('22012');
    expect(names(after)).toEqual(['parseComplete', 'bindComplete', 'rowDescription', 'dataRow', 'commandComplete', 'readyForQuery']);
    expect(dataRows(after)).toEqual([['3']]);
    expect(names(missing)).toEqual(['error', 'readyForQuery']);
    expect(missing[0].code).toBe('26000');
    expect(dataRows(last)).toEqual([['4']]);
    expect(viaProxy).toEqual(direct);
  });

  test('an error inside an explicit transaction in a pipeline aborts it until ROLLBACK, as PostgreSQL does', async () => {
    const bytes = Buffer.concat([
      group('begin'),
      group('select 1 / 0'),
      group('select 1'),
      group('rollback'),
      group('select 5 as five'),
    ]);
    const { viaProxy, direct } = await both(bytes, 5);
    expect(viaProxy.map((g) => g[g.length - 1].status)).toEqual(['T', 'E', 'E', 'I', 'I']);
    expect(viaProxy[1].find((m) => m.name === 'error')?.code).toBe('22012');
    expect(viaProxy[2].find((m) => m.name === 'error')?.code).toBe('25P02');
    expect(dataRows(viaProxy[4])).toEqual([['5']]);
    expect(viaProxy).toEqual(direct);
  });

  test('Describe of a statement gives ParameterDescription and RowDescription (or NoData)', async () => {
    const c = await rawProxy();
    c.write([
      serialize.parse({ name: 'desc_s', text: 'select $1::int4 as a, $2::text as b, $3::float8 as c' }),
      serialize.describe({ type: 'S', name: 'desc_s' }),
      serialize.parse({ name: 'desc_none', text: 'set application_name = default' }),
      serialize.describe({ type: 'S', name: 'desc_none' }),
      serialize.sync(),
    ]);
    const answers = await c.readUntilReady();
    expect(names(answers)).toEqual([
      'parseComplete',
      'parameterDescription',
      'rowDescription',
      'parseComplete',
      'parameterDescription',
      'noData',
      'readyForQuery',
    ]);
    expect(answers[1].dataTypeIDs).toEqual([23, 25, 701]);
    const fields = answers[2].fields as Array<{ name: string; dataTypeID: number; format: string }>;
    expect(fields.map((f) => [f.name, f.dataTypeID, f.format])).toEqual([
      ['a', 23, 'text'],
      ['b', 25, 'text'],
      ['c', 701, 'text'],
    ]);
    expect(answers[4].dataTypeIDs).toEqual([]);
  });

  test('Close of a statement and of a portal: CloseComplete, and they are gone', async () => {
    const bytes = Buffer.concat([
      serialize.parse({ name: 'close_s', text: 'select 11 as x' }),
      serialize.close({ type: 'S', name: 'close_s' }),
      serialize.sync(),
      serialize.bind({ statement: 'close_s' }),
      serialize.sync(),
      serialize.parse({ name: 'close_s2', text: 'select 12 as y' }),
      serialize.bind({ statement: 'close_s2', portal: 'close_p' }),
      serialize.close({ type: 'P', name: 'close_p' }),
      serialize.execute({ portal: 'close_p' }),
      serialize.sync(),
      // Closing what does not exist is not an error.
      serialize.close({ type: 'S', name: 'no_such_statement' }),
      serialize.close({ type: 'P', name: 'no_such_portal' }),
      serialize.bind({ statement: 'close_s2', portal: 'close_p' }),
      serialize.execute({ portal: 'close_p' }),
      serialize.sync(),
    ]);
    const { viaProxy, direct } = await both(bytes, 4);
    expect(names(viaProxy[0])).toEqual(['parseComplete', 'closeComplete', 'readyForQuery']);
    expect(names(viaProxy[1])).toEqual(['error', 'readyForQuery']);
    expect(viaProxy[1][0].code).toBe('26000');
    expect(names(viaProxy[2])).toEqual(['parseComplete', 'bindComplete', 'closeComplete', 'error', 'readyForQuery']);
    expect(viaProxy[2][3].code).toBe('34000');
    expect(names(viaProxy[3])).toEqual(['closeComplete', 'closeComplete', 'bindComplete', 'dataRow', 'commandComplete', 'readyForQuery']);
    expect(dataRows(viaProxy[3])).toEqual([['12']]);
    expect(viaProxy).toEqual(direct);
  });

  test('Execute with a row limit suspends the portal; later Executes continue where it stopped', async () => {
    const c = await rawProxy();
    c.write([
      serialize.parse({ text: 'select g from generate_series(1, 5) g' }),
      serialize.bind({ portal: 'susp' }),
      serialize.execute({ portal: 'susp', rows: 2 }),
      serialize.flush(),
    ]);
    const first = await c.readUntil((m) => m.name === 'portalSuspended');
    expect(names(first)).toEqual(['parseComplete', 'bindComplete', 'dataRow', 'dataRow', 'portalSuspended']);
    expect(dataRows(first)).toEqual([['1'], ['2']]);

    c.write([serialize.execute({ portal: 'susp', rows: 2 }), serialize.flush()]);
    const second = await c.readUntil((m) => m.name === 'portalSuspended');
    expect(dataRows(second)).toEqual([['3'], ['4']]);

    c.write([serialize.execute({ portal: 'susp', rows: 2 }), serialize.sync()]);
    const rest = await c.readUntilReady();
    expect(names(rest)).toEqual(['dataRow', 'commandComplete', 'readyForQuery']);
    expect(dataRows(rest)).toEqual([['5']]);

    // The portal ended with the implicit transaction at Sync.
    c.write([serialize.execute({ portal: 'susp' }), serialize.sync()]);
    const gone = await c.readUntilReady();
    expect(gone[0].code).toBe('34000');
  });

  test('pg with a row limit per Execute (rows: 3) drives portal suspension and gets every row', async () => {
    const c = await proxy.client();
    // pg sends Execute(rows) + Flush and asks for more on each PortalSuspended.
    const config = { text: 'select g, md5(g::text) as h from generate_series(1, 10) g where g > $1', values: [0], rows: 3 };
    const r = await c.query(config as unknown as pg.QueryConfig<number[]>);
    expect(r.rows.map((row) => row.g)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const direct = await proxy.direct();
    expect((await direct.query("select md5('10') as h")).rows[0].h).toBe(r.rows[9].h);
    expect((await c.query('select 1 as still_ok')).rows).toEqual([{ still_ok: 1 }]);
  });
});
