import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import pg from 'pg';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { runCommand } from '../support/run-command.ts';

const PGBENCH = '/usr/bin/pgbench';
/** pgbench's tables have fixed names, so this file works in a database of its own. */
const DATABASE = `pgbench_${process.pid}`;

let proxy: TestProxy;
let direct: pg.Client;
let url: string;

beforeAll(async () => {
  proxy = await startTestProxy();
  direct = await proxy.direct();
  await direct.query(`drop database if exists ${DATABASE} with (force)`);
  await direct.query(`create database ${DATABASE}`);
  const u = new URL(proxy.url);
  u.pathname = `/${DATABASE}`;
  url = u.toString();
});
afterAll(async () => {
  await direct?.query(`drop database if exists ${DATABASE} with (force)`);
  await proxy.close();
});

/** The numbers pgbench prints in its summary; no timing figures are looked at. */
function summary(stdout: string): { processed: string | undefined; failed: string | undefined } {
  return {
    processed: /number of transactions actually processed: (\d+\/\d+)/.exec(stdout)?.[1],
    failed: /number of failed transactions: (\d+)/.exec(stdout)?.[1],
  };
}

describe('pgbench through the proxy', () => {
  test('pgbench -i -s 1 initializes through the proxy (client-side COPY of 100000 accounts)', async () => {
    const r = await runCommand(PGBENCH, ['-i', '-s', '1', url]);
    expect(r.stderr).toContain('done in');
    expect(r.status).toBe(0);
    const db = new pg.Client({ connectionString: proxy.upstreamUrl.replace(/\/[^/]*$/, `/${DATABASE}`) });
    await db.connect();
    try {
      const counts = await db.query(
        'select (select count(*) from pgbench_accounts)::int as accounts, (select count(*) from pgbench_branches)::int as branches, ' +
          '(select count(*) from pgbench_tellers)::int as tellers, (select sum(aid) from pgbench_accounts)::int8 as aid_sum',
      );
      expect(counts.rows).toEqual([{ accounts: 100000, branches: 1, tellers: 10, aid_sum: String((100000 * 100001) / 2) }]);
    } finally {
      await db.end();
    }
  });

  for (const mode of ['simple', 'extended', 'prepared'] as const) {
    test(`pgbench -S -c 4 -j 2 -t 200 -M ${mode}: all 800 transactions, none failed`, async () => {
      const r = await runCommand(PGBENCH, ['-n', '-S', '-c', '4', '-j', '2', '-t', '200', '-M', mode, url]);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(`query mode: ${mode}`);
      expect(summary(r.stdout)).toEqual({ processed: '800/800', failed: '0' });
    });
  }

  test('pgbench TPC-B-like read-write transactions with -M extended keep the balances consistent', async () => {
    const r = await runCommand(PGBENCH, ['-n', '-c', '4', '-j', '2', '-t', '50', '-M', 'extended', url]);
    expect(r.status).toBe(0);
    expect(summary(r.stdout)).toEqual({ processed: '200/200', failed: '0' });
    const db = new pg.Client({ connectionString: proxy.upstreamUrl.replace(/\/[^/]*$/, `/${DATABASE}`) });
    await db.connect();
    try {
      const check = await db.query(
        'select (select count(*) from pgbench_history)::int as history, ' +
          '(select sum(abalance) from pgbench_accounts)::int8 = (select sum(delta) from pgbench_history)::int8 as accounts_match, ' +
          '(select sum(bbalance) from pgbench_branches)::int8 = (select sum(delta) from pgbench_history)::int8 as branches_match',
      );
      expect(check.rows).toEqual([{ history: 200, accounts_match: true, branches_match: true }]);
    } finally {
      await db.end();
    }
  });
});
