import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import ort from 'onnxruntime-node';
import type pg from 'pg';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { psi } from '../support/psi-reference.ts';

/*
 * SHOW MODEL m DRIFT FROM a source of more than twice --drift-sample-rows rows reads a random
 * sample of about that many. Checked against the whole source: PostgreSQL's own count of its rows,
 * PSI over PostgreSQL's width_bucket counts of every row for each feature, and for the prediction
 * onnxruntime on the stored artifact over the 1,600 distinct inputs weighted by their counts. The
 * sample's figures must agree with those within what a sample of this size can miss, and give the
 * same verdicts; a source within twice the sample size is read whole.
 */
const SAMPLE_ROWS = 20_000;
const SOURCE_ROWS = 200_000;

let proxy: TestProxy;
let c: pg.Client;
let direct: pg.Client;

/** x and z take 40 values each; `zValues` narrows z (a drift), y follows both. */
function rowsSql(from: number, to: number, zValues = 40): string {
  const h = (k: number) => `(hashint8(g * 4 + ${k}) & 2147483647)`;
  return `SELECT (${h(0)} % 40)::float8 AS x, (${h(1)} % ${zValues})::float8 AS z,
                 ((${h(0)} % 40) * 2 + (${h(1)} % ${zValues}) + (${h(2)} % 100) / 10.0)::float8 AS y
            FROM generate_series(${from}::int8, ${to}::int8) AS g`;
}

beforeAll(async () => {
  proxy = await startTestProxy({ workers: 1, driftSampleRows: SAMPLE_ROWS });
  c = await proxy.client();
  direct = await proxy.direct();
  await direct.query(`CREATE TABLE train AS ${rowsSql(1_000_000_001, 1_000_004_000)}`);
  // z holds 10 of its 40 values: a drift of z, and of the prediction.
  await direct.query(`CREATE TABLE big AS ${rowsSql(1, SOURCE_ROWS, 10)}`);
  await direct.query('VACUUM (ANALYZE) big');
  await c.query(`CREATE MODEL reg FROM (SELECT x, z, y FROM train) TARGET y FUNCTION reg_fn
                   AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'reg:squarederror' HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '8', MAX_DEPTH '3')`);
  expect((await c.query('WAIT FOR MODEL reg TIMEOUT 300')).rows[0].state).toBe('READY');
}, 240_000);

afterAll(async () => {
  await proxy?.close();
});

/** The whole source's PSI for each feature and the prediction, computed without the proxy. */
async function exactPsi(): Promise<Map<string, number>> {
  const baseline = (await direct.query(`SELECT baseline FROM modelgres.model_version v JOIN modelgres.model m USING (model_id) WHERE m.model_name = 'reg'`)).rows[0].baseline;
  const exact = new Map<string, number>();
  for (const f of baseline.features) {
    const counts = new Array(f.edges.length + 1).fill(0);
    const bins = await direct.query(`SELECT width_bucket(${f.feature}, $1::float8[]) AS b, count(*)::int AS n FROM big GROUP BY 1`, [`{${f.edges.join(',')}}`]);
    for (const { b, n } of bins.rows) counts[b] = n;
    exact.set(f.feature, psi(f.binCounts, counts));
  }
  const groups = (await direct.query('SELECT x, z, count(*)::int AS n FROM big GROUP BY 1, 2')).rows;
  const onnx = (await direct.query(`SELECT v.onnx FROM modelgres.model_version v JOIN modelgres.model m USING (model_id) WHERE m.model_name = 'reg'`)).rows[0].onnx;
  const session = await ort.InferenceSession.create(onnx, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const [xName, zName] = session.inputNames;
  const out = await session.run({
    [xName]: new ort.Tensor('float32', Float32Array.from(groups.map((g) => g.x)), [groups.length, 1]),
    [zName]: new ort.Tensor('float32', Float32Array.from(groups.map((g) => g.z)), [groups.length, 1]),
  });
  const predicted = out.variable.data as Float32Array;
  const edges: number[] = baseline.prediction.edges;
  const counts = new Array(edges.length + 1).fill(0);
  groups.forEach((g, i) => {
    counts[edges.filter((e) => predicted[i] >= e).length] += g.n;
  });
  exact.set('(prediction)', psi(baseline.prediction.binCounts, counts));
  return exact;
}

describe('DRIFT over a large FROM reads a random sample', () => {
  test('each row counts about --drift-sample-rows rows, says so, and its PSI and verdict are the whole source\'s', async () => {
    const exact = await exactPsi();
    const { rows } = await c.query('SHOW MODEL reg DRIFT FROM (SELECT x, z FROM big)');
    expect(rows.map((r) => r.feature).sort()).toEqual(['(prediction)', 'x', 'z']);
    for (const row of rows) {
      // A binomial draw of 200,000 at 0.1: mean 20,000, standard deviation 134.
      const n = Number(row.current_count);
      expect(n).toBeGreaterThan(SAMPLE_ROWS - 1_000);
      expect(n).toBeLessThan(SAMPLE_ROWS + 1_000);
      expect(row.check).toMatch(new RegExp(`^(ok|[^(]+) \\(a random sample of ${n.toLocaleString('en-US')} of 200,000 rows\\)$`));
      // Ten bins from 20,000 rows: each share within about 0.01 of the source's.
      expect(Math.abs(Number(row.value) - exact.get(row.feature)!)).toBeLessThan(0.03);
      expect(row.drifted).toBe(exact.get(row.feature)! > 0.2);
    }
    // The data drifted where it was made to, and not elsewhere.
    expect(exact.get('z')).toBeGreaterThan(0.5);
    expect(exact.get('x')).toBeLessThan(0.01);
  }, 120_000);

  test('a source within twice the sample size is read whole', async () => {
    const { rows } = await c.query(`SHOW MODEL reg DRIFT FROM (SELECT x, z FROM big WHERE x < 4)`);
    const whole = Number((await direct.query('SELECT count(*) FROM big WHERE x < 4')).rows[0].count);
    expect(whole).toBeLessThan(2 * SAMPLE_ROWS);
    for (const row of rows) {
      expect(Number(row.current_count)).toBe(whole);
      expect(row.check).not.toMatch(/sample/);
    }
  }, 120_000);
});
