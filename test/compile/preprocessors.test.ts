import { afterAll, beforeAll, describe, inject, test } from 'vitest';
import type { CompileTarget } from '../../src/compile/index.ts';
import type { TrainingColumn, TrainingSpec } from '../../src/training/index.ts';
import { train } from '../../src/training/index.ts';
import { syntheticTable } from '../training/support/synthetic-data.ts';
import { expectNumbersClose, expectProbabilitiesClose, expectSame, runBoth, Scratch, textOf } from './support/compiled-function.ts';

/**
 * PREPROCESSORS compiled: every transformer in front of trees (whose branches need the
 * preprocessed float32 values bit for bit) and in front of a linear model, against onnxruntime.
 */
const { features, signal } = syntheticTable(700, 11);
const TYPES = features.map((f) => f.type);
const y: TrainingColumn = { name: 'y', type: 'float8', values: signal };
const yClass: TrainingColumn = { name: 'y', type: 'bool', values: signal.map((s) => s > 1) };

const NUMERIC = ['num', 'int', 'flag', 'big'];
const TEMPORAL = ['day', 'ts', 'stamp', 'tod'];
const STEPS: Array<[string, TrainingSpec['preprocessors']]> = [
  ['Imputer', [{ columnSet: ['*'], transformers: ['Imputer'] }]],
  ['ImputerWithIndicator', [{ columnSet: ['*'], transformers: ['ImputerWithIndicator'] }]],
  ['StandardScaler', [{ columnSet: [...NUMERIC, ...TEMPORAL], transformers: ['StandardScaler'] }]],
  ['MinMax', [{ columnSet: [...NUMERIC, ...TEMPORAL], transformers: ['MinMax'] }]],
  ['Normalizer', [{ columnSet: ['num', 'int', 'big', 'tod'], transformers: ['Normalizer'] }]],
  ['OneHotEncoder', [{ columnSet: ['cat'], transformers: ['OneHotEncoder'] }]],
  ['a chain on "*"', [
    { columnSet: ['*'], transformers: ['ImputerWithIndicator', 'StandardScaler', 'OneHotEncoder'] },
    { columnSet: ['num', 'int'], transformers: ['MinMax', 'Normalizer'] },
  ]],
];

const EXTREME: Array<Array<string | null>> = [
  [null, null, null, null, null, null, null, null, null],
  ['NaN', '5', 't', 'never-seen', '2001-02-03', '2021-06-01T12:00:00Z', '2020-01-01T00:00:00', '7', '12:00:00'],
  ['1e300', '2147483647', 'f', '', 'infinity', 'infinity', '-infinity', '9223372036854775807', '24:00:00'],
  ['-3e38', '-2147483648', 't', 'red', '0001-01-01', '1900-01-01T00:00:00Z', '2100-01-01T00:00:00', '-9223372036854775808', '00:00:00'],
  ['1e-42', '0', 'f', 'blue', '5000-12-31', '2000-01-01T00:00:00Z', null, '0', null],
  ['Infinity', '1', null, 'green', null, null, '1999-01-01T00:00:00', null, '23:59:59.999999'],
];

function rows(): Array<Array<string | null>> {
  const fresh = syntheticTable(200, 5).features;
  fresh[3].values = fresh[3].values.map((v, i) => (i % 10 === 0 ? 'never-seen' : v));
  const texts = fresh.map(textOf);
  return [...texts[0].map((_, i) => texts.map((c) => c[i])), ...EXTREME];
}

let scratch: Scratch;
let table: string;
const data = rows();
beforeAll(async () => {
  scratch = await Scratch.open(inject('upstreamUrl'));
  table = await scratch.table(TYPES, data);
});
afterAll(async () => {
  await scratch?.close();
});

const target = (onnx: Uint8Array, classes: Array<string | number | boolean> | null, problemType: string, returnType: string, output: 'value' | 'probabilities'): CompileTarget =>
  ({ onnx, ioPlan: null, classes, problemType, parameterTypes: TYPES, returnType, output });

describe('compiled PREPROCESSORS equal onnxruntime', () => {
  test.each(STEPS)('%s, XGBOOST regression', async (_name, preprocessors) => {
    const model = await train(features, y, { modelType: 'XGBOOST', hyperparameters: { num_round: '15' }, preprocessors });
    expectNumbersClose(await runBoth(scratch, target(model.onnx, null, 'REGRESSION', 'float8', 'value'), table, data.length));
  });

  test.each(STEPS)('%s, LINEAR_LEARNER binary', async (_name, preprocessors) => {
    const model = await train(features, yClass, { modelType: 'LINEAR_LEARNER', hyperparameters: {}, preprocessors });
    const classes = model.classes ?? null;
    expectSame(await runBoth(scratch, target(model.onnx, classes, 'BINARY_CLASSIFICATION', 'bool', 'value'), table, data.length));
    expectProbabilitiesClose(await runBoth(scratch, target(model.onnx, classes, 'BINARY_CLASSIFICATION', 'jsonb', 'probabilities'), table, data.length));
  });

  test.each(STEPS)('%s, KMEANS', async (_name, preprocessors) => {
    const model = await train(features, null, { modelType: 'KMEANS', hyperparameters: { k: '4' }, preprocessors });
    expectSame(await runBoth(scratch, target(model.onnx, null, 'CLUSTERING', 'int4', 'value'), table, data.length));
  });
});
