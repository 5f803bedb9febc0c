import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type pg from 'pg';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { ClassificationAccumulator, RegressionAccumulator } from '../../src/monitor/evaluation-metrics.ts';

describe('evaluation metrics, checked by hand', () => {
  test('regression: mse, rmse, mae, r2', () => {
    const acc = new RegressionAccumulator();
    for (const [y, p] of [[1, 2], [2, 2], [3, 5]]) acc.add(y, p);
    const m = acc.result();
    expect(m.mse).toBeCloseTo((1 + 0 + 4) / 3, 12);
    expect(m.rmse).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(m.mae).toBeCloseTo(1, 12);
    expect(m.r2).toBeCloseTo(1 - 5 / 2, 12); // SST = 2 around the mean 2
  });

  test('binary: accuracy, precision, recall, f1, auc and the confusion matrix', () => {
    const acc = new ClassificationAccumulator('t');
    const rows: Array<[string, string, number]> = [
      ['t', 't', 0.9], ['t', 'f', 0.4], ['f', 'f', 0.2], ['f', 't', 0.6], ['t', 't', 0.8],
    ];
    for (const [a, p, s] of rows) acc.add(a, p, s);
    const m = acc.result();
    expect(m.accuracy).toBeCloseTo(3 / 5, 12);
    expect(m.precision).toBeCloseTo(2 / 3, 12);
    expect(m.recall).toBeCloseTo(2 / 3, 12);
    expect(m.f1).toBeCloseTo(2 / 3, 12);
    // Positives 0.9, 0.4, 0.8 against negatives 0.2, 0.6: 5 of 6 pairs ordered right.
    expect(m.auc).toBeCloseTo(5 / 6, 12);
    expect(m.confusion).toEqual({ f: { f: 1, t: 1 }, t: { f: 1, t: 2 } });
  });
});

describe('EVALUATE MODEL through the proxy', () => {
  let proxy: TestProxy;
  let c: pg.Client;
  beforeAll(async () => {
    proxy = await startTestProxy({ workers: 1 });
    c = await proxy.client();
    await c.query(`CREATE TABLE ev AS SELECT g AS id, (g % 10)::float8 AS x, (3 * (g % 10) + 1)::float8 AS y,
                          (g % 10) >= 5 AS big FROM generate_series(1, 600) g`);
    await c.query('CREATE MODEL ev_reg FROM (SELECT x, y FROM ev) TARGET y FUNCTION ev_reg_fn');
    await c.query('CREATE MODEL ev_bin FROM (SELECT x, big FROM ev) TARGET big FUNCTION ev_bin_fn');
    await c.query('WAIT FOR MODEL ev_reg');
    await c.query('WAIT FOR MODEL ev_bin');
  });
  afterAll(() => proxy.close());

  test('regression metrics equal those computed from the model function, and are kept', async () => {
    const r = await c.query('EVALUATE MODEL ev_reg FROM (SELECT x, y FROM ev WHERE id <= 300)');
    const metrics = new Map(r.rows.map((row) => [row.metric, row.value]));
    const rows = (await c.query('SELECT y, ev_reg_fn(x) AS p FROM ev WHERE id <= 300')).rows;
    const mse = rows.reduce((s, row) => s + (row.y - row.p) ** 2, 0) / rows.length;
    expect(metrics.get('mse')).toBeCloseTo(mse, 9);
    expect(metrics.get('rmse')).toBeCloseTo(Math.sqrt(mse), 9);
    expect(metrics.get('r2')).toBeGreaterThan(0.99);
    await c.query('EVALUATE MODEL ev_reg VERSION 1 FROM ev');
    const kept = await c.query('SHOW MODEL ev_reg EVALUATIONS');
    expect(kept.rows.map((row) => [row.version, row.row_count, row.source])).toEqual([
      [1, '300', 'SELECT x, y FROM ev WHERE id <= 300'],
      [1, '600', 'ev'],
    ]);
    expect(kept.rows[0].metrics.mse).toBeCloseTo(mse, 9);
  });

  test('classification metrics, AUC and the confusion matrix', async () => {
    const r = await c.query('EVALUATE MODEL ev_bin FROM ev');
    const byMetric = new Map(r.rows.map((row) => [row.metric, row]));
    expect(byMetric.get('accuracy').value).toBe(1);
    expect(byMetric.get('auc').value).toBe(1);
    expect(byMetric.get('confusion_matrix').detail).toEqual({ f: { f: 300, t: 0 }, t: { f: 0, t: 300 } });
    await expect(c.query('EVALUATE MODEL no_such_model FROM ev')).rejects.toMatchObject({ code: '42704' });
  });
});
