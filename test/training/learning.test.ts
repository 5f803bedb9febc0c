import { describe, expect, test } from 'vitest';
import { type TrainingColumn, train } from '../../src/training/index.ts';
import { createRandom } from '../../src/training/util/random.ts';
import { expectOnnxMatchesTrainer } from './support/onnx-runner.ts';

/** y = 3 x1 - 2 x2 + sin(2 x3) * 2 + x4 * x5 + noise */
function table(rows: number, seed: number) {
  const r = createRandom(seed);
  const xs = Array.from({ length: 5 }, () => [] as number[]);
  const y: number[] = [];
  for (let i = 0; i < rows; i++) {
    const v = xs.map((col) => {
      const x = r.next() * 2 - 1;
      col.push(x);
      return x;
    });
    y.push(3 * v[0] - 2 * v[1] + Math.sin(2 * v[2]) * 2 + v[3] * v[4] + (r.next() - 0.5) * 0.2);
  }
  const features: TrainingColumn[] = xs.map((values, i) => ({ name: `x${i + 1}`, type: 'float8', values }));
  return { features, y };
}

const std = (v: number[]): number => {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
};

describe('the models learn', () => {
  const train_ = table(4000, 1);
  const test_ = table(1000, 2);
  const target: TrainingColumn = { name: 'y', type: 'float8', values: train_.y };

  test('XGBOOST regression: test RMSE well below the target std', async () => {
    const model = await train(train_.features, target, { modelType: 'XGBOOST', hyperparameters: {} });
    const pred = model.predict(test_.features) as Float64Array;
    const rmse = Math.sqrt(test_.y.reduce((a, y, i) => a + (pred[i] - y) ** 2, 0) / test_.y.length);
    expect(rmse).toBeLessThan(0.15 * std(test_.y));
    expect(Math.sqrt(model.validation.value)).toBeLessThan(0.15 * std(train_.y));
  });

  test('LINEAR_LEARNER regression: captures the linear part', async () => {
    const model = await train(train_.features, target, { modelType: 'LINEAR_LEARNER', hyperparameters: {} });
    const pred = model.predict(test_.features) as Float64Array;
    const rmse = Math.sqrt(test_.y.reduce((a, y, i) => a + (pred[i] - y) ** 2, 0) / test_.y.length);
    expect(rmse).toBeLessThan(0.4 * std(test_.y));
  });

  test('AUTO keeps the best of XGBOOST, LINEAR_LEARNER and (on small data) MLP when the target is non-linear, by MSE', async () => {
    const model = await train(train_.features, target, { modelType: 'AUTO', hyperparameters: {} });
    const xgbOnly = await train(train_.features, target, { modelType: 'XGBOOST', objective: 'MSE', hyperparameters: {} });
    // This smooth target suits the network; either way the linear model loses.
    expect(model.modelType).toBe('MLP');
    expect(model.validation.value).toBeLessThanOrEqual(xgbOnly.validation.value);
    expect(model.objective).toBe('MSE');
    expect(model.validation.metric).toBe('mse');
  });

  test('AUTO picks LINEAR_LEARNER when the target is linear', async () => {
    const linear = train_.features[0].values.map((x, i) => 2 * (x as number) - (train_.features[1].values[i] as number));
    const model = await train(train_.features, { name: 'y', type: 'float8', values: linear }, { modelType: 'AUTO', hyperparameters: {} });
    expect(model.modelType).toBe('LINEAR_LEARNER');
    expect(model.validation.value).toBeLessThan(1e-6);
  });

  test('binary classification on separable data: accuracy above 0.9 for both model types', async () => {
    const labels = train_.features[0].values.map((x, i) => (x as number) + (train_.features[1].values[i] as number) > 0);
    const testLabels = test_.features[0].values.map((x, i) => (x as number) + (test_.features[1].values[i] as number) > 0);
    for (const modelType of ['XGBOOST', 'LINEAR_LEARNER'] as const) {
      const model = await train(train_.features, { name: 'y', type: 'bool', values: labels }, { modelType, objective: 'Accuracy', hyperparameters: {} });
      expect(model.classes).toEqual([false, true]);
      expect(model.validation.metric).toBe('accuracy');
      const pred = model.predict(test_.features);
      if (pred instanceof Float64Array) throw new Error('expected classification');
      const acc = testLabels.filter((t, i) => (pred.labels[i] === 1) === t).length / testLabels.length;
      expect(acc).toBeGreaterThan(0.9);
    }
  });

  test('multiclass with text labels: classes sorted, labels index them, ONNX agrees', async () => {
    const names = ['cherry', 'apple', 'banana'];
    const labels = train_.features[0].values.map((x) => names[Math.min(2, Math.floor(((x as number) + 1) * 1.5))]);
    const model = await train(train_.features, { name: 'fruit', type: 'text', values: labels }, { modelType: 'XGBOOST', hyperparameters: { num_round: '30' } });
    expect(model.problemType).toBe('MULTICLASS_CLASSIFICATION');
    expect(model.objective).toBe('multi:softmax');
    expect(model.classes).toEqual(['apple', 'banana', 'cherry']);
    expect(model.validation).toMatchObject({ metric: 'accuracy' });
    expect(model.validation.value).toBeGreaterThan(0.95);
    const pred = await expectOnnxMatchesTrainer(model, train_.features.map((f) => ({ ...f, values: f.values.slice(0, 500) })));
    if (pred instanceof Float64Array) throw new Error('expected classification');
    const hits = pred.labels.filter((l, i) => model.classes?.[l] === labels[i]).length;
    expect(hits / 500).toBeGreaterThan(0.95);
    for (const p of pred.probabilities) expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });
});
