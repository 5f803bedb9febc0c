import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, inject, test } from 'vitest';
import type { CompileTarget } from '../../src/compile/index.ts';
import { type TrainedModel, type TrainingColumn, type TrainingSpec, train } from '../../src/training/index.ts';
import { syntheticTable } from '../training/support/synthetic-data.ts';
import { expectNumbersClose, expectProbabilitiesClose, expectSame, runBoth, Scratch, textOf } from './support/compiled-function.ts';

/**
 * Trained models of every type, problem type and objective, compiled to SQL and called in
 * PostgreSQL, against onnxruntime on the same artifact fed as the proxy feeds it: on fresh rows
 * with NULLs and unseen categories, on NaN, infinities and values beyond float32's range, and on
 * every split threshold of the first feature and the float64 values either side of the point
 * where its float32 rounding changes.
 */
const { features, signal } = syntheticTable(800, 7);
const TYPES = features.map((f) => f.type);

const regression: TrainingColumn = { name: 'y', type: 'float8', values: signal };
const positive: TrainingColumn = { name: 'y', type: 'float8', values: signal.map((s) => Math.abs(s) + 0.1) };
const unit: TrainingColumn = { name: 'y', type: 'float8', values: signal.map((s) => 1 / (1 + Math.exp(-s / 3))) };
const binary: TrainingColumn = { name: 'y', type: 'bool', values: signal.map((s, i) => (i % 17 === 0 ? null : s > 1)) };
const multiclass: TrainingColumn = {
  name: 'y', type: 'text', values: signal.map((s) => (s < -1 ? 'low' : s < 2 ? 'mid' : s < 4 ? 'high' : 'top')),
};
const numbered: TrainingColumn = { name: 'y', type: 'int4', values: signal.map((s) => (s < 0 ? 10 : s < 3 ? 20 : 30)) };

/** Rows at the edges, in the synthetic table's column order (num, int, flag, cat, day, ts, stamp, big, tod). */
const EDGE_ROWS: Array<Array<string | null>> = [
  [null, null, null, null, null, null, null, null, null],
  ['NaN', '5', 't', 'red', '2001-02-03', '2021-06-01T12:00:00Z', '2020-01-01T00:00:00', '7', '12:00:00'],
  ['Infinity', '-7', 'f', 'never-seen', 'infinity', 'infinity', 'infinity', '9223372036854775807', '24:00:00'],
  ['-Infinity', '2147483647', 't', '', '-infinity', '-infinity', '-infinity', '-9223372036854775808', '00:00:00'],
  ['1e300', '-2147483648', 'f', 'blue', '0001-01-01', '1900-01-01T00:00:00Z', '1969-12-31T23:59:59.999999', '16777217', '23:59:59.999999'],
  ['-1e300', '0', 't', 'green', '5000-12-31', '2100-02-28T23:00:00.5Z', '1970-01-01T00:00:00', '-16777217', '06:30:00'],
  ['3.4028235677973366e38', '99', null, 'black', '1970-01-01', '1970-01-01T00:00:00Z', null, '0', null],
  ['-3.4028234663852886e38', '100', 't', 'BLACK', '1999-12-31', null, '2024-02-29T12:34:56', null, '18:00:00.000001'],
  ['1e-50', '1', 't', 'red ', '2024-02-29', '2024-02-29T23:59:59.999999Z', '2023-03-01T00:00:00', '1', '00:00:00.000001'],
  ['-1e-40', '2', 'f', 'red', '1969-12-31', '1969-12-31T23:59:59Z', '1900-03-01T00:00:00', '2', '01:00:00'],
];

/** Every threshold of the trees on feature 0, the float64 midpoints below and above it, and their neighbours. */
function thresholdValues(onnx: Uint8Array): string[] {
  const graph = onnxProto.onnx.ModelProto.decode(onnx).graph;
  const tree = graph?.node?.find((n) => n.opType === 'TreeEnsembleRegressor');
  if (!tree) return [];
  const attr = (name: string) => tree.attribute?.find((a) => a.name === name);
  const features = (attr('nodes_featureids')?.ints ?? []).map(Number);
  const modes = (attr('nodes_modes')?.strings ?? []).map((s) => new TextDecoder().decode(s));
  const values = attr('nodes_values')?.floats ?? [];
  const out = new Set<number>();
  values.forEach((v, i) => {
    if (features[i] !== 0 || modes[i] === 'LEAF') return;
    const th = Math.fround(v);
    for (const neighbour of [nextFloat32(th, -1), nextFloat32(th, 1)]) {
      const mid = (th + neighbour) / 2;
      out.add(th).add(mid).add(nextFloat64(mid, -1)).add(nextFloat64(mid, 1));
    }
  });
  return [...out].slice(0, 400).map(String);
}

function nextFloat32(v: number, dir: 1 | -1): number {
  const f = new Float32Array([v]);
  const u = new Int32Array(f.buffer);
  u[0] += (v >= 0) === (dir > 0) ? 1 : -1;
  return f[0];
}

function nextFloat64(v: number, dir: 1 | -1): number {
  const f = new Float64Array([v]);
  const u = new BigInt64Array(f.buffer);
  u[0] += (v >= 0) === (dir > 0) ? 1n : -1n;
  return f[0];
}

function rowsFor(model: TrainedModel): Array<Array<string | null>> {
  const fresh = syntheticTable(250, 99).features;
  fresh[3].values = fresh[3].values.map((v, i) => (i % 10 === 0 ? 'never-seen' : v));
  const texts = fresh.map(textOf);
  const freshRows = texts[0].map((_, i) => texts.map((column) => column[i]));
  const thresholdRows = thresholdValues(model.onnx).map((v, i) => {
    const row = [...freshRows[i % freshRows.length]];
    row[0] = v;
    return row;
  });
  return [...freshRows, ...EDGE_ROWS, ...thresholdRows];
}

function targetOf(model: TrainedModel, returnType: string, output: 'value' | 'probabilities'): CompileTarget {
  return {
    onnx: model.onnx, ioPlan: null, classes: model.classes ?? null, problemType: model.problemType,
    parameterTypes: TYPES, returnType, output,
  };
}

let scratch: Scratch;
beforeAll(async () => {
  scratch = await Scratch.open(inject('upstreamUrl'));
});
afterAll(async () => {
  await scratch?.close();
});

async function expectAgreement(model: TrainedModel, returnType: string): Promise<void> {
  const rows = rowsFor(model);
  const table = await scratch.table(TYPES, rows);
  const value = await runBoth(scratch, targetOf(model, returnType, 'value'), table, rows.length);
  if (model.problemType === 'REGRESSION') expectNumbersClose(value);
  else expectSame(value);
  if (model.problemType === 'BINARY_CLASSIFICATION' || model.problemType === 'MULTICLASS_CLASSIFICATION') {
    expectProbabilitiesClose(await runBoth(scratch, targetOf(model, 'jsonb', 'probabilities'), table, rows.length));
  }
}

const cases: Array<[string, TrainingColumn | null, string, TrainingSpec]> = [
  ['XGBOOST reg:squarederror', regression, 'float8', { modelType: 'XGBOOST', hyperparameters: { num_round: '30' } }],
  ['XGBOOST reg:squaredlogerror', positive, 'float8', { modelType: 'XGBOOST', objective: 'reg:squaredlogerror', hyperparameters: { num_round: '20' } }],
  ['XGBOOST reg:logistic', unit, 'float8', { modelType: 'XGBOOST', objective: 'reg:logistic', hyperparameters: { num_round: '20' } }],
  ['XGBOOST reg:pseudohubererror', regression, 'float8', { modelType: 'XGBOOST', objective: 'reg:pseudohubererror', hyperparameters: { num_round: '20' } }],
  ['XGBOOST reg:tweedie', positive, 'float8', { modelType: 'XGBOOST', objective: 'reg:tweedie', hyperparameters: { num_round: '20' } }],
  ['XGBOOST binary:logistic', binary, 'bool', { modelType: 'XGBOOST', hyperparameters: { num_round: '30' } }],
  ['XGBOOST binary:hinge', binary, 'bool', { modelType: 'XGBOOST', objective: 'binary:hinge', hyperparameters: { num_round: '20' } }],
  ['XGBOOST multi:softmax', multiclass, 'text', { modelType: 'XGBOOST', objective: 'multi:softmax', hyperparameters: { num_round: '15', num_class: '4' } }],
  ['XGBOOST multi:softmax, int classes', numbered, 'int4', { modelType: 'XGBOOST', objective: 'multi:softmax', hyperparameters: { num_round: '10', num_class: '3' } }],
  ['XGBOOST max_depth 0', binary, 'bool', { modelType: 'XGBOOST', hyperparameters: { num_round: '10', max_depth: '0' } }],
  ['LINEAR_LEARNER regression', regression, 'float8', { modelType: 'LINEAR_LEARNER', hyperparameters: {} }],
  ['LINEAR_LEARNER binary', binary, 'bool', { modelType: 'LINEAR_LEARNER', hyperparameters: {} }],
  ['LINEAR_LEARNER multiclass', multiclass, 'text', { modelType: 'LINEAR_LEARNER', hyperparameters: {} }],
  ['MLP regression', regression, 'float8', { modelType: 'MLP', hyperparameters: { epochs: '20' } }],
  ['MLP binary', binary, 'bool', { modelType: 'MLP', hyperparameters: { epochs: '20' } }],
  ['MLP multiclass', multiclass, 'text', { modelType: 'MLP', hyperparameters: { epochs: '20' } }],
  ['KMEANS k 5', null, 'int4', { modelType: 'KMEANS', hyperparameters: { k: '5' } }],
  ['KMEANS k 1', null, 'int4', { modelType: 'KMEANS', hyperparameters: { k: '1' } }],
];

describe('compiled trained models equal onnxruntime', () => {
  test.each(cases)('%s', async (_name, target, returnType, spec) => {
    const model = await train(features, target, spec);
    await expectAgreement(model, returnType);
  });
});
