import { describe, expect, test } from 'vitest';
import { type TrainingColumn, type TrainingSpec, train } from '../../src/training/index.ts';
import { expectOnnxMatchesTrainer } from './support/onnx-runner.ts';
import { syntheticTable } from './support/synthetic-data.ts';

/**
 * Every model type × problem type × objective, on a table with every feature type and NULLs:
 * onnxruntime's outputs must equal the trainer's own predictions, on the training rows and on
 * fresh rows that bring unseen categories.
 */
const { features, signal } = syntheticTable(1500, 7);
const fresh = syntheticTable(300, 99).features;
fresh[3].values = fresh[3].values.map((v, i) => (i % 10 === 0 ? 'never-seen' : v));

const regression: TrainingColumn = { name: 'y', type: 'float8', values: signal };
const positive: TrainingColumn = { name: 'y', type: 'float8', values: signal.map((s) => Math.abs(s) + 0.1) };
const unit: TrainingColumn = { name: 'y', type: 'float8', values: signal.map((s) => 1 / (1 + Math.exp(-s / 3))) };
const binary: TrainingColumn = { name: 'y', type: 'bool', values: signal.map((s, i) => (i % 17 === 0 ? null : s > 1)) };
const multiclass: TrainingColumn = {
  name: 'y', type: 'text', values: signal.map((s) => (s < -1 ? 'low' : s < 2 ? 'mid' : s < 4 ? 'high' : 'top')),
};

const cases: Array<[string, TrainingColumn, TrainingSpec]> = [
  ['XGBOOST reg:squarederror', regression, { modelType: 'XGBOOST', hyperparameters: { num_round: '30' } }],
  ['XGBOOST reg:squaredlogerror', positive, { modelType: 'XGBOOST', objective: 'reg:squaredlogerror', hyperparameters: { num_round: '30' } }],
  ['XGBOOST reg:logistic', unit, { modelType: 'XGBOOST', objective: 'reg:logistic', hyperparameters: { num_round: '30' } }],
  ['XGBOOST reg:pseudohubererror', regression, { modelType: 'XGBOOST', objective: 'reg:pseudohubererror', hyperparameters: { num_round: '30' } }],
  ['XGBOOST reg:tweedie', positive, { modelType: 'XGBOOST', objective: 'reg:tweedie', hyperparameters: { num_round: '30' } }],
  ['XGBOOST binary:logistic', binary, { modelType: 'XGBOOST', hyperparameters: { num_round: '30' } }],
  ['XGBOOST binary:hinge', binary, { modelType: 'XGBOOST', objective: 'binary:hinge', hyperparameters: { num_round: '30' } }],
  ['XGBOOST multi:softmax', multiclass, { modelType: 'XGBOOST', objective: 'multi:softmax', hyperparameters: { num_round: '20', num_class: '4' } }],
  ['XGBOOST all sampling and regularisation knobs', regression, {
    modelType: 'XGBOOST',
    hyperparameters: {
      num_round: '25', max_depth: '4', eta: '0.2', subsample: '0.7', colsample_bytree: '0.8', colsample_bylevel: '0.7',
      colsample_bynode: '0.6', alpha: '2', lambda: '5', gamma: '0.5', min_child_weight: '3', max_delta_step: '1',
    },
  }],
  ['XGBOOST max_depth 0', binary, { modelType: 'XGBOOST', hyperparameters: { num_round: '10', max_depth: '0' } }],
  ['LINEAR_LEARNER regression', regression, { modelType: 'LINEAR_LEARNER', hyperparameters: {} }],
  ['LINEAR_LEARNER binary', binary, { modelType: 'LINEAR_LEARNER', hyperparameters: {} }],
  ['LINEAR_LEARNER multiclass', multiclass, { modelType: 'LINEAR_LEARNER', hyperparameters: {} }],
  ['AUTO regression', regression, { modelType: 'AUTO', hyperparameters: { num_round: '20' } }],
  ['AUTO binary by AUC', binary, { modelType: 'AUTO', objective: 'AUC', hyperparameters: { num_round: '20' } }],
  ['AUTO multiclass by F1Macro', multiclass, { modelType: 'AUTO', objective: 'F1Macro', hyperparameters: { num_round: '20' } }],
];

describe('ONNX export equals the trainer', () => {
  test.each(cases)('%s', async (_name, target, spec) => {
    const model = await train(features, target, spec);
    await expectOnnxMatchesTrainer(model, features);
    await expectOnnxMatchesTrainer(model, fresh);
    expect(Number.isFinite(model.validation.value)).toBe(true);
  });
});
