import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import ort from 'onnxruntime-node';
import type pg from 'pg';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { psi } from '../support/psi-reference.ts';

/*
 * SHOW MODEL m DRIFT FROM (...) counts the features from the rows the model scores (one scan)
 * when every feature comes with its training type, and in PostgreSQL otherwise. Either way every
 * figure must be the definition's: PSI over PostgreSQL's own width_bucket counts of each feature
 * as float8, L-infinity over PostgreSQL's category counts, and the prediction's PSI over
 * onnxruntime's outputs on the stored artifact, computed here. The data has what binary decoding
 * could get wrong: NULLs, NaN and infinities, values on the edges, int8 beyond 2^53, long numerics.
 */
let proxy: TestProxy;
let c: pg.Client;
let direct: pg.Client;

const NUMERIC = ['a', 'b', 'n', 'big', 'dec'] as const;
const TYPES = { a: 'float8', b: 'float4', n: 'int4', big: 'int8', dec: 'numeric' } as const;

/** Rows g in [from, to]: five numeric features of five types, a category, a target that follows them. */
function rowsSql(from: number, to: number, shift = 0): string {
  const u = (k: number) => `((hashint8(g * 8 + ${k}) & 2147483647)::float8 / 2147483648)`;
  return `SELECT (${u(0)} * 100 + ${shift})::float8 AS a, (${u(1)} * 10)::float4 AS b, floor(${u(2)} * 50)::int4 AS n,
                 (floor(${u(3)} * 1000) * 1000000000000)::int8 AS big, round((${u(4)} * 7)::numeric, 20) AS dec,
                 (array['p','q','r'])[1 + floor(${u(5)} * 3)::int] AS cat,
                 (${u(0)} * 100 + ${u(1)} * 10 + ${u(2)} * 5)::float8 AS y
            FROM generate_series(${from}::int8, ${to}::int8) AS g`;
}

interface NumericBaseline { feature: string; kind: 'numeric'; edges: number[]; binCounts: number[]; nonNull: number; count: number }
interface CategoricalBaseline { feature: string; kind: 'categorical'; top: Array<[string, number]>; otherCount: number }
interface Baseline { features: Array<NumericBaseline | CategoricalBaseline>; prediction: { kind: 'numeric'; edges: number[]; binCounts: number[] } }

async function baselineOf(model: string): Promise<Baseline> {
  return (await direct.query(`SELECT v.baseline FROM modelgres.model_version v JOIN modelgres.model m USING (model_id) WHERE m.model_name = $1`, [model])).rows[0].baseline;
}

/** PostgreSQL's count of `expression` (as float8) per width_bucket of `edges`. */
async function pgBins(source: string, expression: string, edges: number[]): Promise<number[]> {
  const r = await direct.query(
    `SELECT width_bucket((${expression})::float8, $1::float8[]) AS bucket, count(*)::int AS n FROM (${source}) s WHERE ${expression} IS NOT NULL GROUP BY 1`,
    [`{${edges.join(',')}}`],
  );
  const bins = new Array(edges.length + 1).fill(0);
  for (const row of r.rows) bins[row.bucket] = row.n;
  return bins;
}

/** The model's outputs on `source`'s rows: onnxruntime on the stored artifact, inputs from PostgreSQL's text. */
async function predictions(source: string): Promise<Float32Array> {
  const onnx = (await direct.query(`SELECT v.onnx FROM modelgres.model_version v JOIN modelgres.model m USING (model_id) WHERE m.model_name = 'fast'`)).rows[0].onnx;
  // One thread, as the proxy's sessions: the trees are then summed in the same order.
  const session = await ort.InferenceSession.create(onnx, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const rows = (await direct.query({ text: `SELECT ${NUMERIC.map((f) => `${f}::text`).join(', ')}, cat FROM (${source}) s`, rowMode: 'array' })).rows;
  const feeds: Record<string, ort.Tensor> = {};
  session.inputNames.forEach((name, j) => {
    feeds[name] = j < NUMERIC.length
      ? new ort.Tensor('float32', Float32Array.from(rows, (row) => (row[j] === null ? NaN : Number(row[j]))), [rows.length, 1])
      : new ort.Tensor('string', rows.map((row) => row[j] ?? ''), [rows.length, 1]);
  });
  const out = await session.run(feeds);
  return out.variable.data as Float32Array;
}

/** Every figure of DRIFT FROM `source` against its reference; `types` are the source's column types. */
async function expectDefinition(source: string, types: Record<string, string> = TYPES): Promise<void> {
  const baseline = await baselineOf('fast');
  const r = await c.query(`SHOW MODEL fast DRIFT FROM (${source})`);
  const rows = new Map(r.rows.map((row) => [row.feature, row]));
  const total = Number((await direct.query(`SELECT count(*) FROM (${source}) s`)).rows[0].count);
  for (const f of baseline.features) {
    const row = rows.get(f.feature)!;
    expect(Number(row.current_count), f.feature).toBe(total);
    if (f.kind === 'numeric') {
      const bins = await pgBins(source, f.feature, f.edges);
      expect(row.metric, f.feature).toBe('psi');
      expect(Number(row.value), f.feature).toBeCloseTo(psi(f.binCounts, bins), 12);
      const typeNote = types[f.feature] === TYPES[f.feature as keyof typeof TYPES] ? 'ok' : `data type ${types[f.feature]}, was ${TYPES[f.feature as keyof typeof TYPES]}`;
      expect(row.check.replace(/^completeness fell from [^;]*(; )?/, '') || 'ok', f.feature).toBe(typeNote);
    } else {
      // Shares of the baseline's top values and of the rest (its "other" values, or values unseen).
      const counts = new Map<string, number>((await direct.query(`SELECT cat, count(*)::int AS n FROM (${source}) s WHERE cat IS NOT NULL GROUP BY 1`)).rows.map((x) => [x.cat, x.n]));
      const all = [...counts.values()].reduce((s, n) => s + n, 0);
      const baseAll = f.top.reduce((s, [, n]) => s + n, 0) + f.otherCount;
      const rest = all - f.top.reduce((s, [v]) => s + (counts.get(v) ?? 0), 0);
      const linf = Math.max(...f.top.map(([v, n]) => Math.abs(n / baseAll - (counts.get(v) ?? 0) / all)), Math.abs(f.otherCount / baseAll - rest / all));
      expect(Number(row.value), f.feature).toBeCloseTo(linf, 12);
    }
  }
  const predicted = await predictions(source);
  const edges = baseline.prediction.edges;
  const bins = new Array(edges.length + 1).fill(0);
  for (const v of predicted) if (Number.isFinite(v)) bins[edges.filter((e) => v >= e).length]++;
  const row = rows.get('(prediction)')!;
  expect(Number(row.current_count)).toBe(predicted.length);
  expect(Number(row.value)).toBeCloseTo(psi(baseline.prediction.binCounts, bins), 12);
}

beforeAll(async () => {
  proxy = await startTestProxy({ workers: 1 });
  c = await proxy.client();
  direct = await proxy.direct();
  await direct.query(`CREATE TABLE fast_train AS ${rowsSql(1, 3000)}`);
  await c.query(`CREATE MODEL fast FROM fast_train TARGET y FUNCTION fast_fn AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'reg:squarederror'
                   HYPERPARAMETERS DEFAULT EXCEPT (NUM_ROUND '10', MAX_DEPTH '3')`);
  expect((await c.query('WAIT FOR MODEL fast TIMEOUT 120')).rows[0].state).toBe('READY');
  // Current data: shifted, with the values a decoding could get wrong.
  await direct.query(`CREATE TABLE fast_now AS ${rowsSql(100001, 102000, 20)}`);
  const a = (await baselineOf('fast')).features.find((f) => f.feature === 'a') as NumericBaseline;
  await direct.query(`INSERT INTO fast_now (a, b, n, big, dec, cat) VALUES
      (NULL, NULL, NULL, NULL, NULL, NULL),
      ('NaN', 'NaN', 1, 9007199254740993, 'NaN', 'p'),
      ('Infinity', 'Infinity', 2147483647, 9223372036854775807, 'Infinity', 'q'),
      ('-Infinity', '-Infinity', -2147483648, -9223372036854775807, '-Infinity', 'r'),
      (-0.0, -0.0, 0, 0, 0.30000000000000000000000000001, 's'),
      (5e-324, 1.17549435e-38, 3, 9007199254740995, 1.7976931348623157e308, 'p')`);
  await direct.query(`INSERT INTO fast_now (a, b, n, big, dec, cat) SELECT e, e, e::int4, e::int8, e::numeric, 'q' FROM unnest($1::float8[]) e`, [`{${a.edges.join(',')}}`]);
}, 180_000);

afterAll(async () => {
  await direct?.end();
  await proxy?.close();
});

describe('SHOW MODEL m DRIFT FROM (...), features counted while the model scores the rows', () => {
  test('every feature type as at training: each PSI and L-infinity equals PostgreSQL\'s counts, the prediction\'s equals onnxruntime\'s', async () => {
    await expectDefinition('SELECT * FROM fast_now');
  });

  test('the same data with a type changed: counted in PostgreSQL instead, with the same definition', async () => {
    await expectDefinition('SELECT a::numeric AS a, b, n, big, dec, cat FROM fast_now', { ...TYPES, a: 'numeric' });
  });

  test('no rows: no verdict, as before', async () => {
    const r = await c.query('SHOW MODEL fast DRIFT FROM (SELECT * FROM fast_now WHERE false)');
    expect(r.rows.map((row) => [row.feature, row.check, row.current_count])).toEqual([
      ['a', 'no rows to compare', '0'], ['b', 'no rows to compare', '0'], ['n', 'no rows to compare', '0'],
      ['big', 'no rows to compare', '0'], ['dec', 'no rows to compare', '0'], ['cat', 'no rows to compare', '0'],
      ['(prediction)', 'no rows to compare', '0'],
    ]);
  });
});
