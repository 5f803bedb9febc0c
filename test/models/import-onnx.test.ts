import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { startTestProxy, type TestProxy } from '../support/test-proxy.ts';
import { showModel } from '../support/models.ts';
import { tempModelDir, writeModel } from '../artifacts/support/onnx-files.ts';
import { perParameterModel, regressor, stringClassifier, unknownOperator } from '../artifacts/support/test-models.ts';

let proxy: TestProxy;
let c: pg.Client;

beforeAll(async () => {
  const dir = await tempModelDir();
  await writeModel(dir, 'regressor.onnx', regressor());
  await writeModel(dir, 'iris.onnx', stringClassifier());
  await writeModel(dir, 'per-parameter.onnx', perParameterModel());
  await writeModel(dir, 'unknown-op.onnx', unknownOperator());
  await writeFile(path.join(dir, 'notes.onnx'), 'this is not a model');
  await symlink('/etc/hostname', path.join(dir, 'escape.onnx'));
  proxy = await startTestProxy({ modelDir: dir });
  c = await proxy.client();
});
afterAll(() => proxy.close());

describe('CREATE MODEL ... FROM an ONNX file', () => {
  test('a float-tensor regressor: READY at once, Local inference, values as the model computes them', async () => {
    await c.query(`CREATE MODEL imported_reg FROM 'regressor.onnx' FUNCTION imported_reg_fn (float8, float8, float8) RETURNS float8`);
    const { values } = await showModel(c, 'imported_reg');
    expect(values.get('Model State')).toBe('READY');
    expect(values.get('Inference Type')).toBe('Local');
    expect(values.get('Artifact')).toBe('regressor.onnx');
    expect(values.get('Source')).toBe('IMPORTED');
    const r = await c.query(`SELECT imported_reg_fn(1, 2, 3) AS a, imported_reg_fn(x, 0, 0) AS b FROM (VALUES (1.5::float8), (NULL)) t(x)`);
    expect(r.rows[0]).toEqual({ a: 2 * 1 - 2 + 0.5 * 3 + 3, b: 2 * 1.5 + 3 });
    expect(r.rows[1].a).toBe(4.5);
    expect(Number.isNaN(r.rows[1].b)).toBe(true); // NULL is NaN for a float input
  });

  test('a classifier with label and probabilities outputs', async () => {
    await c.query(`CREATE MODEL iris FROM 'iris.onnx' FUNCTION iris_fn (float8, float8) RETURNS text`);
    const r = await c.query(`SELECT iris_fn(3, 0) AS label, iris_fn_probabilities(3, 0) AS p`);
    expect(r.rows[0].label).toBe('setosa');
    expect(r.rows[0].p.labels[0]).toBe('setosa');
    expect(r.rows[0].p.labels.slice().sort()).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(r.rows[0].p.probabilities.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 5);
  });

  test('one tensor per parameter, text included', async () => {
    await c.query(`CREATE MODEL painted FROM 'per-parameter.onnx' FUNCTION painted_fn (float8, float8, text) RETURNS float8`);
    const r = await c.query(`SELECT painted_fn(1, 2, 'red') AS red, painted_fn(1, 2, 'blue') AS other`);
    expect(r.rows).toEqual([{ red: 1 + 4 + 10, other: 1 + 4 - 1 }]);
  });

  test('bad files are refused with 22023 and nothing is registered', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['../outside.onnx', '(float8, float8, float8) RETURNS float8', /leaves the model directory/],
      ['/etc/passwd', '(float8, float8, float8) RETURNS float8', /absolute path/],
      ['escape.onnx', '(float8, float8, float8) RETURNS float8', /symbolic link/],
      ['missing.onnx', '(float8, float8, float8) RETURNS float8', /does not exist/],
      ['notes.onnx', '(float8, float8, float8) RETURNS float8', /onnxruntime cannot load/],
      ['unknown-op.onnx', '(float8, float8, float8) RETURNS float8', /onnxruntime cannot load/],
      ['regressor.onnx', '(float8, float8) RETURNS float8', /width 3, but the FUNCTION declares 2 parameters/],
      ['regressor.onnx', '(float8, float8, float8) RETURNS int4', /RETURNS int4/],
    ];
    for (const [file, signature, message] of cases) {
      const error = await c.query(`CREATE MODEL refused FROM '${file}' FUNCTION refused_fn ${signature}`).catch((e) => e);
      expect(error.code, file).toBe('22023');
      expect(error.message, file).toMatch(message);
    }
    expect((await c.query('SHOW MODEL ALL')).rows.map((r) => r['Model Name'])).not.toContain('refused');
  });
});
