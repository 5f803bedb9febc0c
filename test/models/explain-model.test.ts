import { afterAll, beforeAll, expect, test } from 'vitest';
import type pg from 'pg';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';

let proxy: TestProxy;
let c: pg.Client;
beforeAll(async () => {
  proxy = await startTestProxy({ workers: 1 });
  c = await proxy.client();
  await c.query(`CREATE TABLE ex AS SELECT (g % 37)::float8 AS strong, (g % 11)::float8 AS weak, (g % 7)::float8 AS unused,
                   (10 * (g % 37) + (g % 11))::float8 AS y FROM generate_series(1, 2000) g`);
  await c.query(`CREATE MODEL ex_model FROM ex TARGET y FUNCTION ex_fn AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'reg:squarederror'`);
  await c.query('WAIT FOR MODEL ex_model');
});
afterAll(() => proxy.close());

test("EXPLAIN_MODEL('m') gives the global feature importance, unqualified through the proxy", async () => {
  const r = await c.query(`SELECT EXPLAIN_MODEL('ex_model') AS e`);
  const e = r.rows[0].e;
  expect(e.model).toBe('public.ex_model');
  expect(e.model_version).toBe(1);
  expect(e.explanations.method).toBe('tree_shap');
  const imp = e.explanations.global_importance;
  expect(Object.keys(imp).sort()).toEqual(['strong', 'unused', 'weak']);
  expect(imp.strong).toBeGreaterThan(imp.weak);
  expect(imp.weak).toBeGreaterThan(imp.unused);
  expect(imp.unused).toBeLessThan(imp.strong / 100);
  await expect(c.query(`SELECT EXPLAIN_MODEL('nope')`)).rejects.toMatchObject({ code: '42704' });
});
