import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { cancelRequest, databaseOf, RawClient, sendAndClose, startupFrame } from '../support/raw-client.ts';

let proxy: TestProxy;
let direct: pg.Client;

beforeAll(async () => {
  proxy = await startTestProxy();
  direct = await proxy.direct();
});
afterAll(() => proxy.close());

/** What pg learnt from BackendKeyData; pg keeps it on the client object. */
function keyOf(c: pg.Client): { processID: number; secretKey: number } {
  const k = c as unknown as { processID: number | null; secretKey: number | null };
  if (typeof k.processID !== 'number' || typeof k.secretKey !== 'number') throw new Error('pg saw no BackendKeyData');
  return { processID: k.processID, secretKey: k.secretKey };
}

/** Resolves once the session with this pid shows the query as active, so a cancel cannot come too early. */
async function untilRunning(pid: number, pattern: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const r = await direct.query(
      // PgSleep: the statement is executing, past Parse and Bind (a cancel there would hit them instead).
      "select count(*)::int as n from pg_stat_activity where pid = $1 and state = 'active' and query like $2 and wait_event = 'PgSleep'",
      [pid, pattern],
    );
    if (r.rows[0].n === 1) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`the query ${pattern} never showed up as running in backend ${pid}`);
}

describe('CancelRequest through the proxy', () => {
  test('the key the client gets is PostgreSQL’s own: its pid is pg_backend_pid()', async () => {
    const c = await proxy.client();
    const key = keyOf(c);
    const backendPid = (await c.query('select pg_backend_pid() as pid')).rows[0].pid as number;
    expect(backendPid).toBeGreaterThan(0);
    expect(key.processID).toBe(backendPid);
    // Two sessions get different keys.
    const other = keyOf(await proxy.client());
    expect(other.processID).not.toBe(key.processID);
  });

  test('cancelling pg_sleep(30) with the client’s key gives 57014, and the session is usable after', async () => {
    const c = await proxy.client();
    const key = keyOf(c);
    const backendPid = (await c.query('select pg_backend_pid() as pid')).rows[0].pid as number;
    const running = c.query('select pg_sleep(30) as slept').then(
      () => null,
      (e: unknown) => e,
    );
    await untilRunning(backendPid, 'select pg_sleep(30)%');
    await sendAndClose(proxy.port, cancelRequest(key.processID, key.secretKey));
    const error = await running;
    expect(error).toMatchObject({ code: '57014', message: 'canceling statement due to user request' });
    expect((await c.query('select 40 + 2 as answer')).rows).toEqual([{ answer: 42 }]);
    expect((await c.query('select pg_backend_pid() as pid')).rows[0].pid).toBe(backendPid);
  });

  test('cancel inside a transaction aborts it (25P02 next), ROLLBACK recovers', async () => {
    const c = await proxy.client();
    const key = keyOf(c);
    const backendPid = (await c.query('select pg_backend_pid() as pid')).rows[0].pid as number;
    await c.query('begin');
    const running = c.query('select pg_sleep(30) as in_tx').then(
      () => null,
      (e: unknown) => e,
    );
    await untilRunning(backendPid, 'select pg_sleep(30) as in_tx%');
    await sendAndClose(proxy.port, cancelRequest(key.processID, key.secretKey));
    expect(await running).toMatchObject({ code: '57014' });
    await expect(c.query('select 1')).rejects.toMatchObject({ code: '25P02' });
    await c.query('rollback');
    expect((await c.query('select 1 as ok')).rows).toEqual([{ ok: 1 }]);
  });

  test('a CancelRequest with a wrong secret, or an unknown process id, does nothing', async () => {
    const c = await proxy.client();
    const key = keyOf(c);
    const backendPid = (await c.query('select pg_backend_pid() as pid')).rows[0].pid as number;
    const running = c.query("select pg_sleep(1), 'finished' as outcome");
    await untilRunning(backendPid, "select pg_sleep(1), 'finished'%");
    await sendAndClose(proxy.port, cancelRequest(key.processID, (key.secretKey ^ 0x5a5a5a5a) | 0));
    await sendAndClose(proxy.port, cancelRequest((key.processID ^ 0x1234) || 1, key.secretKey));
    // PostgreSQL gets the keys the proxy does not know, and ignores them as well.
    await sendAndClose(proxy.port, cancelRequest(backendPid, Buffer.alloc(4)));
    const r = await running;
    expect(r.rows[0].outcome).toBe('finished');
  });

  test('a CancelRequest gets no answer: the proxy just closes the connection', async () => {
    const c = await RawClient.connect(proxy.port);
    c.write(cancelRequest(12345, 67890));
    expect(await c.readUntilClose()).toEqual([]);
    expect(c.isClosed).toBe(true);
  });

  test('cancel over the raw protocol in the middle of an extended-query pipeline', async () => {
    const r = await RawClient.connect(proxy.port);
    r.write(serialize.startup({ user: 'postgres', database: databaseOf(proxy.url) }));
    const startup = await r.readUntilReady();
    const keyData = startup.find((m) => m.name === 'backendKeyData');
    expect(keyData).toBeDefined();
    const pidRows = await r.query('select pg_backend_pid()');
    const backendPid = Number((pidRows.find((m) => m.name === 'dataRow')?.fields as string[])[0]);
    r.write([
      serialize.parse({ text: 'select pg_sleep(30) as piped' }),
      serialize.bind({}),
      serialize.execute(),
      serialize.sync(),
      serialize.parse({ text: 'select 5 as after_cancel' }),
      serialize.bind({}),
      serialize.execute(),
      serialize.sync(),
    ]);
    await untilRunning(backendPid, 'select pg_sleep(30) as piped%');
    await sendAndClose(proxy.port, cancelRequest(keyData?.processID as number, keyData?.secretKey as number));
    const cancelled = await r.readUntilReady();
    expect(cancelled.map((m) => m.name)).toEqual(['parseComplete', 'bindComplete', 'error', 'readyForQuery']);
    expect(cancelled[2].code).toBe('57014');
    const next = await r.readUntilReady();
    expect(next.find((m) => m.name === 'dataRow')?.fields).toEqual(['5']);
    r.destroy();
  });

  test('protocol 3.2: the long secret key (PostgreSQL 18) reaches the client as PostgreSQL sent it, and it cancels', async () => {
    const r = await RawClient.connect(proxy.port);
    // StartupMessage for protocol 3.2 (196610): user, database, terminator.
    r.write(startupFrame(196610, Buffer.from(`user\0postgres\0database\0${databaseOf(proxy.url)}\0\0`)));
    const startup = await r.readUntilReady();
    expect(startup.some((m) => m.name === 'error')).toBe(false);
    const keyData = startup.find((m) => m.name === 'backendKeyData');
    const body = keyData?.body as Buffer;
    const processId = body.readInt32BE(0);
    const secret = body.subarray(4);
    // Compare with what PostgreSQL itself gives a 3.2 client.
    const upstreamPort = Number(new URL(proxy.upstreamUrl).port);
    const d = await RawClient.connect(upstreamPort);
    d.write(startupFrame(196610, Buffer.from(`user\0postgres\0database\0${databaseOf(proxy.url)}\0\0`)));
    const directKey = (await d.readUntilReady()).find((m) => m.name === 'backendKeyData')?.body as Buffer;
    d.destroy();
    expect(directKey.length).toBeGreaterThan(8);
    expect(secret.length).toBe(directKey.length - 4);

    const backendPid = Number((((await r.query('select pg_backend_pid()')).find((m) => m.name === 'dataRow')?.fields) as string[])[0]);
    expect(processId).toBe(backendPid);
    r.write(serialize.query('select pg_sleep(30)'));
    await untilRunning(backendPid, 'select pg_sleep(30)');
    // A wrong long secret does nothing; the right one cancels.
    const wrong = Buffer.from(secret);
    wrong[wrong.length - 1] ^= 0xff;
    await sendAndClose(proxy.port, cancelRequest(processId, wrong));
    await sendAndClose(proxy.port, cancelRequest(processId, secret.subarray(0, 4)));
    expect((await direct.query("select count(*)::int as n from pg_stat_activity where pid = $1 and state = 'active'", [backendPid])).rows).toEqual([
      { n: 1 },
    ]);
    await sendAndClose(proxy.port, cancelRequest(processId, secret));
    const answers = await r.readUntilReady();
    expect(answers.find((m) => m.name === 'error')?.code).toBe('57014');
    expect((await r.query('select 9')).find((m) => m.name === 'dataRow')?.fields).toEqual(['9']);
    r.destroy();
  });
});
