import { afterAll, beforeAll, expect, test } from 'vitest';
import { pollUntil } from '../support/poll.ts';
import { killableProxy, linearModel, type KillableProxy } from './killable-proxy.ts';

/*
 * The proxy SIGKILLed in the middle of an INSERT … SELECT write-back of 1M rows: the target holds
 * all the rows or none (the write-back's COPY batches share one transaction, which PostgreSQL
 * rolls back when the connection drops), and a new proxy writes them all.
 */
let k: KillableProxy;

beforeAll(async () => {
  k = await killableProxy('modelgres_kill_write_back');
  await linearModel(k, 'm');
  // x repeats 0..99, where the linear model is exact to well within 0.1.
  await k.direct.query(`CREATE TABLE big AS SELECT g AS id, (g % 100)::float8 AS x FROM generate_series(1, 1000000) g`);
  await k.direct.query('CREATE TABLE scored (id int, p float8)');
}, 180_000); // a proxy started, a model trained, 1M rows made

afterAll(() => k?.close());

test('killed after batches were written in its transaction: the table holds none of the rows; run again, it holds all', async () => {
  const c = await k.client('writeback');
  const running = c.query('INSERT INTO scored SELECT id, m_fn(x) FROM big').catch((e: Error) => e);
  // A COPY into the target whose transaction has written rows already: the write-back is half done.
  await pollUntil('the write-back to have copied a batch', () => k.backendOf('writeback'), (b) => b !== null && b.query.startsWith('COPY') && b.xid !== null);
  await k.kill();
  expect(await running).toBeInstanceOf(Error);
  await k.backendGone('writeback');
  expect((await k.direct.query('SELECT count(*)::int AS n FROM scored')).rows[0].n).toBe(0);

  const again = await k.client('writeback-again');
  expect((await again.query('INSERT INTO scored SELECT id, m_fn(x) FROM big')).rowCount).toBe(1_000_000);
  const check = await k.direct.query(
    `SELECT count(*)::int AS n, count(DISTINCT s.id)::int AS ids, max(abs(s.p - (2 * b.x + 1))) AS worst FROM scored s JOIN big b USING (id)`,
  );
  expect(check.rows[0]).toMatchObject({ n: 1_000_000, ids: 1_000_000 });
  expect(check.rows[0].worst).toBeLessThan(0.1);
}, 120_000);
