import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { cancelRequest, databaseOf, RawClient, rowValues, sendAndClose, type Received } from '../support/raw-client.ts';
import { pollUntil } from '../support/poll.ts';
import { runCommand } from '../support/run-command.ts';

/**
 * --max-client-connections: clients beyond the limit get PostgreSQL's own FATAL 53300 at their
 * StartupMessage and never reach PostgreSQL; clients within it work; slots come back when
 * clients leave. The limit is small so that 500 clients do not use up the suite's shared server.
 */
const LIMIT = 20;
const CLIENTS = 500;
const APP = `client_limit_${process.pid}`;

let proxy: TestProxy;
let direct: pg.Client;
let database: string;
/** A session opened before the crowd, which must answer correctly after it. */
let before: RawClient;
let admitted: Admitted[] = [];

interface Admitted {
  client: RawClient;
  processId: number;
  secretKey: number;
}
type Outcome = ({ kind: 'admitted' } & Admitted) | { kind: 'refused'; error: Received; client: RawClient };

beforeAll(async () => {
  proxy = await startTestProxy({ maxClientConnections: LIMIT });
  direct = await proxy.direct();
  database = databaseOf(proxy.url);
  before = await RawClient.ready(proxy.port, { database, application_name: APP });
});
afterAll(async () => {
  for (const a of admitted) a.client.destroy();
  before?.destroy();
  await proxy.close();
});

/** A trust-authenticated startup through the proxy: admitted (ReadyForQuery) or refused (ErrorResponse). */
async function attempt(parameters: Record<string, string> = {}, sslFirst = false): Promise<Outcome> {
  const client = await RawClient.connect(proxy.port);
  if (sslFirst) {
    client.write(serialize.requestSsl());
    expect(await client.readByte()).toBe('N');
  }
  client.write(serialize.startup({ user: 'postgres', database, application_name: APP, ...parameters }));
  const messages = await client.readUntil((m) => m.name === 'readyForQuery' || m.name === 'error');
  const last = messages[messages.length - 1];
  if (last.name === 'error') return { kind: 'refused', error: last, client };
  const key = messages.find((m) => m.name === 'backendKeyData');
  return { kind: 'admitted', client, processId: Number(key?.processID), secretKey: Number(key?.secretKey) };
}

/** PostgreSQL's backends opened for this test's clients, counted by PostgreSQL itself. */
async function backendsOfThisTest(): Promise<number> {
  const r = await direct.query('select count(*)::int as n from pg_stat_activity where application_name = $1', [APP]);
  return r.rows[0].n as number;
}

function expectTooManyClients(error: Received): void {
  expect(error).toMatchObject({ severity: 'FATAL', code: '53300', message: 'sorry, too many clients already' });
  expect(String(error.hint)).toContain('--max-client-connections');
  expect(String(error.detail)).toContain(`at most ${LIMIT} clients`);
}

async function selectOne(client: RawClient, sql: string): Promise<string | null> {
  const messages = await client.query(sql);
  const error = messages.find((m) => m.name === 'error');
  if (error) throw new Error(`${sql}: ${String(error.message)}`);
  const row = messages.find((m) => m.name === 'dataRow');
  const value = row ? rowValues(row.body)[0] : null;
  return value === null ? null : value.toString('utf8');
}

describe('more clients than --max-client-connections', () => {
  test(`${CLIENTS} clients at once: ${LIMIT} get in and work, the rest get 53300 and never reach PostgreSQL`, async () => {
    const outcomes = await Promise.all(Array.from({ length: CLIENTS }, () => attempt()));
    admitted = outcomes.flatMap((o) => (o.kind === 'admitted' ? [o] : []));
    const refused = outcomes.flatMap((o) => (o.kind === 'refused' ? [o] : []));
    // `before` holds one slot.
    expect(admitted).toHaveLength(LIMIT - 1);
    expect(refused).toHaveLength(CLIENTS - LIMIT + 1);
    for (const r of refused) expectTooManyClients(r.error);
    // The proxy closes a refused connection, as PostgreSQL does after its FATAL.
    await Promise.all(refused.map((r) => r.client.closed));

    expect(await backendsOfThisTest()).toBe(LIMIT);
    const answers = await Promise.all(admitted.map((a, i) => selectOne(a.client, `select ${i} * 7`)));
    expect(answers).toEqual(admitted.map((_, i) => String(i * 7)));
    expect(await selectOne(before, "select string_agg(x::text, ',') from generate_series(1, 3) x")).toBe('1,2,3');
  });

  test('a real driver and psql get the error, with its SQLSTATE and hint', async () => {
    const c = new pg.Client({ connectionString: proxy.url });
    c.on('error', () => {});
    const error = await c.connect().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: '53300', message: 'sorry, too many clients already', severity: 'FATAL' });
    expect(String((error as pg.DatabaseError).hint)).toContain('--max-client-connections');

    const psql = await runCommand('/usr/bin/psql', ['-X', '-d', proxy.url, '-c', 'select 1']);
    expect(psql.status).toBe(2);
    expect(psql.stderr).toContain('FATAL:  sorry, too many clients already');
  });

  test('the limit is checked after SSL negotiation, as PostgreSQL checks it', async () => {
    const o = await attempt({}, true);
    expect(o.kind).toBe('refused');
    if (o.kind === 'refused') expectTooManyClients(o.error);
  });

  test('a CancelRequest is not a client: it reaches a session while the proxy is full', async () => {
    const a = admitted[0];
    a.client.write(serialize.query('select pg_sleep(30)'));
    await pollUntil(
      'pg_sleep running in the admitted session',
      async () => (await direct.query("select count(*)::int as n from pg_stat_activity where pid = $1 and wait_event = 'PgSleep'", [a.processId])).rows[0].n,
      (n) => n === 1,
    );
    await sendAndClose(proxy.port, cancelRequest(a.processId, a.secretKey));
    const messages = await a.client.readUntilReady();
    expect(messages.find((m) => m.name === 'error')).toMatchObject({ code: '57014' });
    expect(await selectOne(a.client, 'select 41 + 1')).toBe('42');
  });

  test('slots come back when clients leave; the limit still holds after', async () => {
    const leaving = admitted.splice(0, 5);
    for (const a of leaving) a.client.end();
    await Promise.all(leaving.map((a) => a.client.closed));
    // The proxy frees a slot when it sees the close, which may come after the client's.
    for (let i = 0; i < leaving.length; i++) {
      const outcome = await pollUntil(
        'a free slot',
        () => attempt(),
        (o) => o.kind === 'admitted',
      );
      if (outcome.kind === 'admitted') admitted.push(outcome);
    }
    const over = await attempt();
    expect(over.kind).toBe('refused');
    if (over.kind === 'refused') expectTooManyClients(over.error);
    expect(await backendsOfThisTest()).toBe(LIMIT);
    expect(await selectOne(admitted[admitted.length - 1].client, 'select current_database()')).toBe(database);
    expect(await selectOne(before, 'select 6 * 7')).toBe('42');
  });
});

describe('the default limit', () => {
  test("PostgreSQL's max_connections less its reserved slots and the proxy's own connections", async () => {
    const other = await startTestProxy();
    try {
      const r = await direct.query(
        `select current_setting('max_connections')::int as max,
                current_setting('superuser_reserved_connections')::int as superuser_reserved,
                coalesce(current_setting('reserved_connections', true)::int, 0) as reserved`,
      );
      const { max, superuser_reserved, reserved } = r.rows[0] as Record<string, number>;
      // Without workers the proxy holds the model registry's and the remote endpoints' LISTEN
      // connections, the capture writer's pool of 2, and the hosting manager's pool of 2 and LISTEN connection.
      expect(other.modelgres.maxClientConnections).toBe(max - superuser_reserved - reserved - 7);
    } finally {
      await other.close();
    }
  });
});
