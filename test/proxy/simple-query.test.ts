import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';

let proxy: TestProxy;
beforeAll(async () => {
  proxy = await startTestProxy();
});
afterAll(() => proxy.close());

describe('simple query through the proxy', () => {
  test('returns rows and types as PostgreSQL does', async () => {
    const c = await proxy.client();
    const r = await c.query("select 1::int4 as a, 'héllo'::text as b, null::int as c, 2.5::float8 as d");
    expect(r.rows).toEqual([{ a: 1, b: 'héllo', c: null, d: 2.5 }]);
    expect(r.fields.map((f) => f.dataTypeID)).toEqual([23, 25, 23, 701]);
  });

  test('several statements in one message give one result each', async () => {
    const c = await proxy.client();
    const results = (await c.query('select 1 as x; select 2 as y; select 3 as z')) as unknown as Array<{ rows: unknown[] }>;
    expect(results.map((r) => r.rows)).toEqual([[{ x: 1 }], [{ y: 2 }], [{ z: 3 }]]);
  });

  test('errors carry PostgreSQL SQLSTATE and position', async () => {
    const c = await proxy.client();
    const error = await c.query('select * from no_such_table').catch((e) => e);
    expect(error.code).toBe('42P01');
    expect(error.position).toBe('15');
    expect((await c.query('select 7 as n')).rows[0].n).toBe(7);
  });

  test('a large result passes through whole', async () => {
    const c = await proxy.client();
    const r = await c.query('select g, md5(g::text) as h from generate_series(1, 100000) g');
    expect(r.rowCount).toBe(100000);
    const sum = r.rows.reduce((acc, row) => acc + row.g, 0);
    expect(sum).toBe((100000 * 100001) / 2);
    const direct = await proxy.direct();
    const check = await direct.query("select md5('100000') as h");
    expect(r.rows[99999]).toEqual({ g: 100000, h: check.rows[0].h });
  });

  test('transactions behave as PostgreSQL: an error aborts, rollback recovers', async () => {
    const c = await proxy.client();
    await c.query('create temp table t_tx (n int)');
    await c.query('begin');
    await c.query('insert into t_tx values (1)');
    await expect(c.query('select 1/0')).rejects.toMatchObject({ code: '22012' });
    await expect(c.query('select 1')).rejects.toMatchObject({ code: '25P02' });
    await c.query('rollback');
    expect((await c.query('select count(*)::int as n from t_tx')).rows[0].n).toBe(0);
  });
});
