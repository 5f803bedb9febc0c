import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import pg from 'pg';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { cancelRequest, sendAndClose } from '../support/raw-client.ts';
import { pollUntil } from '../support/poll.ts';

let proxy: TestProxy;
let direct: pg.Client;

beforeAll(async () => {
  proxy = await startTestProxy({ workers: 1 });
  direct = await proxy.direct();
});
afterAll(() => proxy.close());

/** What pg learnt from BackendKeyData; pg keeps it on the client object. */
function keyOf(c: pg.Client): { processID: number; secretKey: number } {
  const k = c as unknown as { processID: number | null; secretKey: number | null };
  if (typeof k.processID !== 'number' || typeof k.secretKey !== 'number') throw new Error('pg saw no BackendKeyData');
  return { processID: k.processID, secretKey: k.secretKey };
}

/** Resolves once backend `pid` runs a statement matching `pattern`, so a cancel cannot come too early. */
async function untilActive(pid: number, pattern: string): Promise<void> {
  await pollUntil(
    `backend ${pid} to run ${pattern}`,
    async () =>
      (await direct.query("select count(*)::int as n from pg_stat_activity where pid = $1 and state = 'active' and query like $2", [pid, pattern])).rows[0]
        .n as number,
    (n) => n === 1,
  );
}

function settled(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => null,
    (e: unknown) => e,
  );
}

describe('the client holds PostgreSQL’s own BackendKeyData', () => {
  test('pg_terminate_backend of the pid the client was given ends that client’s session', async () => {
    const c = await proxy.client();
    const { processID } = keyOf(c);
    const ended = new Promise<void>((resolve) => c.once('end', () => resolve()));
    const bystander = await proxy.client();
    expect((await bystander.query('select pg_terminate_backend($1) as killed', [processID])).rows).toEqual([{ killed: true }]);
    await ended;
    await pollUntil(
      `backend ${processID} to go`,
      async () => (await direct.query('select count(*)::int as n from pg_stat_activity where pid = $1', [processID])).rows[0].n as number,
      (n) => n === 0,
    );
    await expect(c.query('select 1')).rejects.toBeDefined();
    expect((await bystander.query('select 1 as alive')).rows).toEqual([{ alive: 1 }]);
  });

  test('a notification names its sender by the pid that sender’s client was given', async () => {
    const listener = await proxy.client();
    const sender = await proxy.client();
    await listener.query('listen backend_key_channel');
    const fromOther = new Promise<pg.Notification>((resolve) => listener.once('notification', resolve));
    await sender.query(`notify backend_key_channel, 'from the sender'`);
    expect((await fromOther).processId).toBe(keyOf(sender).processID);
    const fromSelf = new Promise<pg.Notification>((resolve) => listener.once('notification', resolve));
    await listener.query(`notify backend_key_channel, 'from itself'`);
    const own = await fromSelf;
    expect(own.payload).toBe('from itself');
    expect(own.processId).toBe(keyOf(listener).processID);
    expect(own.processId).toBe((await listener.query('select pg_backend_pid() as pid')).rows[0].pid);
  });

  test('a CancelRequest for a key the proxy does not know reaches PostgreSQL: a direct session’s pg_sleep is cancelled', async () => {
    const d = await proxy.direct();
    const key = keyOf(d);
    const running = settled(d.query('select pg_sleep(30) as through_the_proxy'));
    await untilActive(key.processID, 'select pg_sleep(30) as through_the_proxy%');
    await sendAndClose(proxy.port, cancelRequest(key.processID, key.secretKey));
    expect(await running).toMatchObject({ code: '57014', message: 'canceling statement due to user request' });
    expect((await d.query('select 2 as after')).rows).toEqual([{ after: 2 }]);
  });

  test('cancelling a long model scoring through the proxy stops it (57014), and the session goes on', async () => {
    const c = await proxy.client();
    await c.query('create table bk_train as select x::float8 as a, (3 * x + 1)::float8 as y from generate_series(1, 200) x');
    await c.query(`CREATE MODEL bk_m FROM bk_train TARGET y FUNCTION bk_f AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'reg:squarederror'
                   HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '10', MAX_DEPTH '3')`);
    await c.query('WAIT FOR MODEL bk_m TIMEOUT 120');
    const key = keyOf(c);
    // Far more rows than finish before the cancel (generate_series in the select list streams them;
    // in FROM it would store them all first); the first one says the scoring is under way.
    const query = new pg.Query('select bk_f(x::float8) as p from (select generate_series(1, 500000000) as x) s');
    const firstRow = new Promise<void>((resolve) => query.once('row', () => resolve()));
    const done = new Promise<unknown>((resolve) => {
      query.once('error', resolve);
      query.once('end', () => resolve(null));
    });
    void c.query(query);
    await firstRow;
    await sendAndClose(proxy.port, cancelRequest(key.processID, key.secretKey));
    expect(await done).toMatchObject({ code: '57014' });
    expect((await c.query('select 40 + 2 as answer')).rows).toEqual([{ answer: 42 }]);
    expect(Number.isFinite((await c.query('select bk_f(2) as p')).rows[0].p)).toBe(true);
  }, 120_000);
});
