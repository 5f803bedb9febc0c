import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import ort from 'onnxruntime-node';
import type pg from 'pg';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { storedModelSession } from '../support/stored-model.ts';
import { pollUntil } from '../support/poll.ts';

/*
 * References, both computed without the proxy:
 * - lin_fn is a linear learner trained on y = 2x - z + 1 exactly, so it predicts that formula up
 *   to its ridge shrinkage and float32; the test computes the formula in TS. Thresholds sit halfway
 *   between the formula's integer values, so that small error never decides a comparison.
 * - trees_fn is a GBDT; its reference is onnxruntime run directly on the stored artifact, on the
 *   same (x, z) inputs. The proxy returns onnxruntime's float32 output as float8, so it compares exactly.
 */
const ROWS = 400;
const ids = Array.from({ length: ROWS }, (_, i) => i + 1);
const xOf = (id: number) => id % 17;
const zOf = (id: number) => id % 5;
const formula = (x: number, z: number) => 2 * x - z + 1;
/** The closed-form target of row `id`: what lin_fn must predict. */
const f = (id: number) => formula(xOf(id), zOf(id));
/**
 * The learner's ridge penalty (1e-4 per row, on standardised columns) shrinks the weights by a
 * relative 1e-4, so over the formula's range (-3..33) predictions stay within 2e-3 of it; far
 * below the 0.5 between a formula value and the nearest threshold.
 */
const LINEAR_TOLERANCE = 5e-3;

let proxy: TestProxy;
let c: pg.Client;
let treeSession: ort.InferenceSession;
/** onnxruntime's prediction of the stored tree artifact for each row id. */
let tree: Map<number, number>;

/** onnxruntime on the stored tree artifact, fed (x, z) as the proxy feeds float8 arguments. */
async function treeReference(xs: number[], zs: number[]): Promise<number[]> {
  const [a, b] = treeSession.inputNames;
  const out = await treeSession.run({
    [a]: new ort.Tensor('float32', Float32Array.from(xs), [xs.length, 1]),
    [b]: new ort.Tensor('float32', Float32Array.from(zs), [zs.length, 1]),
  });
  return Array.from(out[treeSession.outputNames[0]].data as Float32Array);
}

/** Every value within LINEAR_TOLERANCE of (sign times) the formula for its id. */
function expectFormula(rows: Array<{ id: number; p: unknown }>, sign = 1): void {
  expect(rows.length).toBeGreaterThan(0);
  let worst = { id: 0, p: 0 as unknown, gap: -1 };
  for (const row of rows) {
    const gap = typeof row.p === 'number' ? Math.abs(row.p - sign * f(row.id)) : Infinity;
    if (!(gap <= worst.gap)) worst = { id: row.id, p: row.p, gap };
  }
  expect(worst.gap, `row ${worst.id}: ${worst.p} vs ${sign * f(worst.id)}`).toBeLessThan(LINEAR_TOLERANCE);
}

const treeValues = () => [...new Set(tree.values())].sort((a, b) => a - b);
/** A threshold strictly between two distinct tree predictions, near the given quantile. */
function treeThreshold(q: number): number {
  const values = treeValues();
  const i = Math.min(values.length - 2, Math.floor(q * (values.length - 1)));
  return (values[i] + values[i + 1]) / 2;
}

beforeAll(async () => {
  proxy = await startTestProxy({ workers: 1 });
  c = await proxy.client();
  await c.query(`CREATE TABLE pts AS
    SELECT g AS id, (g % 17)::float8 AS x, (g % 5)::float8 AS z, (g % 3)::int AS grp,
           (2 * (g % 17) - (g % 5) + 1)::float8 AS y
      FROM generate_series(1, ${ROWS}) g`);
  await c.query('CREATE MODEL lin FROM (SELECT x, z, y FROM pts) TARGET y FUNCTION lin_fn AUTO OFF MODEL_TYPE LINEAR_LEARNER');
  await c.query('CREATE MODEL trees FROM (SELECT x, z, y FROM pts) TARGET y FUNCTION trees_fn');
  await c.query('WAIT FOR MODEL lin');
  await c.query('WAIT FOR MODEL trees');
  treeSession = await storedModelSession(proxy, 'trees');
  const predictions = await treeReference(ids.map(xOf), ids.map(zOf));
  tree = new Map(ids.map((id, i) => [id, predictions[i]]));
  // The tree reference must discriminate: many distinct values, tracking the target.
  expect(treeValues().length).toBeGreaterThan(20);
  for (const id of ids) expect(Math.abs(tree.get(id)! - f(id))).toBeLessThan(3);
});
afterAll(() => proxy.close());

const t = (id: number) => tree.get(id)!;
const sum = (values: number[]) => values.reduce((s, v) => s + v, 0);

describe('a model function wherever an expression can stand', () => {
  test('the references hold on every row: lin_fn is the formula, trees_fn is onnxruntime on the stored artifact', async () => {
    const r = await c.query('SELECT id, lin_fn(x, z) AS p, trees_fn(x, z) AS t FROM pts ORDER BY id');
    expect(r.rows.map((row) => row.id)).toEqual(ids);
    expectFormula(r.rows);
    expect(r.rows.map((row) => row.t)).toEqual(ids.map(t));
  });

  test('WHERE, ORDER BY, and the select list of a nested query', async () => {
    const where = await c.query('SELECT id FROM pts WHERE lin_fn(x, z) > 20.5 ORDER BY id');
    expect(where.rows.map((r) => r.id)).toEqual(ids.filter((id) => f(id) > 20.5));
    const cut = treeThreshold(0.5);
    const whereTree = await c.query(`SELECT id FROM pts WHERE trees_fn(x, z) < ${cut} ORDER BY id`);
    expect(whereTree.rows.map((r) => r.id)).toEqual(ids.filter((id) => t(id) < cut));

    // The five largest formula values are one (x, z) = (16, 0), so ties break on id alone.
    const ordered = await c.query('SELECT id FROM pts ORDER BY lin_fn(x, z) DESC, id LIMIT 5');
    expect(ordered.rows.map((r) => r.id)).toEqual([...ids].sort((a, b) => f(b) - f(a) || a - b).slice(0, 5));
    const orderedTree = await c.query('SELECT id FROM pts ORDER BY trees_fn(x, z), id LIMIT 30');
    expect(orderedTree.rows.map((r) => r.id)).toEqual([...ids].sort((a, b) => t(a) - t(b) || a - b).slice(0, 30));

    const nested = await c.query(
      'SELECT s.id, s.p, s.t FROM (SELECT id, lin_fn(x, z) AS p, trees_fn(x, z) AS t FROM pts) s WHERE s.id <= 3 ORDER BY s.id',
    );
    expect(nested.rows.map((r) => r.id)).toEqual([1, 2, 3]);
    expectFormula(nested.rows);
    expect(nested.rows.map((r) => r.t)).toEqual([1, 2, 3].map(t));
  });

  test('ORDER BY and GROUP BY naming a call by its position or output name mean that call', async () => {
    const top = [...ids].sort((a, b) => f(b) - f(a) || a - b).slice(0, 5);
    for (const order of ['p DESC, id', '2 DESC, 1']) {
      const r = await c.query(`SELECT id, lin_fn(x, z) AS p FROM pts ORDER BY ${order} LIMIT 5`);
      expect(r.rows.map((row) => row.id), order).toEqual(top);
      expectFormula(r.rows);
    }
    const bare = await c.query('SELECT id, trees_fn(x, z) FROM pts ORDER BY trees_fn DESC, id LIMIT 5');
    expect(bare.rows.map((row) => row.id)).toEqual([...ids].sort((a, b) => t(b) - t(a) || a - b).slice(0, 5));

    // With z = 0 the prediction is 2x + 1: one group per x value.
    const xs = [...new Set(ids.map(xOf))].sort((a, b) => a - b);
    for (const group of ['1', 'b']) {
      const r = await c.query(`SELECT lin_fn(x, 0) AS b, count(*)::int AS n FROM pts GROUP BY ${group} ORDER BY ${group}`);
      expect(r.rows.map((row) => row.n), group).toEqual(xs.map((x) => ids.filter((id) => xOf(id) === x).length));
      r.rows.forEach((row, i) => expect(Math.abs(row.b - formula(xs[i], 0))).toBeLessThan(LINEAR_TOLERANCE));
    }
  });

  test('aggregates, GROUP BY and HAVING', async () => {
    const r = await c.query(
      `SELECT grp, avg(lin_fn(x, z)) AS mean, avg(trees_fn(x, z)) AS tree_mean, count(*)::int AS n
         FROM pts GROUP BY grp HAVING max(lin_fn(x, z)) > 0 ORDER BY grp`,
    );
    const groups = [0, 1, 2].map((g) => ids.filter((id) => id % 3 === g));
    expect(r.rows.map((row) => row.grp)).toEqual([0, 1, 2]);
    r.rows.forEach((row, g) => {
      expect(row.n).toBe(groups[g].length);
      expect(Math.abs(row.mean - sum(groups[g].map(f)) / groups[g].length)).toBeLessThan(LINEAR_TOLERANCE);
      expect(row.tree_mean).toBeCloseTo(sum(groups[g].map(t)) / groups[g].length, 9);
    });
    // HAVING filters on a model value: only groups whose largest tree prediction is below the cut.
    const cut = treeThreshold(0.9);
    const having = await c.query(`SELECT grp FROM pts GROUP BY grp HAVING max(trees_fn(x, z)) < ${cut} ORDER BY grp`);
    expect(having.rows.map((row) => row.grp)).toEqual([0, 1, 2].filter((g) => Math.max(...groups[g].map(t)) < cut));

    // With z = 0 the prediction is 2x + 1: one group per x value.
    const grouped = await c.query('SELECT lin_fn(x, 0) AS bucket, count(*)::int AS n FROM pts GROUP BY lin_fn(x, 0) ORDER BY 1');
    const xs = [...new Set(ids.map(xOf))].sort((a, b) => a - b);
    expect(grouped.rows.map((row) => row.n)).toEqual(xs.map((x) => ids.filter((id) => xOf(id) === x).length));
    grouped.rows.forEach((row, i) => expect(Math.abs(row.bucket - formula(xs[i], 0))).toBeLessThan(LINEAR_TOLERANCE));

    const groupedTree = await c.query('SELECT trees_fn(x, z) AS bucket, count(*)::int AS n FROM pts GROUP BY trees_fn(x, z) ORDER BY 1');
    const counts = new Map<number, number>();
    for (const id of ids) counts.set(t(id), (counts.get(t(id)) ?? 0) + 1);
    expect(groupedTree.rows).toEqual([...counts].sort((a, b) => a[0] - b[0]).map(([bucket, n]) => ({ bucket, n })));
  });

  test('CASE, scalar and IN subqueries, CTEs feeding CTEs, UNION branches', async () => {
    const cut = treeThreshold(0.3);
    const cased = await c.query(
      `SELECT id, CASE WHEN lin_fn(x, z) > 15.5 THEN 'high' ELSE 'low' END AS level,
              CASE WHEN trees_fn(x, z) > ${cut} THEN 'high' ELSE 'low' END AS tree_level
         FROM pts WHERE id <= 40 ORDER BY id`,
    );
    const first40 = ids.slice(0, 40);
    expect(cased.rows.map((r) => r.level)).toEqual(first40.map((id) => (f(id) > 15.5 ? 'high' : 'low')));
    expect(cased.rows.map((r) => r.tree_level)).toEqual(first40.map((id) => (t(id) > cut ? 'high' : 'low')));

    const scalar = await c.query('SELECT (SELECT max(lin_fn(x, z)) FROM pts) AS top, (SELECT min(trees_fn(x, z)) FROM pts) AS bottom');
    expect(Math.abs(scalar.rows[0].top - Math.max(...ids.map(f)))).toBeLessThan(LINEAR_TOLERANCE);
    expect(scalar.rows[0].bottom).toBe(Math.min(...ids.map(t)));

    const within = await c.query('SELECT count(*)::int AS n FROM pts WHERE id IN (SELECT id FROM pts WHERE lin_fn(x, z) < 5.5)');
    expect(within.rows[0].n).toBe(ids.filter((id) => f(id) < 5.5).length);
    const withinTree = await c.query(
      `SELECT array_agg(id ORDER BY id) AS ids FROM pts WHERE id IN (SELECT id FROM pts WHERE trees_fn(x, z) > ${cut})`,
    );
    expect(withinTree.rows[0].ids).toEqual(ids.filter((id) => t(id) > cut));

    const ctes = await c.query(
      `WITH scored AS (SELECT id, lin_fn(x, z) AS p, trees_fn(x, z) AS t FROM pts),
            top AS (SELECT id, t FROM scored WHERE p > 25.5)
       SELECT count(*)::int AS n, sum(t) AS t FROM top`,
    );
    const top = ids.filter((id) => f(id) > 25.5);
    expect(ctes.rows[0].n).toBe(top.length);
    expect(ctes.rows[0].t).toBeCloseTo(sum(top.map(t)), 9);

    const union = await c.query(
      `SELECT 1 AS id, lin_fn(x, z) AS p, trees_fn(x, z) AS t FROM pts WHERE id = 1
       UNION ALL SELECT 2, lin_fn(x, z), trees_fn(x, z) FROM pts WHERE id = 2`,
    );
    expect(union.rows.map((r) => r.id)).toEqual([1, 2]);
    expectFormula(union.rows);
    expect(union.rows.map((r) => r.t)).toEqual([t(1), t(2)]);
  });

  test('JOIN ... ON, two models and two versions in one statement, expressions, casts and NULLs as arguments', async () => {
    // Equal formula values from different (x, z) may differ in the last bits: join on closeness.
    const joined = await c.query(
      `SELECT a.id AS a, b.id AS b FROM pts a JOIN pts b ON abs(lin_fn(a.x, a.z) - lin_fn(b.x, b.z)) < 0.25 AND a.id < b.id
        WHERE a.id <= 3 ORDER BY 1, 2`,
    );
    const pairs: Array<{ a: number; b: number }> = [];
    for (const a of [1, 2, 3]) for (const b of ids) if (a < b && f(a) === f(b)) pairs.push({ a, b });
    expect(pairs.length).toBeGreaterThan(10);
    expect(joined.rows).toEqual(pairs);

    const joinedTree = await c.query(
      `SELECT a.id AS a, b.id AS b FROM pts a JOIN pts b ON trees_fn(a.x, a.z) = trees_fn(b.x, b.z) AND a.id < b.id
        WHERE a.id <= 3 ORDER BY 1, 2`,
    );
    const treePairs: Array<{ a: number; b: number }> = [];
    for (const a of [1, 2, 3]) for (const b of ids) if (a < b && t(a) === t(b)) treePairs.push({ a, b });
    expect(joinedTree.rows).toEqual(treePairs);

    const cut = treeThreshold(0.1);
    const both = await c.query(
      `SELECT id, lin_fn(x, z) AS p, trees_fn(x, z) AS t, lin_fn_v1(x, z) AS p1 FROM pts
        WHERE trees_fn(x, z) > ${cut} AND id <= 30 ORDER BY id`,
    );
    expect(both.rows.map((r) => r.id)).toEqual(ids.slice(0, 30).filter((id) => t(id) > cut));
    expectFormula(both.rows);
    expectFormula(both.rows.map((r) => ({ id: r.id, p: r.p1 })));
    expect(both.rows.map((r) => r.t)).toEqual(both.rows.map((r) => t(r.id)));

    const exprs = await c.query(
      `SELECT lin_fn(x + 0, '0'::float8 + z) AS a, trees_fn(x * 1, z::int) AS b, lin_fn(NULL, z) IS NOT NULL AS c
         FROM pts WHERE id = 7 AND lin_fn(x, z) > -1000`,
    );
    expect(Math.abs(exprs.rows[0].a - f(7))).toBeLessThan(LINEAR_TOLERANCE);
    expect(exprs.rows[0].b).toBe(t(7));
    expect(exprs.rows[0].c).toBe(true);
  });

  test('INSERT ... SELECT, INSERT ... VALUES, UPDATE ... SET/WHERE, DELETE ... WHERE, CREATE TABLE AS write back in the transaction', async () => {
    await c.query('CREATE TABLE scored (id int, p float8, t float8)');
    expect((await c.query('INSERT INTO scored SELECT id, lin_fn(x, z), trees_fn(x, z) FROM pts')).rowCount).toBe(ROWS);
    expect((await c.query(`INSERT INTO scored VALUES (0, lin_fn(3, 4), trees_fn(3, 4))`)).rowCount).toBe(1);
    const inserted = (await c.query('SELECT p, t FROM scored WHERE id = 0')).rows[0];
    expect(Math.abs(inserted.p - formula(3, 4))).toBeLessThan(LINEAR_TOLERANCE);
    expect(inserted.t).toBe((await treeReference([3], [4]))[0]);
    const stored = await c.query('SELECT id, p, t FROM scored WHERE id > 0 ORDER BY id');
    expect(stored.rows.map((r) => r.id)).toEqual(ids);
    expectFormula(stored.rows);
    expect(stored.rows.map((r) => r.t)).toEqual(ids.map(t));

    const updated = await c.query(
      `UPDATE scored s SET p = -lin_fn(t.x, t.z), t = -trees_fn(t.x, t.z) FROM pts t WHERE t.id = s.id AND lin_fn(t.x, t.z) > 30.5`,
    );
    const high = (id: number) => f(id) > 30.5;
    expect(updated.rowCount).toBe(ids.filter(high).length);
    const afterUpdate = await c.query('SELECT id, p, t FROM scored WHERE id > 0 ORDER BY id');
    expectFormula(afterUpdate.rows.filter((row) => high(row.id)), -1);
    expectFormula(afterUpdate.rows.filter((row) => !high(row.id)));
    expect(afterUpdate.rows.map((row) => row.t)).toEqual(ids.map((id) => (high(id) ? -t(id) : t(id))));

    const cut = treeThreshold(0.2);
    const deleted = await c.query(`DELETE FROM scored s USING pts t WHERE t.id = s.id AND trees_fn(t.x, t.z) < ${cut}`);
    const low = (id: number) => t(id) < cut;
    expect(deleted.rowCount).toBe(ids.filter(low).length);
    const left = await c.query('SELECT array_agg(id ORDER BY id) AS ids FROM scored WHERE id > 0');
    expect(left.rows[0].ids).toEqual(ids.filter((id) => !low(id)));

    await c.query('CREATE TABLE scored_copy AS SELECT id, lin_fn(x, z) AS p, trees_fn(x, z) AS t FROM pts WHERE lin_fn(x, z) > 10.5');
    const copied = await c.query('SELECT id, p, t FROM scored_copy ORDER BY id');
    expect(copied.rows.map((r) => r.id)).toEqual(ids.filter((id) => f(id) > 10.5));
    expectFormula(copied.rows);
    expect(copied.rows.map((r) => r.t)).toEqual(copied.rows.map((r) => t(r.id)));

    // ROLLBACK leaves nothing behind, and no temporary objects stay in the session.
    await c.query('BEGIN');
    await c.query('INSERT INTO scored SELECT id, lin_fn(x, z) FROM pts WHERE lin_fn(x, z) > 0');
    await c.query('ROLLBACK');
    expect((await c.query('SELECT count(*)::int AS n FROM scored')).rows[0].n).toBe(ROWS + 1 - ids.filter(low).length);
    const leftovers = await c.query(`SELECT count(*)::int AS n FROM pg_class WHERE relname LIKE 'modelgres_predictions%'`);
    expect(leftovers.rows[0].n).toBe(0);
  });

  test('INSERT ... SELECT keeps INSERT\'s meaning whether it streams through COPY or not', async () => {
    // Same column types: predictions stream into the table with COPY.
    await c.query('CREATE TABLE streamed (id int, p float8 DEFAULT 0, t float8, note text DEFAULT \'default\')');
    expect((await c.query('INSERT INTO streamed (id, p, t) SELECT id, lin_fn(x, z), trees_fn(x, z) FROM pts WHERE id <= 5')).rowCount).toBe(5);
    const streamed = await c.query('SELECT id, p, t, note FROM streamed ORDER BY id');
    expect(streamed.rows.map((r) => [r.id, r.t, r.note])).toEqual([1, 2, 3, 4, 5].map((id) => [id, t(id), 'default']));
    expectFormula(streamed.rows);
    // A float8 prediction into an int column: INSERT's assignment cast rounds it, as PostgreSQL does.
    await c.query('CREATE TABLE rounded (id int, p int, t int)');
    await c.query('INSERT INTO rounded SELECT id, lin_fn(x, z), trees_fn(x, z) FROM pts WHERE id <= 40');
    const direct = await proxy.direct();
    const rounded = (await c.query('SELECT id, p, t FROM rounded ORDER BY id')).rows;
    expect(rounded.map((r) => r.id)).toEqual(ids.slice(0, 40));
    const castByPostgres = await direct.query('SELECT r::int AS r FROM unnest($1::float8[]) r', [rounded.map((r) => t(r.id))]);
    expect(rounded.map((r) => r.p)).toEqual(rounded.map((r) => f(r.id)));
    expect(rounded.map((r) => r.t)).toEqual(castByPostgres.rows.map((r) => r.r));

    // Text the client's columns carry reaches the table as it was: COPY's escapes (tab, newline,
    // carriage return, backslash), NULL, the two characters \N, and more than one batch of rows.
    await c.query(`CREATE TABLE notes_src AS SELECT g AS id, (g % 17)::float8 AS x, (g % 5)::float8 AS z,
      CASE g % 6 WHEN 0 THEN NULL WHEN 1 THEN E'tab\\there' WHEN 2 THEN E'line\\nbreak\\r' WHEN 3 THEN E'back\\\\slash'
                 WHEN 4 THEN '\\N' ELSE 'plain ' || g END AS note FROM generate_series(1, 20000) g`);
    await c.query('CREATE TABLE notes (id int, note text, p float8)');
    await c.query('INSERT INTO notes SELECT id, note, lin_fn(x, z) FROM notes_src');
    const mismatched = await direct.query(
      'SELECT count(*)::int AS n FROM notes_src s FULL JOIN notes n USING (id) WHERE n.note IS DISTINCT FROM s.note OR n.id IS NULL OR s.id IS NULL',
    );
    expect(mismatched.rows[0].n).toBe(0);
    const predicted = await direct.query('SELECT id, p FROM notes WHERE id <= 400 ORDER BY id');
    expectFormula(predicted.rows);
  });

  test('COPY (SELECT ...) TO STDOUT and SQL PREPARE / EXECUTE', async () => {
    // psql is the COPY client users have; the query goes through the proxy.
    const sql = 'COPY (SELECT id, lin_fn(x, z), trees_fn(x, z) FROM pts WHERE id <= 20 ORDER BY id) TO STDOUT';
    const copy = await new Promise<string>((resolve, reject) =>
      execFile('psql', [proxy.url, '-X', '-c', sql], (e, out) => (e ? reject(e) : resolve(out))),
    );
    const lines = copy.trim().split('\n').map((line) => line.split('\t').map(Number));
    expect(lines.map(([id]) => id)).toEqual(ids.slice(0, 20));
    expectFormula(lines.map(([id, p]) => ({ id, p })));
    expect(lines.map(([, , tv]) => tv)).toEqual(ids.slice(0, 20).map(t));

    await c.query('PREPARE by_id(int) AS SELECT id, lin_fn(x, z) AS p, trees_fn(x, z) AS t FROM pts WHERE id = $1');
    for (const id of [5, 6]) {
      const rows = (await c.query(`EXECUTE by_id(${id})`)).rows;
      expect(rows.map((r) => [r.id, r.t])).toEqual([[id, t(id)]]);
      expectFormula(rows);
    }
    await c.query('DEALLOCATE by_id');
    await expect(c.query('EXECUTE by_id(5)')).rejects.toMatchObject({ code: '26000' });
  });

  test('the extended protocol with $n arguments, named statements reused', async () => {
    const near = 'SELECT id FROM pts WHERE abs(lin_fn(x, z) - $1) < 0.25 AND id = $2';
    for (const id of [10, 11, 12]) {
      expect((await c.query({ name: 'near', text: near, values: [f(id), id] })).rows).toEqual([{ id }]);
      expect((await c.query({ name: 'near', text: near, values: [f(id) + 1, id] })).rows).toEqual([]);
      const tr = await c.query({ name: 'where_tree', text: 'SELECT id FROM pts WHERE trees_fn(x, z) = $1 AND id = $2', values: [t(id), id] });
      expect(tr.rows).toEqual([{ id }]);
    }
    const r = await c.query({ text: 'SELECT lin_fn($1, $2) AS p, trees_fn($1, $2) AS t', values: [3, 4] });
    expect(Math.abs(r.rows[0].p - formula(3, 4))).toBeLessThan(LINEAR_TOLERANCE);
    expect(r.rows[0].t).toBe((await treeReference([3], [4]))[0]);
  });

  test('other clients are served while a large scoring query runs', async () => {
    const BIG = 300_000;
    await c.query(`CREATE TABLE big AS SELECT g, (g % 17)::float8 AS x, (g % 5)::float8 AS z FROM generate_series(1, ${BIG}) g`);
    const other = await proxy.client();
    const direct = await proxy.direct();
    const order: string[] = [];
    const scoring = c.query('SELECT g, lin_fn(x, z) AS p FROM big').then((r) => {
      order.push('scoring');
      return r;
    });
    // Wait until the scoring query is streaming: PostgreSQL shows the rewritten statement running.
    await pollUntil(
      'the scoring query to stream',
      async () => {
        if (order.length > 0) throw new Error('the scoring query finished before it was seen streaming');
        const fetching = await direct.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND state = 'active' AND query LIKE '%AS modelgres_arg_0_0%FROM big'`,
        );
        return fetching.rows[0].n as number;
      },
      (n) => n > 0,
      { intervalMs: 5 },
    );
    const quick = await other.query('SELECT 1 AS one');
    order.push('quick');
    expect(quick.rows).toEqual([{ one: 1 }]);
    const scored = await scoring;
    expect(order).toEqual(['quick', 'scoring']);
    expect(scored.rowCount).toBe(BIG);
    expectFormula(scored.rows.map((r) => ({ id: r.g, p: r.p })));
  });

  test('a call whose arguments come from an outer query is evaluated by PostgreSQL with the compiled body', async () => {
    // Row 2's x with row 1's z: the prediction of (x, z) = (2, 1).
    const correlated = await c.query('SELECT id, (SELECT trees_fn(o.x, i.z) FROM pts i WHERE i.id = 1) AS p FROM pts o WHERE o.id = 2');
    const [expected] = await treeReference([xOf(2)], [zOf(1)]);
    expect(correlated.rows).toHaveLength(1);
    expect(Math.abs(correlated.rows[0].p - expected)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(expected)));
  });
});
