import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import type { NoticeMessage } from 'pg-protocol/dist/messages.js';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { databaseOf, names, RawClient, type Received } from '../support/raw-client.ts';

let proxy: TestProxy;
let direct: pg.Client;
const raws: RawClient[] = [];
const CHANNEL = `chan_${process.pid}`;

beforeAll(async () => {
  proxy = await startTestProxy();
  direct = await proxy.direct();
});
afterAll(async () => {
  raws.forEach((r) => r.destroy());
  await proxy.close();
});

function nextEvent<T>(emitter: pg.Client, event: 'notification' | 'notice'): Promise<T> {
  return new Promise((resolve) => emitter.once(event, (m: T) => resolve(m)));
}

describe('asynchronous messages through the proxy', () => {
  test('LISTEN through the proxy, NOTIFY from a direct session: channel and payload arrive while idle', async () => {
    const c = await proxy.client();
    await c.query(`listen ${CHANNEL}`);
    const listenerPid = (await c.query('select pg_backend_pid() as pid')).rows[0].pid as number;
    const got = nextEvent<pg.Notification>(c, 'notification');
    await direct.query('select pg_notify($1, $2)', [CHANNEL, 'payload with spaces, ünïcode and 42']);
    const n = await got;
    expect(n.channel).toBe(CHANNEL);
    expect(n.payload).toBe('payload with spaces, ünïcode and 42');
    // The sender's pid is PostgreSQL's (the direct session), passed through unchanged.
    expect(n.processId).toBe((direct as unknown as { processID: number }).processID);
    expect(n.processId).not.toBe(listenerPid);

    // Several in a row, in order; UNLISTEN stops them.
    const received: string[] = [];
    const three = new Promise<void>((resolve) => {
      const onNotification = (m: pg.Notification) => {
        received.push(m.payload ?? '');
        if (received.length < 3) return;
        c.off('notification', onNotification);
        resolve();
      };
      c.on('notification', onNotification);
    });
    await direct.query(`begin; notify ${CHANNEL}, 'a'; notify ${CHANNEL}, 'b'; notify ${CHANNEL}, 'c'; commit`);
    await three;
    expect(received).toEqual(['a', 'b', 'c']);
    const later: string[] = [];
    c.on('notification', (m) => later.push(`${m.channel}:${m.payload}`));
    await c.query(`unlisten ${CHANNEL}`);
    await direct.query(`notify ${CHANNEL}, 'not delivered'`);
    // The session's own notify comes after anything sent to it before: only 'mine' may arrive.
    await c.query(`listen ${CHANNEL}_own`);
    const own = nextEvent<pg.Notification>(c, 'notification');
    await c.query(`notify ${CHANNEL}_own, 'mine'`);
    expect(await own).toMatchObject({ channel: `${CHANNEL}_own`, payload: 'mine' });
    expect(later).toEqual([`${CHANNEL}_own:mine`]);
  });

  test('a notification raised inside a transaction comes after COMMIT, before its ReadyForQuery', async () => {
    const r = await RawClient.ready(proxy.port, { database: databaseOf(proxy.url) });
    raws.push(r);
    await r.query(`listen ${CHANNEL}_tx`);
    await r.query('begin');
    const during = await r.query(`notify ${CHANNEL}_tx, 'later'`);
    expect(names(during)).toEqual(['commandComplete', 'readyForQuery']);
    const commit = await r.query('commit');
    expect(names(commit)).toEqual(['commandComplete', 'notification', 'readyForQuery']);
    expect(commit[1]).toMatchObject({ channel: `${CHANNEL}_tx`, payload: 'later' });
  });

  test('NoticeResponse from RAISE NOTICE is relayed (pg notice event), with its fields', async () => {
    const c = await proxy.client();
    const notice = nextEvent<NoticeMessage>(c, 'notice');
    const r = await c.query("DO $$BEGIN RAISE NOTICE 'hello %', 42; END$$");
    expect(r.command).toBe('DO');
    const n = await notice;
    expect(n.message).toBe('hello 42');
    expect(n.severity).toBe('NOTICE');
    expect(n.code).toBe('00000');

    // A warning with a detail and a hint, over the extended protocol.
    const warning = nextEvent<NoticeMessage>(c, 'notice');
    await c.query({
      text: "DO $$BEGIN RAISE WARNING 'careful' USING DETAIL = 'the detail', HINT = 'the hint', ERRCODE = '01000'; END$$",
      queryMode: 'extended',
    } as pg.QueryConfig);
    expect(await warning).toMatchObject({ message: 'careful', severity: 'WARNING', detail: 'the detail', hint: 'the hint', code: '01000' });
  });

  test('ParameterStatus: SET application_name reports the new value; SHOW agrees', async () => {
    const r = await RawClient.ready(proxy.port, { database: databaseOf(proxy.url), application_name: 'modelgres_before' });
    raws.push(r);
    const set = await r.query("set application_name = 'modelgres_after'");
    // PostgreSQL 18 reports changed parameters just before ReadyForQuery.
    expect(names(set)).toEqual(['commandComplete', 'parameterStatus', 'readyForQuery']);
    expect(set[1]).toMatchObject({ parameterName: 'application_name', parameterValue: 'modelgres_after' });
    const show = await r.query('show application_name');
    expect(show.find((m) => m.name === 'dataRow')?.fields).toEqual(['modelgres_after']);

    // Through pg too: the value PostgreSQL sees is the one set through the proxy.
    const c = await proxy.client({ application_name: 'via_pg_client' });
    const pid = (await c.query('select pg_backend_pid() as pid')).rows[0].pid as number;
    await c.query("set application_name = 'renamed_by_set'");
    const seen = await direct.query('select application_name from pg_stat_activity where pid = $1', [pid]);
    expect(seen.rows).toEqual([{ application_name: 'renamed_by_set' }]);
    expect((await c.query('show application_name')).rows).toEqual([{ application_name: 'renamed_by_set' }]);
  });

  test('the startup ParameterStatus messages are PostgreSQL’s own', async () => {
    const upstreamPort = Number(new URL(proxy.upstreamUrl).port);
    const collect = async (port: number): Promise<Record<string, string>> => {
      const c = await RawClient.connect(port);
      raws.push(c);
      c.write(serialize.startup({ user: 'postgres', database: databaseOf(proxy.url), application_name: 'startup_check' }));
      const messages: Received[] = await c.readUntilReady();
      expect(messages[0].name).toBe('authenticationOk');
      expect(messages.filter((m) => m.name === 'backendKeyData')).toHaveLength(1);
      const params: Record<string, string> = {};
      for (const m of messages) if (m.name === 'parameterStatus') params[String(m.parameterName)] = String(m.parameterValue);
      return params;
    };
    const viaProxy = await collect(proxy.port);
    expect(viaProxy.application_name).toBe('startup_check');
    expect(viaProxy.server_version).toMatch(/^18/);
    expect(viaProxy).toEqual(await collect(upstreamPort));
  });
});
