import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import ort from 'onnxruntime-node';
import type pg from 'pg';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { storedModelSession } from '../support/stored-model.ts';

let proxy: TestProxy;
let c: pg.Client;
beforeAll(async () => {
  proxy = await startTestProxy({ workers: 1 });
  c = await proxy.client();
  await c.query(`CREATE TABLE obj AS
    SELECT (g % 23)::float8 AS a, (g % 7)::float8 AS b,
           (1 + (g % 23) * 0.5 + (g % 7))::float8 AS pos,        -- positive, for squaredlogerror and tweedie
           ((g % 23) / 22.0)::float8 AS share,                      -- in [0, 1], for reg:logistic
           (g % 23) > 11 AS flag,
           (array['x','y','z'])[1 + (g % 23) / 8] AS three
      FROM generate_series(1, 900) g`);
});
afterAll(() => proxy.close());

/** What onnxruntime gives for the stored artifact, fed as the proxy feeds it. */
async function onnxPredictions(model: string, rows: Array<{ a: number; b: number }>): Promise<ort.Tensor> {
  const session = await storedModelSession(proxy, model);
  const [a, b] = session.inputNames;
  const out = await session.run({
    [a]: new ort.Tensor('float32', Float32Array.from(rows.map((row) => row.a)), [rows.length, 1]),
    [b]: new ort.Tensor('float32', Float32Array.from(rows.map((row) => row.b)), [rows.length, 1]),
  });
  return out.variable ?? out.label;
}

const meanAbs = (values: number[]) => values.reduce((s, v) => s + Math.abs(v), 0) / values.length;

/** Pearson correlation; NaN (failing any comparison) when either side is constant. */
function correlation(a: number[], b: number[]): number {
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const ma = mean(a);
  const mb = mean(b);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) ** 2;
    bb += (b[i] - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

const REGRESSION: Array<[string, string]> = [
  ['reg:squarederror', 'pos'],
  ['reg:squaredlogerror', 'pos'],
  ['reg:logistic', 'share'],
  ['reg:pseudohubererror', 'pos'],
  ['reg:tweedie', 'pos'],
];

describe('every XGBoost objective trains through the proxy, and the proxy predicts what onnxruntime does', () => {
  for (const [objective, target] of REGRESSION) {
    test(objective, async () => {
      const name = `obj_${objective.replace(/\W/g, '_')}`;
      await c.query(
        `CREATE MODEL ${name} FROM (SELECT a, b, ${target} FROM obj) TARGET ${target} FUNCTION ${name}_fn
         AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE '${objective}' HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '30')`,
      );
      expect((await c.query(`WAIT FOR MODEL ${name}`)).rows[0].state).toBe('READY');
      // Every row: the first rows by (a, b) have a nearly constant target, which a constant would fit.
      const rows = (await c.query(`SELECT a, b, ${target} AS y, ${name}_fn(a, b) AS p FROM obj ORDER BY a, b`)).rows;
      const expected = await onnxPredictions(name, rows);
      expect(rows.map((r) => r.p)).toEqual(Array.from(expected.data as Float32Array));
      const y = rows.map((r) => r.y as number);
      const p = rows.map((r) => r.p as number);
      // Learned, not a constant: predictions follow the target and beat its mean by a wide margin.
      const meanY = y.reduce((s, v) => s + v, 0) / y.length;
      const err = meanAbs(y.map((v, i) => v - p[i]));
      const baseline = meanAbs(y.map((v) => v - meanY));
      expect(correlation(y, p)).toBeGreaterThan(0.95);
      expect(err).toBeLessThan(baseline * 0.3);
    });
  }

  for (const [objective, target, extra] of [
    ['binary:logistic', 'flag', ''],
    ['binary:hinge', 'flag', ''],
    ['multi:softmax', 'three', ", NUM_CLASS '3'"],
  ] as const) {
    test(objective, async () => {
      const name = `obj_${objective.replace(/\W/g, '_')}`;
      await c.query(
        `CREATE MODEL ${name} FROM (SELECT a, b, ${target} FROM obj) TARGET ${target} FUNCTION ${name}_fn
         AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE '${objective}' HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '30'${extra})`,
      );
      expect((await c.query(`WAIT FOR MODEL ${name}`)).rows[0].state).toBe('READY');
      // Every row: the first rows by (a, b) all have one class, which a constant would get right.
      const rows = (await c.query(`SELECT a, b, ${target} AS y, ${name}_fn(a, b) AS p FROM obj ORDER BY a, b`)).rows;
      const labels = Array.from((await onnxPredictions(name, rows)).data as BigInt64Array);
      const classes = (await c.query(`SELECT classes FROM modelgres.model_versions WHERE model_name = $1`, [name])).rows[0].classes;
      expect(rows.map((r) => r.p)).toEqual(labels.map((l) => classes[Number(l)]));
      // Learned, not a constant: every class is predicted, and accuracy is far above the majority class's share.
      const counts = new Map<unknown, number>();
      for (const r of rows) counts.set(r.y, (counts.get(r.y) ?? 0) + 1);
      const majority = Math.max(...counts.values()) / rows.length;
      const accuracy = rows.filter((r) => r.p === r.y).length / rows.length;
      expect(new Set(rows.map((r) => r.p))).toEqual(new Set(counts.keys()));
      expect(accuracy).toBeGreaterThan(0.9);
      expect(accuracy).toBeGreaterThan(majority + 0.3);
    });
  }
});
