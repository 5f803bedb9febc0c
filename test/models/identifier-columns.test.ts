import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type pg from 'pg';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { showModel } from '../support/models.ts';

// Feature columns whose names are SQL keywords (CURRENT_DATE is even a function) or need quoting
// for their case. Every SQL modelgres builds from them must quote them, or the model trains on
// the wrong values (current_date) or the statement fails (left).
let proxy: TestProxy;
let c: pg.Client;
beforeAll(async () => {
  proxy = await startTestProxy({ workers: 1 });
  c = await proxy.client();
  await c.query('CREATE SCHEMA ic');
});
afterAll(() => proxy.close());

/** The target, an exact linear formula of the features: the model must recover it. */
const formula = (a: number, b: number, u: number, s: number) => 3 * a - 2 * b + 0.5 * u + 4 * s + 7;

/**
 * How far a prediction may be from the formula: the linear learner's small ridge penalty shrinks
 * each standardised slope by about 1e-4 of itself, so errors stay under 5e-4 of the target's
 * range in the training data (a model trained on wrong values misses by a good part of it).
 */
async function tolerance(table: string): Promise<number> {
  const r = await c.query(`SELECT max(y) - min(y) AS range FROM ${table}`);
  return 5e-4 * r.rows[0].range;
}

describe('feature columns named like keywords', () => {
  test('train on the columns themselves and predict the closed-form target on fresh rows', async () => {
    await c.query(`CREATE TABLE ic.keywords AS
      SELECT (g % 17)::float8 AS "current_date", ((g % 13) * 0.5)::float8 AS "left", (g % 7)::int4 AS "user",
             sqrt(g)::float8 AS "Select", (3 * (g % 17) - 2 * ((g % 13) * 0.5) + 0.5 * (g % 7) + 4 * sqrt(g) + 7)::float8 AS y
        FROM generate_series(1, 2000) g`);
    await c.query(`CREATE MODEL ic.keyword_model FROM ic.keywords TARGET y FUNCTION ic.keyword_fn AUTO OFF MODEL_TYPE LINEAR_LEARNER`);
    const waited = await c.query('WAIT FOR MODEL ic.keyword_model');
    expect(waited.rows[0].state).toBe('READY');

    const fresh: Array<[number, number, number, number]> = [
      [2.5, 1.25, 3, 11.3],
      [16, 0, 6, 44.7],
      [0.25, 5.75, 1, 3.1],
      [9, 3, 0, 30],
    ];
    const values = fresh.map((row) => `(${row.join(', ')})`).join(', ');
    const r = await c.query(
      `SELECT ic.keyword_fn("current_date", "left", "user"::int4, "Select") AS p
         FROM (VALUES ${values}) AS v("current_date", "left", "user", "Select")`,
    );
    expect(r.rows).toHaveLength(fresh.length);
    const tol = await tolerance('ic.keywords');
    fresh.forEach((row, i) => expect(Math.abs(r.rows[i].p - formula(...row))).toBeLessThan(tol));
  });

  test('the same columns, reordered in a FROM query, train the same formula', async () => {
    await c.query(`CREATE MODEL ic.keyword_query FROM (SELECT "Select", "user", "left", "current_date", y FROM ic.keywords)
                   TARGET y FUNCTION ic.keyword_query_fn AUTO OFF MODEL_TYPE LINEAR_LEARNER`);
    expect((await c.query('WAIT FOR MODEL ic.keyword_query')).rows[0].state).toBe('READY');
    const r = await c.query(`SELECT ic.keyword_query_fn(20::float8, 4, 1.5::float8, 8::float8) AS p`);
    expect(Math.abs(r.rows[0].p - formula(8, 1.5, 4, 20))).toBeLessThan(await tolerance('ic.keywords'));
  });

  test('a column named current_date is the column, never the CURRENT_DATE function', async () => {
    await c.query(`CREATE TABLE ic."Dated" AS SELECT (g % 50)::float8 AS "current_date", (2 * (g % 50) + 1)::float8 AS y FROM generate_series(1, 500) g`);
    await c.query(`CREATE MODEL ic.dated_model FROM ic."Dated" TARGET y FUNCTION ic.dated_fn AUTO OFF MODEL_TYPE LINEAR_LEARNER`);
    expect((await c.query('WAIT FOR MODEL ic.dated_model')).rows[0].state).toBe('READY');
    const r = await c.query(`SELECT ic.dated_fn(x) AS p, 2 * x + 1 AS y FROM (VALUES (7.5::float8), (33.25::float8)) AS v(x)`);
    const tol = await tolerance('ic."Dated"');
    for (const row of r.rows) expect(Math.abs(row.p - row.y)).toBeLessThan(tol);
    // SHOW MODEL names the table as PostgreSQL's quote_ident spells it.
    const label = (await c.query(`SELECT 'ic.' || quote_ident('Dated') AS l`)).rows[0].l;
    expect((await showModel(c, 'ic.dated_model')).values.get('Table')).toBe(label);
  });

  test('EVALUATE MODEL and SHOW MODEL DRIFT read the keyword-named columns themselves', async () => {
    await c.query('WAIT FOR MODEL ic.keyword_model');
    const r = await c.query('EVALUATE MODEL ic.keyword_model FROM ic.keywords');
    const metrics = new Map(r.rows.map((row) => [row.metric, row.value]));
    const rows = (await c.query('SELECT y, ic.keyword_fn("current_date", "left", "user", "Select") AS p FROM ic.keywords')).rows;
    const mse = rows.reduce((sum, row) => sum + (row.y - row.p) ** 2, 0) / rows.length;
    expect(metrics.get('mse')).toBeCloseTo(mse, 9);
    const drift = await c.query('SHOW MODEL ic.keyword_model DRIFT FROM ic.keywords');
    expect(drift.rows.map((row) => [row.feature, row.drifted])).toEqual([
      ['current_date', false], ['left', false], ['user', false], ['Select', false], ['(prediction)', false],
    ]);
  });
});
