import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { showModel } from '../support/models.ts';
import { tempModelDir } from './support/onnx-files.ts';

/*
 * CREATE MODEL ... FROM an XGBoost model file (a SageMaker-style model.tar.gz, or a bare JSON
 * model). The fixtures were trained by Debian's python3-xgboost (fixtures/xgboost/make-fixtures.py),
 * with missing values in training and in the checked rows, and rows on the models' own split
 * conditions and their float32 neighbours (a '<=' for '<' fails them); the reference is XGBoost's own
 * predict() on those rows, stored with them. Both the proxy's onnxruntime and the compiled SQL
 * body (called on a direct connection) must agree with it within float32 rounding: 2e-6 relative
 * (8 ulps at most: XGBoost adds base_score first, onnxruntime last).
 */

const FIXTURES = path.join(import.meta.dirname, 'fixtures/xgboost');
const SIGNATURE = '(float8, float8, float8, float8)';
const TOLERANCE = 2e-6;

interface Reference { rows: Array<Array<number | null>>; predicted: Array<number | number[]> }
let references: Record<'regression' | 'binary' | 'multiclass', Reference>;
let proxy: TestProxy;
let c: pg.Client;
let direct: pg.Client;
let modelDir: string;
let outside: string;

beforeAll(async () => {
  references = JSON.parse(await readFile(path.join(FIXTURES, 'predictions.json'), 'utf8')).models;
  modelDir = await tempModelDir();
  outside = await mkdtemp(path.join(os.tmpdir(), 'modelgres-outside-'));
  for (const f of ['regression.json', 'binary.json', 'multiclass.json', 'multiclass.ubj', 'model.tar.gz']) await copyFile(path.join(FIXTURES, f), path.join(modelDir, f));
  const regression = JSON.parse(await readFile(path.join(FIXTURES, 'regression.json'), 'utf8'));
  const variant = async (name: string, change: (m: any) => void) => {
    const m = structuredClone(regression);
    change(m);
    await writeFile(path.join(modelDir, name), JSON.stringify(m));
  };
  await variant('poisson.json', (m) => { m.learner.objective.name = 'count:poisson'; });
  // XGBoost 2.1 and later write base_score as a list.
  await variant('listed-base-score.json', (m) => { m.learner.learner_model_param.base_score = `[${m.learner.learner_model_param.base_score}]`; });
  await variant('no-trees.json', (m) => { delete m.learner.gradient_booster.model.trees; });
  await variant('ragged.json', (m) => { m.learner.gradient_booster.model.trees[1].split_conditions.pop(); });
  await variant('loop.json', (m) => { m.learner.gradient_booster.model.trees[2].left_children[1] = 0; });
  const multiclass = JSON.parse(await readFile(path.join(FIXTURES, 'multiclass.json'), 'utf8'));
  multiclass.learner.objective.name = 'multi:softmax';
  await writeFile(path.join(modelDir, 'softmax.json'), JSON.stringify(multiclass));
  await variant('dart.json', (m) => { m.learner.gradient_booster.name = 'dart'; });
  await variant('categorical.json', (m) => { m.learner.gradient_booster.model.trees[0].split_type[0] = 1; });
  await writeFile(path.join(modelDir, 'cut-short.ubj'), Buffer.from('{L\x00\x00\x00\x00\x00\x00\x00\x07learner{', 'latin1'));
  await writeFile(path.join(modelDir, 'not-xgboost.json'), '{"hello": "world"}');
  // An archive of two files, neither named xgboost-model; and one holding the old binary format.
  await writeFile(path.join(outside, 'a.json'), '{}');
  await writeFile(path.join(outside, 'b.json'), '{}');
  execFileSync('tar', ['-czf', path.join(modelDir, 'two.tar.gz'), '-C', outside, 'a.json', 'b.json']);
  await writeFile(path.join(outside, 'xgboost-model'), Buffer.from([0x62, 0x69, 0x6e, 0x66, 0, 0, 0, 0]));
  execFileSync('tar', ['-czf', path.join(modelDir, 'binary-format.tar.gz'), '-C', outside, 'xgboost-model']);
  await copyFile(path.join(FIXTURES, 'model.tar.gz'), path.join(outside, 'model.tar.gz'));
  await symlink(path.join(outside, 'model.tar.gz'), path.join(modelDir, 'linked.tar.gz'));
  proxy = await startTestProxy({ modelDir });
  c = await proxy.client();
  direct = await proxy.direct();
});

afterAll(async () => {
  await direct?.end();
  await proxy?.close();
  await rm(outside, { recursive: true, force: true });
});

/** The reference rows as a VALUES list (i, a, b, c, d), NULL where XGBoost saw a missing value. */
function rowsSql(ref: Reference): string {
  const lit = (v: number | null) => (v === null ? 'NULL::float8' : `${v}::float8`);
  return `(VALUES ${ref.rows.map((r, i) => `(${i}, ${r.map(lit).join(', ')})`).join(', ')}) t(i, a, b, c, d)`;
}

function expectClose(got: number, want: number, what: string): void {
  expect(Math.abs(got - want), `${what}: ${got} vs XGBoost's ${want}`).toBeLessThanOrEqual(TOLERANCE * Math.max(1, Math.abs(want)));
}

/** f(a, b, c, d) for every reference row, through the proxy (onnxruntime) and directly in PostgreSQL (the compiled body). */
async function bothWays(select: string, ref: Reference): Promise<Array<[string, any[]]>> {
  const sql = `SELECT i, ${select} AS p FROM ${rowsSql(ref)} ORDER BY i`;
  return [
    ['proxy', (await c.query(sql)).rows.map((r) => r.p)],
    ['PostgreSQL', (await direct.query(sql)).rows.map((r) => r.p)],
  ];
}

/** f_probabilities' jsonb as class → probability (its labels come most probable first). */
function byLabel(json: { labels: number[]; probabilities: number[] }): Map<number, number> {
  return new Map(json.labels.map((label, k) => [Number(label), json.probabilities[k]]));
}

async function refusal(sql: string): Promise<pg.DatabaseError | null> {
  return c.query(sql).then(() => null, (e: pg.DatabaseError) => e);
}

describe('CREATE MODEL FROM an XGBoost model file', () => {
  test('reg:squarederror from model.tar.gz: SHOW MODEL, and XGBoost\'s predictions both ways', async () => {
    await c.query(`CREATE MODEL xgb_archive FROM 'model.tar.gz' FUNCTION xgb_archive_fn ${SIGNATURE} RETURNS float8`);
    const { values } = await showModel(c, 'xgb_archive');
    expect(values.get('Model State')).toBe('READY');
    expect(values.get('Model Type')).toBe('xgboost');
    expect(values.get('Problem Type')).toBe('REGRESSION');
    expect(values.get('Objective')).toBe('reg:squarederror');
    expect(values.get('Inference Type')).toBe('Local');
    const ref = references.regression;
    for (const [where, got] of await bothWays('xgb_archive_fn(a, b, c, d)', ref)) {
      ref.predicted.forEach((want, i) => expectClose(got[i], want as number, `${where} row ${i}`));
    }
  });

  test('the bare JSON model predicts the same, and with base_score written as a list', async () => {
    await c.query(`CREATE MODEL xgb_json FROM 'regression.json' FUNCTION xgb_json_fn ${SIGNATURE} RETURNS float4`);
    await c.query(`CREATE MODEL xgb_listed FROM 'listed-base-score.json' FUNCTION xgb_listed_fn ${SIGNATURE} RETURNS float8`);
    const ref = references.regression;
    for (const f of ['xgb_json_fn', 'xgb_listed_fn']) {
      for (const [where, got] of await bothWays(`${f}(a, b, c, d)`, ref)) {
        ref.predicted.forEach((want, i) => expectClose(got[i], want as number, `${f} ${where} row ${i}`));
      }
    }
  });

  test('binary:logistic: f is the class, f_probabilities[1] is what predict() gives', async () => {
    await c.query(`CREATE MODEL xgb_binary FROM 'binary.json' FUNCTION xgb_binary_fn ${SIGNATURE} RETURNS int4`);
    expect((await showModel(c, 'xgb_binary')).values.get('Problem Type')).toBe('BINARY_CLASSIFICATION');
    const ref = references.binary;
    const labels = await bothWays('xgb_binary_fn(a, b, c, d)', ref);
    const probabilities = await bothWays(`xgb_binary_fn_probabilities(a, b, c, d)`, ref);
    ref.predicted.forEach((p, i) => {
      for (const [where, got] of probabilities) {
        const q = byLabel(got[i]);
        expect([...q.keys()].sort(), where).toEqual([0, 1]);
        expectClose(q.get(1)!, p as number, `${where} row ${i}`);
        expectClose(q.get(0)!, 1 - (p as number), `${where} row ${i}`);
      }
      if (Math.abs((p as number) - 0.5) > 1e-6) for (const [where, got] of labels) expect(got[i], `${where} row ${i}`).toBe((p as number) > 0.5 ? 1 : 0);
    });
    expect(new Set(ref.predicted.map((p) => (p as number) > 0.5)).size).toBe(2); // both classes are checked
  });

  test('multi:softprob: the probabilities of predict(), and the most probable class', async () => {
    await c.query(`CREATE MODEL xgb_multi FROM 'multiclass.json' FUNCTION xgb_multi_fn ${SIGNATURE} RETURNS int8`);
    expect((await showModel(c, 'xgb_multi')).values.get('Problem Type')).toBe('MULTICLASS_CLASSIFICATION');
    const ref = references.multiclass;
    const labels = await bothWays('xgb_multi_fn(a, b, c, d)', ref);
    const probabilities = await bothWays(`xgb_multi_fn_probabilities(a, b, c, d)`, ref);
    ref.predicted.forEach((row, i) => {
      const want = row as number[];
      for (const [where, got] of probabilities) {
        const q = byLabel(got[i]);
        expect([...q.keys()].sort(), where).toEqual([0, 1, 2]);
        want.forEach((p, k) => expectClose(q.get(k)!, p, `${where} row ${i} class ${k}`));
      }
      const best = want.indexOf(Math.max(...want));
      for (const [where, got] of labels) expect(Number(got[i]), `${where} row ${i}`).toBe(best);
    });
    expect(new Set(ref.predicted.map((row) => (row as number[]).indexOf(Math.max(...(row as number[]))))).size).toBe(3);
  });

  test('multi:softmax: predict() gives the most probable class, as f does', async () => {
    await c.query(`CREATE MODEL xgb_softmax FROM 'softmax.json' FUNCTION xgb_softmax_fn ${SIGNATURE} RETURNS int4`);
    const ref = references.multiclass;
    for (const [where, got] of await bothWays('xgb_softmax_fn(a, b, c, d)', ref)) {
      ref.predicted.forEach((row, i) => expect(got[i], `${where} row ${i}`).toBe((row as number[]).indexOf(Math.max(...(row as number[])))));
    }
  });

  test('the same multiclass model saved as UBJSON predicts the same', async () => {
    await c.query(`CREATE MODEL xgb_ubj FROM 'multiclass.ubj' FUNCTION xgb_ubj_fn ${SIGNATURE} RETURNS int4`);
    const ref = references.multiclass;
    for (const [where, got] of await bothWays(`xgb_ubj_fn_probabilities(a, b, c, d)`, ref)) {
      ref.predicted.forEach((row, i) => (row as number[]).forEach((p, k) => expectClose(byLabel(got[i]).get(k)!, p, `${where} row ${i} class ${k}`)));
    }
  });
});

describe('what is not converted is refused, and nothing is registered', () => {
  test.each([
    ['poisson.json', /the XGBoost objective count:poisson is not supported/],
    ['dart.json', /the XGBoost booster dart is not supported/],
    ['categorical.json', /XGBoost categorical splits is not supported/],
    ['s3://bucket/sagemaker/output/model.tar.gz', /is in S3, which modelgres does not read/],
    ['binary-format.tar.gz', /'binary-format.tar.gz:xgboost-model' is not an XGBoost JSON or UBJSON model/],
  ])('0A000: %s', async (file, message) => {
    const e = await refusal(`CREATE MODEL xgb_refused FROM ${pg.escapeLiteral(file)} FUNCTION xgb_refused_fn ${SIGNATURE} RETURNS float8`);
    expect(e).toMatchObject({ code: '0A000' });
    expect(e?.message).toMatch(message);
    expect(e?.hint).toBeTruthy();
  });

  test.each([
    ['two.tar.gz', /holds 2 files \(a.json, b.json\) and none is named 'xgboost-model'/],
    ['not-xgboost.json', /is JSON but not an XGBoost model/],
    ['no-trees.json', /has no XGBoost trees list/],
    ['ragged.json', /are not lists of one length/],
    ['loop.json', /malformed XGBoost tree/],
    ['cut-short.ubj', /is not valid UBJSON \(it ends too soon/],
    ['linked.tar.gz', /leaves the model directory \(through a symbolic link\)/],
    ['../model.tar.gz', /'\.\.' is not allowed/],
  ])('22023: %s', async (file, message) => {
    const e = await refusal(`CREATE MODEL xgb_refused FROM ${pg.escapeLiteral(file)} FUNCTION xgb_refused_fn ${SIGNATURE} RETURNS float8`);
    expect(e).toMatchObject({ code: '22023' });
    expect(e?.message).toMatch(message);
    expect(e?.message).not.toContain(outside);
  });

  test('the declared parameters must match the model\'s features', async () => {
    const e = await refusal(`CREATE MODEL xgb_refused FROM 'regression.json' FUNCTION xgb_refused_fn (float8, float8) RETURNS float8`);
    expect(e).toMatchObject({ code: '22023' });
    expect((await c.query(`SELECT count(*)::int AS n FROM modelgres.models WHERE model_name = 'xgb_refused'`)).rows).toEqual([{ n: 0 }]);
  });
});
