import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type pg from 'pg';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';

let proxy: TestProxy;
let c: pg.Client;
/** The model's prediction for each row id of `pts`, from the streaming path (held equal to ONNX elsewhere). */
let expected: Map<number, number>;

beforeAll(async () => {
  proxy = await startTestProxy({ workers: 1 });
  c = await proxy.client();
  await c.query(`CREATE TABLE pts AS
    SELECT g AS id, (g % 17)::float8 AS x, (g % 5)::float8 AS z, (g % 3)::int AS grp,
           (2 * (g % 17) - (g % 5) + 1)::float8 AS y
      FROM generate_series(1, 400) g`);
  await c.query('CREATE MODEL lin FROM (SELECT x, z, y FROM pts) TARGET y FUNCTION lin_fn AUTO OFF MODEL_TYPE LINEAR_LEARNER');
  await c.query('CREATE MODEL trees FROM (SELECT x, z, y FROM pts) TARGET y FUNCTION trees_fn');
  await c.query('WAIT FOR MODEL lin');
  await c.query('WAIT FOR MODEL trees');
  const r = await c.query('SELECT id, lin_fn(x, z) AS p FROM pts ORDER BY id');
  expected = new Map(r.rows.map((row) => [row.id, row.p]));
});
afterAll(() => proxy.close());

const p = (id: number) => expected.get(id)!;
const ids = () => [...expected.keys()];

describe('a model function wherever an expression can stand', () => {
  test('WHERE, ORDER BY, and the select list of a nested query', async () => {
    const where = await c.query('SELECT id FROM pts WHERE lin_fn(x, z) > 20 ORDER BY id');
    expect(where.rows.map((r) => r.id)).toEqual(ids().filter((id) => p(id) > 20));
    const ordered = await c.query('SELECT id FROM pts ORDER BY lin_fn(x, z) DESC, id LIMIT 5');
    const byPrediction = ids().sort((a, b) => p(b) - p(a) || a - b).slice(0, 5);
    expect(ordered.rows.map((r) => r.id)).toEqual(byPrediction);
    const nested = await c.query('SELECT s.id, s.pred FROM (SELECT id, lin_fn(x, z) AS pred FROM pts) s WHERE s.id <= 3 ORDER BY s.id');
    expect(nested.rows).toEqual([1, 2, 3].map((id) => ({ id, pred: p(id) })));
  });

  test('aggregates, GROUP BY and HAVING', async () => {
    const r = await c.query(
      `SELECT grp, avg(lin_fn(x, z)) AS mean, count(*)::int AS n FROM pts GROUP BY grp HAVING max(lin_fn(x, z)) > 0 ORDER BY grp`,
    );
    const groups = [0, 1, 2].map((g) => ids().filter((id) => id % 3 === g));
    expect(r.rows.map((row) => row.grp)).toEqual([0, 1, 2]);
    r.rows.forEach((row, g) => {
      expect(row.n).toBe(groups[g].length);
      expect(row.mean).toBeCloseTo(groups[g].reduce((s, id) => s + p(id), 0) / groups[g].length, 9);
    });
    const grouped = await c.query('SELECT lin_fn(x, 0) AS bucket, count(*)::int AS n FROM pts GROUP BY lin_fn(x, 0) ORDER BY 1');
    const byX = await c.query('SELECT x, lin_fn(x, 0) AS p FROM pts');
    const expectedGroups = new Map<number, number>();
    for (const row of byX.rows) expectedGroups.set(row.p, (expectedGroups.get(row.p) ?? 0) + 1);
    expect(grouped.rows).toEqual([...expectedGroups].sort((a, b) => a[0] - b[0]).map(([bucket, n]) => ({ bucket, n })));
  });

  test('CASE, scalar and IN subqueries, CTEs feeding CTEs, UNION branches', async () => {
    const cased = await c.query(`SELECT id, CASE WHEN lin_fn(x, z) > 15 THEN 'high' ELSE 'low' END AS level FROM pts WHERE id <= 20 ORDER BY id`);
    expect(cased.rows.map((r) => r.level)).toEqual(ids().slice(0, 20).map((id) => (p(id) > 15 ? 'high' : 'low')));
    const scalar = await c.query('SELECT (SELECT max(lin_fn(x, z)) FROM pts) AS top');
    expect(scalar.rows[0].top).toBe(Math.max(...expected.values()));
    const within = await c.query('SELECT count(*)::int AS n FROM pts WHERE id IN (SELECT id FROM pts WHERE lin_fn(x, z) < 5)');
    expect(within.rows[0].n).toBe(ids().filter((id) => p(id) < 5).length);
    const ctes = await c.query(
      `WITH scored AS (SELECT id, lin_fn(x, z) AS pred FROM pts), top AS (SELECT id FROM scored WHERE pred > 25)
       SELECT count(*)::int AS n FROM top`,
    );
    expect(ctes.rows[0].n).toBe(ids().filter((id) => p(id) > 25).length);
    const union = await c.query('SELECT lin_fn(x, z) AS v FROM pts WHERE id = 1 UNION ALL SELECT lin_fn(x, z) FROM pts WHERE id = 2');
    expect(union.rows.map((r) => r.v)).toEqual([p(1), p(2)]);
  });

  test('JOIN ... ON, two models and two versions in one statement, expressions, casts and NULLs as arguments', async () => {
    const joined = await c.query(
      `SELECT a.id AS a, b.id AS b FROM pts a JOIN pts b ON lin_fn(a.x, a.z) = lin_fn(b.x, b.z) AND a.id < b.id
        WHERE a.id <= 3 ORDER BY 1, 2 LIMIT 4`,
    );
    const pairs: Array<{ a: number; b: number }> = [];
    for (const a of [1, 2, 3]) for (const b of ids()) if (a < b && p(a) === p(b)) pairs.push({ a, b });
    expect(joined.rows).toEqual(pairs.slice(0, 4));

    const both = await c.query(
      `SELECT id, lin_fn(x, z) AS l, trees_fn(x, z) AS t, lin_fn_v1(x, z) AS l1 FROM pts WHERE trees_fn(x, z) > 0 AND id <= 3 ORDER BY id`,
    );
    for (const row of both.rows) {
      expect(row.l).toBe(p(row.id));
      expect(row.l1).toBe(p(row.id));
      expect(typeof row.t).toBe('number');
    }
    const exprs = await c.query(`SELECT lin_fn(x + 0, '0'::float8 + z) AS a, lin_fn(NULL, z) IS NOT NULL AS b FROM pts WHERE id = 7 AND lin_fn(x, z) > -1000`);
    expect(exprs.rows[0].a).toBe(p(7));
    expect(exprs.rows[0].b).toBe(true);
  });

  test('INSERT ... SELECT, INSERT ... VALUES, UPDATE ... SET/WHERE, DELETE ... WHERE, CREATE TABLE AS write back in the transaction', async () => {
    await c.query('CREATE TABLE scored (id int, p float8)');
    expect((await c.query('INSERT INTO scored SELECT id, lin_fn(x, z) FROM pts')).rowCount).toBe(400);
    expect((await c.query(`INSERT INTO scored VALUES (0, lin_fn(3, 4))`)).rowCount).toBe(1);
    const inserted = (await c.query('SELECT p FROM scored WHERE id = 0')).rows[0].p;
    expect(inserted).toBe((await c.query('SELECT lin_fn(3, 4) AS p')).rows[0].p);
    const stored = await c.query('SELECT id, p FROM scored WHERE id IN (1, 2) ORDER BY id');
    expect(stored.rows).toEqual([{ id: 1, p: p(1) }, { id: 2, p: p(2) }]);
    const updated = await c.query(`UPDATE scored s SET p = -lin_fn(t.x, t.z) FROM pts t WHERE t.id = s.id AND lin_fn(t.x, t.z) > 30`);
    expect(updated.rowCount).toBe(ids().filter((id) => p(id) > 30).length);
    const afterUpdate = await c.query('SELECT id, p FROM scored WHERE id > 0 ORDER BY id');
    for (const row of afterUpdate.rows) expect(row.p).toBe(p(row.id) > 30 ? -p(row.id) : p(row.id));
    const deleted = await c.query(`DELETE FROM scored s USING pts t WHERE t.id = s.id AND lin_fn(t.x, t.z) < 3`);
    expect(deleted.rowCount).toBe(ids().filter((id) => p(id) < 3).length);
    await c.query('CREATE TABLE scored_copy AS SELECT id, lin_fn(x, z) AS p FROM pts WHERE lin_fn(x, z) > 10');
    expect((await c.query('SELECT count(*)::int AS n FROM scored_copy')).rows[0].n).toBe(ids().filter((id) => p(id) > 10).length);

    // ROLLBACK leaves nothing behind, and no temporary objects stay in the session.
    await c.query('BEGIN');
    await c.query('INSERT INTO scored SELECT id, lin_fn(x, z) FROM pts WHERE lin_fn(x, z) > 0');
    await c.query('ROLLBACK');
    expect((await c.query('SELECT count(*)::int AS n FROM scored')).rows[0].n).toBe(401 - ids().filter((id) => p(id) < 3).length);
    const leftovers = await c.query(`SELECT count(*)::int AS n FROM pg_class WHERE relname LIKE 'modelgres_predictions%'`);
    expect(leftovers.rows[0].n).toBe(0);
  });

  test('INSERT ... SELECT keeps INSERT\'s meaning whether it streams through COPY or not', async () => {
    // Same column types: predictions stream into the table with COPY.
    await c.query('CREATE TABLE streamed (id int, p float8 DEFAULT 0, note text DEFAULT \'default\')');
    expect((await c.query('INSERT INTO streamed (id, p) SELECT id, lin_fn(x, z) FROM pts WHERE id <= 5')).rowCount).toBe(5);
    expect((await c.query('SELECT id, p, note FROM streamed ORDER BY id')).rows).toEqual(
      [1, 2, 3, 4, 5].map((id) => ({ id, p: p(id), note: 'default' })),
    );
    // A float8 prediction into an int column: INSERT's assignment cast rounds it, as PostgreSQL does.
    await c.query('CREATE TABLE rounded (id int, p int)');
    await c.query('INSERT INTO rounded SELECT id, lin_fn(x, z) FROM pts WHERE id <= 5');
    const direct = await proxy.direct();
    for (const row of (await c.query('SELECT id, p FROM rounded ORDER BY id')).rows) {
      expect(row.p).toBe((await direct.query('SELECT $1::float8::int AS r', [p(row.id)])).rows[0].r);
    }
  });

  test('COPY (SELECT ...) TO STDOUT and SQL PREPARE / EXECUTE', async () => {
    const copy = await new Promise<string>((resolve, reject) => {
      // psql is the COPY client users have; the query goes through the proxy.
      import('node:child_process').then(({ execFile }) =>
        execFile('psql', [proxy.url, '-X', '-c', 'COPY (SELECT id, lin_fn(x, z) FROM pts WHERE id <= 3 ORDER BY id) TO STDOUT'], (e, out) =>
          e ? reject(e) : resolve(out),
        ),
      );
    });
    expect(copy.trim().split('\n')).toEqual([1, 2, 3].map((id) => `${id}\t${p(id)}`));
    await c.query('PREPARE by_id(int) AS SELECT id, lin_fn(x, z) AS p FROM pts WHERE id = $1');
    for (const id of [5, 6]) expect((await c.query(`EXECUTE by_id(${id})`)).rows).toEqual([{ id, p: p(id) }]);
    await c.query('DEALLOCATE by_id');
    await expect(c.query('EXECUTE by_id(5)')).rejects.toMatchObject({ code: '26000' });
  });

  test('the extended protocol with $n arguments, named statements reused', async () => {
    for (const id of [10, 11, 12]) {
      const r = await c.query({ name: 'where_by', text: 'SELECT id FROM pts WHERE lin_fn(x, z) = $1 AND id = $2', values: [p(id), id] });
      expect(r.rows).toEqual([{ id }]);
    }
    const r = await c.query({ text: 'SELECT lin_fn($1, $2) AS v', values: [3, 4] });
    expect(r.rows[0].v).toBe((await c.query('SELECT lin_fn(3, 4) AS v')).rows[0].v);
  });

  test('other clients are served while a large scoring query runs', async () => {
    await c.query('CREATE TABLE big AS SELECT (g % 17)::float8 AS x, (g % 5)::float8 AS z FROM generate_series(1, 300000) g');
    const other = await proxy.client();
    const order: string[] = [];
    const scoring = c.query('SELECT lin_fn(x, z) AS p FROM big').then((r) => order.push(`scoring ${r.rowCount}`));
    await new Promise((r) => setTimeout(r, 50));
    const quick = other.query('SELECT 1 AS one').then((r) => order.push(`quick ${r.rows[0].one}`));
    await Promise.all([scoring, quick]);
    expect(order).toEqual(['quick 1', 'scoring 300000']);
  });

  test('a construct that cannot be supported says so with 0A000', async () => {
    const correlated = await c.query(
      'SELECT id, (SELECT lin_fn(o.x, i.z) FROM pts i WHERE i.id = 1) FROM pts o WHERE o.id = 2',
    ).catch((e) => e);
    expect(correlated.code).toBe('0A000');
    expect(correlated.message).toContain('outer query');
  });
});
