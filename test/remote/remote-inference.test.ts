import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type pg from 'pg';
import { freePort } from '../../src/util/free-port.ts';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { showModel } from '../support/models.ts';
import { pollUntil } from '../support/poll.ts';
import { cancelRequest, sendAndClose } from '../support/raw-client.ts';
import { startCsvEndpointServer, type CsvEndpointServer } from './csv-endpoint-server.ts';

let server: CsvEndpointServer;
let proxy: TestProxy;
let client: pg.Client;

const ROWS = 1200;
const SPECIAL = [
  [ROWS + 1, 'a,b'],
  [ROWS + 2, 'say "hi", twice'],
  [ROWS + 3, 'line one\nline two\r\n'],
  [ROWS + 4, ' padded '],
  [ROWS + 5, ''],
  [ROWS + 6, null],
] as const;

beforeAll(async () => {
  server = await startCsvEndpointServer();
  const endpoint = (path: string) => `${server.baseUrl}/${path}`;
  proxy = await startTestProxy({
    remoteEndpoints: {
      urls: new Map([
        ...['score', 'flaky', 'broken', 'slow', 'pair', 'bad'].map((name): [string, string] => [name, endpoint(name)]),
        ['refused', `http://127.0.0.1:${await freePort()}/`],
      ]),
      // Long enough that a loaded machine never times out a /score request (a retry would send its rows twice).
      timeoutMs: 4000,
    },
  });
  client = await proxy.client();
  await client.query(`CREATE TABLE t (id int PRIMARY KEY, x float8, s text)`);
  await client.query(`INSERT INTO t SELECT i, i * 0.25, repeat('z', i % 7) FROM generate_series(1, ${ROWS}) i`);
  for (const [id, s] of SPECIAL) await client.query('INSERT INTO t VALUES ($1, $2, $3)', [id, id * 0.5, s]);
  await client.query('INSERT INTO t VALUES ($1, NULL, $2)', [ROWS + 7, 'x']);
  for (const name of ['score', 'flaky', 'broken', 'slow']) {
    await client.query(`CREATE MODEL m_${name} FUNCTION f_${name} (float8, text) RETURNS float8 SAGEMAKER '${name}' IAM_ROLE default SETTINGS (MAX_BATCH_ROWS 500)`);
  }
  for (const name of ['bad', 'refused']) await client.query(`CREATE MODEL m_${name} FUNCTION f_${name} (float8, text) RETURNS float8 SAGEMAKER '${name}'`);
  await client.query(`CREATE MODEL m_pair FUNCTION f_pair (float8, text) RETURNS float8 SAGEMAKER 'pair' SETTINGS (MAX_BATCH_ROWS 300)`);
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await server?.close();
});

/** PostgreSQL's own x * 2 + length(s), the test server's formula: the reference. */
async function expected(where = 'true'): Promise<Array<[number, number | null]>> {
  const r = await client.query(`SELECT id, x * 2 + coalesce(length(s), 0) AS v FROM t WHERE ${where} ORDER BY id`);
  return r.rows.map((row) => [row.id as number, row.v as number | null]);
}

describe("CREATE MODEL ... SAGEMAKER 'endpoint' through modelgres", () => {
  test('values come back in row order across several batches; no request carries more than MAX_BATCH_ROWS rows', async () => {
    const before = server.requests.length;
    const r = await client.query('SELECT id, f_score(x, s) AS v FROM t ORDER BY id');
    expect(r.rows.map((row) => [row.id, row.v])).toEqual(await expected());
    const mine = server.requests.slice(before).filter((q) => q.path === '/score');
    expect(mine.length).toBeGreaterThanOrEqual(3);
    for (const q of mine) expect(q.rows.length).toBeLessThanOrEqual(500);
    expect(mine.reduce((n, q) => n + q.rows.length, 0)).toBe(ROWS + SPECIAL.length + 1);
  });

  test('text with commas, quotes, newlines and spaces is CSV-quoted: the server reads what PostgreSQL holds', async () => {
    const before = server.requests.length;
    await client.query(`SELECT id, f_score(x, s) FROM t WHERE id > ${ROWS}`);
    const sent = server.requests.slice(before).flatMap((q) => q.rows);
    const stored = await client.query(`SELECT x::text, s FROM t WHERE id > ${ROWS} ORDER BY id`);
    expect(sent.length).toBe(stored.rows.length);
    const byX = new Map(sent.map((row) => [row[0], row]));
    for (const row of stored.rows) {
      if (row.x === null) continue;
      // NULL and '' are both an empty field (SageMaker's CSV has no NULL).
      expect(byX.get(row.x)).toEqual([row.x, row.s ?? '']);
    }
  });

  test('NULL arguments: an empty field; an empty answer is NULL', async () => {
    const r = await client.query(`SELECT id, f_score(x, s) AS v FROM t WHERE id IN (${ROWS + 6}, ${ROWS + 7}) ORDER BY id`);
    expect(r.rows).toEqual([
      { id: ROWS + 6, v: (ROWS + 6) * 0.5 * 2 },
      { id: ROWS + 7, v: null },
    ]);
  });

  test('a call without rows and a call inside an expression (materialized) agree with PostgreSQL', async () => {
    const one = await client.query(`SELECT f_score(1.5, 'abc') AS v`);
    expect(one.rows[0].v).toBe(6);
    const r = await client.query('SELECT count(*)::int AS n FROM t WHERE f_score(x, s) > 100');
    const reference = await client.query('SELECT count(*)::int AS n FROM t WHERE x * 2 + coalesce(length(s), 0) > 100');
    expect(r.rows[0].n).toBe(reference.rows[0].n);
  });

  test('several requests in flight: /pair answers only when two requests wait at once', async () => {
    const r = await client.query('SELECT id, f_pair(x, s) AS v FROM t WHERE id <= 600 ORDER BY id');
    expect(r.rows.map((row) => [row.id, row.v])).toEqual(await expected('id <= 600'));
  });

  test('a 500 then success is retried', async () => {
    const r = await client.query(`SELECT id, f_flaky(x, s) AS v FROM t WHERE id <= 10 ORDER BY id`);
    expect(r.rows.map((row) => [row.id, row.v])).toEqual(await expected('id <= 10'));
  });

  test('a persistent 500: 58030 naming the endpoint and the HTTP status', async () => {
    const error = await client.query('SELECT f_broken(x, s) FROM t WHERE id <= 3').catch((e: unknown) => e as pg.DatabaseError);
    expect(error).toMatchObject({ code: '58030' });
    expect((error as pg.DatabaseError).message).toBe('remote endpoint "broken" answered HTTP 500, after 3 attempts');
    expect((error as pg.DatabaseError).detail).toContain('model container crashed');
    // The session goes on.
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  test('an endpoint that does not answer: 58030 naming the endpoint and the timeout', async () => {
    const error = await client.query('SELECT f_slow(x, s) FROM t WHERE id <= 3').catch((e: unknown) => e as pg.DatabaseError);
    expect(error).toMatchObject({ code: '58030' });
    expect((error as pg.DatabaseError).message).toBe('remote endpoint "slow" did not answer within 4000 ms (no HTTP status), after 3 attempts');
  });

  test('a 400 is not retried; a refused connection is, then named', async () => {
    const before = server.badRequests();
    const bad = await client.query('SELECT f_bad(x, s) FROM t WHERE id <= 3').catch((e: unknown) => e as pg.DatabaseError);
    expect(bad).toMatchObject({ code: '58030', message: 'remote endpoint "bad" answered HTTP 400', detail: 'The endpoint answered: unexpected column count' });
    expect(server.badRequests() - before).toBe(1);
    const refused = await client.query('SELECT f_refused(x, s) FROM t WHERE id <= 3').catch((e: unknown) => e as pg.DatabaseError);
    expect(refused).toMatchObject({ code: '58030', message: 'remote endpoint "refused" could not be reached (ECONNREFUSED; no HTTP status), after 3 attempts' });
  });

  test('an endpoint name that is not configured: 42704 at CREATE MODEL, saying how to configure it', async () => {
    const error = await client
      .query(`CREATE MODEL m_nowhere FUNCTION f_nowhere (float8) RETURNS float8 SAGEMAKER 'nowhere' IAM_ROLE default`)
      .catch((e: unknown) => e as pg.DatabaseError);
    expect(error).toMatchObject({ code: '42704', message: 'remote endpoint "nowhere" is not configured in this modelgres' });
    expect((error as pg.DatabaseError).hint).toContain('--endpoint nowhere=URL');
    const exists = await client.query(`SELECT to_regprocedure('f_nowhere(float8)') AS f`);
    expect(exists.rows[0].f).toBeNull();
  });

  test('SHOW MODEL says Inference Type Remote, and the endpoint', async () => {
    const { values } = await showModel(client, 'm_score');
    expect(values.get('Inference Type')).toBe('Remote');
    expect(values.get('Model State')).toBe('READY');
    expect(values.get('Artifact')).toBe('score');
    expect(values.get('Max Batch Rows')).toBe('500');
    expect(values.get('Function Parameter Types')).toBe('float8 text');
  });

  test("a copy FROM a remote version's job name: 0A000 saying to declare it with SAGEMAKER", async () => {
    const { values } = await showModel(client, 'm_score');
    const job = values.get('AutoML Job Name');
    expect(job).toMatch(/^redshiftml-/);
    const error = await client
      .query(`CREATE MODEL m_copy FROM '${job}' FUNCTION f_copy (float8, text) RETURNS float8`)
      .catch((e: unknown) => e as pg.DatabaseError);
    expect(error).toMatchObject({ code: '0A000' });
    expect((error as pg.DatabaseError).message).toContain("is a remote model (SAGEMAKER 'score')");
  });

  test('called in PostgreSQL directly (no proxy): 0A000 with a sentence saying to call it through modelgres', async () => {
    const direct = await proxy.direct();
    const error = await direct.query(`SELECT f_score(1, 'a')`).catch((e: unknown) => e as pg.DatabaseError);
    expect(error).toMatchObject({ code: '0A000' });
    expect((error as pg.DatabaseError).message).toContain('remote model');
    expect((error as pg.DatabaseError).message).toContain('Call it through modelgres');
  });
});

describe('multi-model endpoints, cancel, and endpoints kept in the catalog', () => {
  test("SAGEMAKER 'endpoint':'model' names the model in every request's X-Amzn-SageMaker-Target-Model", async () => {
    await client.query(`CREATE MODEL m_multi FUNCTION f_multi (float8, text) RETURNS float8 SAGEMAKER 'score':'churn-v2.tar.gz' SETTINGS (MAX_BATCH_ROWS 400)`);
    const before = server.requests.length;
    const r = await client.query('SELECT id, f_multi(x, s) AS v FROM t WHERE id <= 1000 ORDER BY id');
    expect(r.rows.map((row) => [row.id, row.v])).toEqual(await expected('id <= 1000'));
    const sent = server.requests.slice(before);
    expect(sent.length).toBe(3);
    expect(sent.map((q) => q.targetModel)).toEqual(['churn-v2.tar.gz', 'churn-v2.tar.gz', 'churn-v2.tar.gz']);
    // Without :'model' the header is not sent.
    const plain = server.requests.length;
    await client.query('SELECT f_score(x, s) FROM t WHERE id <= 3');
    expect(server.requests.slice(plain).map((q) => q.targetModel)).toEqual([undefined]);
    const { values } = await showModel(client, 'm_multi');
    expect(values.get('Artifact')).toBe('score:churn-v2.tar.gz');
    const empty = await client.query(`CREATE MODEL m_empty FUNCTION f_empty (float8) RETURNS float8 SAGEMAKER 'score':''`).catch((e: unknown) => e as pg.DatabaseError);
    expect(empty).toMatchObject({ code: '22023', message: "the model of SAGEMAKER 'score':'' is empty" });
  });

  test('a cancel aborts the requests in flight at once: 57014, the request closed, no retry', async () => {
    const c = await proxy.client();
    const key = c as unknown as { processID: number; secretKey: number };
    const before = server.slow();
    const running = c.query('SELECT f_slow(x, s) FROM t WHERE id <= 3').then(
      () => null,
      (e: unknown) => e,
    );
    await pollUntil('the request to /slow', async () => server.slow().arrived, (n) => n === before.arrived + 1);
    await sendAndClose(proxy.port, cancelRequest(key.processID, key.secretKey));
    expect(await running).toMatchObject({ code: '57014', message: 'canceling statement due to user request' });
    // Closed by the cancel, not by the 4 s timeout: a timeout would be retried, a second request.
    await pollUntil('the request to /slow closed', async () => server.slow(), (s) => s.open === before.open);
    expect(server.slow().arrived).toBe(before.arrived + 1);
    expect((await c.query('SELECT 41 + 1 AS answer')).rows).toEqual([{ answer: 42 }]);
  });

  test('a superuser keeps an endpoint in the catalog; every call follows it as it changes; other roles may not set one', async () => {
    const direct = await proxy.direct();
    await client.query(`SELECT modelgres.set_remote_endpoint('in_catalog', $1)`, [`${server.baseUrl}/score`]);
    await client.query(`CREATE MODEL m_cat FUNCTION f_cat (float8, text) RETURNS float8 SAGEMAKER 'in_catalog'`);
    const r = await client.query('SELECT id, f_cat(x, s) AS v FROM t WHERE id <= 20 ORDER BY id');
    expect(r.rows.map((row) => [row.id, row.v])).toEqual(await expected('id <= 20'));

    // Changed on another connection: the proxy hears of it (NOTIFY) and the next calls go to /bad.
    await direct.query(`SELECT modelgres.set_remote_endpoint('in_catalog', $1)`, [`${server.baseUrl}/bad`]);
    const moved = await pollUntil(
      'calls to follow the new URL',
      () => client.query('SELECT f_cat(x, s) FROM t WHERE id <= 3').then(() => null, (e: unknown) => e as pg.DatabaseError),
      (e) => e !== null,
    );
    expect(moved).toMatchObject({ code: '58030', message: 'remote endpoint "in_catalog" answered HTTP 400' });

    await direct.query(`SELECT modelgres.drop_remote_endpoint('in_catalog')`);
    const gone = await pollUntil(
      'calls to find the endpoint gone',
      () => client.query('SELECT f_cat(x, s) FROM t WHERE id <= 3').then(() => null, (e: unknown) => e as pg.DatabaseError),
      (e) => e?.code === '42704',
    );
    expect(gone).toMatchObject({ message: 'remote endpoint "in_catalog" is not configured in this modelgres' });

    await direct.query(`CREATE ROLE endpoint_setter LOGIN PASSWORD 'pw'`);
    await direct.query(`GRANT USAGE ON SCHEMA modelgres TO endpoint_setter`);
    const asSetter = new URL(proxy.url);
    asSetter.username = 'endpoint_setter';
    asSetter.password = 'pw';
    const setter = await proxy.client({ connectionString: asSetter.toString() });
    expect((await setter.query('SELECT session_user AS u')).rows).toEqual([{ u: 'endpoint_setter' }]);
    const refused = await setter.query(`SELECT modelgres.set_remote_endpoint('x', 'http://127.0.0.1:1/')`).catch((e: unknown) => e as pg.DatabaseError);
    expect(refused).toMatchObject({ code: '42501' });
    const table = await setter.query('SELECT * FROM modelgres.remote_endpoint').catch((e: unknown) => e as pg.DatabaseError);
    expect(table).toMatchObject({ code: '42501' });
    const names = await setter.query('SELECT * FROM modelgres.remote_endpoint_names() AS n');
    expect(names.rows).toEqual([]);
    // A bad URL, as a superuser: 22023, nothing kept.
    const badUrl = await client.query(`SELECT modelgres.set_remote_endpoint('y', 'ftp://h/')`).catch((e: unknown) => e as pg.DatabaseError);
    expect(badUrl).toMatchObject({ code: '22023' });
    expect((await direct.query(`SELECT count(*)::int AS n FROM modelgres.remote_endpoint`)).rows[0].n).toBe(0);
  });
});
