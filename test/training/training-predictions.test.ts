import { describe, expect, test } from 'vitest';
import { categoricalPredictionBaseline, numericPredictionBaseline } from '../../src/monitor/prediction-baseline.ts';
import { type TrainingColumn, type TrainingSpec, train } from '../../src/training/index.ts';
import { expectClose, runOnnx } from './support/onnx-runner.ts';
import { syntheticTable } from './support/synthetic-data.ts';

/**
 * trainingPredictions() (the prediction baseline's input, mostly kept from training: GBDT's
 * boosting margins, the held-out scoring) against onnxruntime on the stored artifact, on every
 * row given to train(), those without a target included: values to float32 precision, labels
 * exactly, and the same baseline.
 */
const { features, signal } = syntheticTable(3000, 11);
// Every 13th target NULL: rows the trainer never saw, scored for the baseline alone.
const regression: TrainingColumn = { name: 'y', type: 'float8', values: signal.map((s, i) => (i % 13 === 0 ? null : s)) };
const unit: TrainingColumn = { name: 'y', type: 'float8', values: signal.map((s) => 1 / (1 + Math.exp(-s / 3))) };
const binary: TrainingColumn = { name: 'y', type: 'bool', values: signal.map((s, i) => (i % 17 === 0 ? null : s > 1)) };
const multiclass: TrainingColumn = {
  name: 'y', type: 'text', values: signal.map((s, i) => (i % 19 === 0 ? null : s < -1 ? 'low' : s < 2 ? 'mid' : s < 4 ? 'high' : 'top')),
};

const cases: Array<[string, TrainingColumn, TrainingSpec]> = [
  ['XGBOOST reg:squarederror', regression, { modelType: 'XGBOOST', hyperparameters: { num_round: '40' } }],
  ['XGBOOST reg:logistic', unit, { modelType: 'XGBOOST', objective: 'reg:logistic', hyperparameters: { num_round: '30' } }],
  ['XGBOOST binary:logistic, subsample', binary, { modelType: 'XGBOOST', hyperparameters: { num_round: '40', subsample: '0.7' } }],
  ['XGBOOST multi:softmax', multiclass, { modelType: 'XGBOOST', objective: 'multi:softmax', hyperparameters: { num_round: '20', num_class: '4' } }],
  ['LINEAR_LEARNER regression', regression, { modelType: 'LINEAR_LEARNER', hyperparameters: {} }],
  ['AUTO binary', binary, { modelType: 'AUTO', hyperparameters: { num_round: '20' } }],
];

describe('the training rows\' predictions equal onnxruntime on the artifact', () => {
  test.each(cases)('%s', async (_name, target, spec) => {
    const model = await train(features, target, spec);
    const mine = model.trainingPredictions();
    const out = await runOnnx(model, features);
    if (mine instanceof Float64Array) {
      const onnx = out.variable.data as Float32Array;
      expectClose(onnx, mine);
      const a = numericPredictionBaseline(mine);
      const b = numericPredictionBaseline(onnx);
      expect(a.count).toBe(features[0].values.length);
      expect({ ...a, edges: [], min: 0, max: 0, mean: 0, std: 0 }).toEqual({ ...b, edges: [], min: 0, max: 0, mean: 0, std: 0 });
      if (a.kind !== 'numeric' || b.kind !== 'numeric') throw new Error('numeric baselines expected');
      expectClose(a.edges, b.edges);
      expectClose([a.min!, a.max!, a.mean!, a.std!], [b.min!, b.max!, b.mean!, b.std!]);
      return;
    }
    expect(Array.from(mine.labels)).toEqual(Array.from(out.label.data as BigInt64Array, Number));
    expectClose(out.probabilities.data as Float32Array, mine.probabilities.flatMap((p) => Array.from(p)), 1e-5, 1e-3);
    const labels = (l: ArrayLike<number>) => Array.from(l, (c) => String(model.classes![Number(c)]));
    expect(categoricalPredictionBaseline(labels(mine.labels))).toEqual(
      categoricalPredictionBaseline(labels(Array.from(out.label.data as BigInt64Array, Number))),
    );
  });
});
