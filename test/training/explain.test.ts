import { describe, expect, test } from 'vitest';
import { type ModelExplanation, type TrainingColumn, type TrainingSpec, train } from '../../src/training/index.ts';
import type { EncodingPlan } from '../../src/training/data/feature-encoding.ts';
import { coefficientImportance } from '../../src/training/explain/coefficient-importance.ts';
import { permutationImportance } from '../../src/training/explain/permutation-importance.ts';
import type { LinearModel } from '../../src/training/linear/linear-model.ts';
import { createRandom } from '../../src/training/util/random.ts';
import { syntheticTable } from './support/synthetic-data.ts';

/** TrainedModel.explanation: method per model type, names in order, importances that make sense. */

/** y = 4 x0 + 0.6 x1 (+ tiny noise); x2 is not used. All uniform on [-1, 1]. */
function strongWeakNone(rows: number, seed: number, noise = 0.01) {
  const r = createRandom(seed);
  const xs = [[], [], []] as number[][];
  const y: number[] = [];
  for (let i = 0; i < rows; i++) {
    const v = xs.map((col) => {
      const x = r.next() * 2 - 1;
      col.push(x);
      return x;
    });
    y.push(4 * v[0] + 0.6 * v[1] + (r.next() - 0.5) * noise);
  }
  const features = xs.map((values, i): TrainingColumn => ({ name: `x${i}`, type: 'float8', values }));
  return { features, target: { name: 'y', type: 'float8', values: y } as TrainingColumn };
}

function importanceOf(e: ModelExplanation, name: string): number {
  const hit = e.features.find((f) => f.feature === name);
  if (hit === undefined) throw new Error(`no ${name} in the explanation`);
  return hit.importance;
}

function expectWellFormed(e: ModelExplanation, names: string[]): void {
  expect(e.features.map((f) => f.feature)).toEqual(names);
  for (const f of e.features) {
    expect(Number.isFinite(f.importance)).toBe(true);
    expect(f.importance).toBeGreaterThanOrEqual(0);
  }
}

describe('XGBOOST: mean |SHAP| (tree_shap)', () => {
  test('x0 (strong) > x1 (weak) > x2 (unused), x2 near 0; the values are mean |SHAP| in target units', async () => {
    const { features, target } = strongWeakNone(3000, 5);
    const model = await train(features, target, { modelType: 'XGBOOST', hyperparameters: {} });
    const e = model.explanation;
    expect(e.method).toBe('tree_shap');
    expectWellFormed(e, ['x0', 'x1', 'x2']);
    const [a, b, c] = e.features.map((f) => f.importance);
    expect(a).toBeGreaterThan(b);
    expect(b).toBeGreaterThan(c);
    expect(c).toBeLessThan(0.02 * a);
    // For an additive model the SHAP value of x0 is 4 (x0 - mean), so mean |SHAP| = 4 E|x0| = 2;
    // for x1 it is 0.6 × 0.5 = 0.3. The trees approximate both.
    expect(a).toBeGreaterThan(1.8);
    expect(a).toBeLessThan(2.2);
    expect(b).toBeGreaterThan(0.2);
    expect(b).toBeLessThan(0.4);
  });

  test('every feature type: one entry per source column, date parts summed into their date', async () => {
    const { features, signal } = syntheticTable(1500, 7);
    const target: TrainingColumn = { name: 'y', type: 'float8', values: signal };
    const model = await train(features, target, { modelType: 'XGBOOST', hyperparameters: {} });
    expect(model.explanation.method).toBe('tree_shap');
    expectWellFormed(model.explanation, features.map((f) => f.name));
    // num carries sin(1.5 a) × 3 and int b / 25 (spread 4): both clearly above tod's one hour cut.
    expect(importanceOf(model.explanation, 'num')).toBeGreaterThan(importanceOf(model.explanation, 'tod'));
    expect(importanceOf(model.explanation, 'day')).toBeGreaterThan(0.1);
  });

  test('multiclass sums the classes and still ranks the informative feature first', async () => {
    const { features, target } = strongWeakNone(2000, 6);
    const classes: TrainingColumn = {
      name: 'c', type: 'text', values: (target.values as number[]).map((v) => (v < -1.5 ? 'a' : v < 1.5 ? 'b' : 'c')),
    };
    const model = await train(features, classes, { modelType: 'XGBOOST', hyperparameters: { num_round: '30' } });
    expect(model.problemType).toBe('MULTICLASS_CLASSIFICATION');
    expectWellFormed(model.explanation, ['x0', 'x1', 'x2']);
    const [a, b, c] = model.explanation.features.map((f) => f.importance);
    expect(a).toBeGreaterThan(5 * b);
    expect(a).toBeGreaterThan(5 * c);
  });
});

describe('LINEAR_LEARNER: |w| × std (coefficients)', () => {
  test('by hand: a plan with a number (one NULL) and a category, two outputs', () => {
    const plan: EncodingPlan = {
      features: [
        { kind: 'number', name: 'n', type: 'float8', input: 'n' },
        { kind: 'category', name: 'c', type: 'text', input: 'c', categories: ['p', 'q'], counts: [3, 1] },
      ],
      columns: [
        { name: 'n', feature: 0, kind: 'number', categoryCount: 0 },
        { name: 'c', feature: 1, kind: 'category', categoryCount: 2 },
      ],
    };
    // Base rows (n, c): (1, 0), (3, 0), (NaN, 0), (5, 1). Standardised n with mean 3, scale 0.5:
    // -1, 0, 0 (NULL sits at the mean), 1 -> mean 0, variance 0.5. One-hot p: 1,1,1,0 -> std sqrt(3/16) = q's.
    const x = Float32Array.from([1, 0, 3, 0, NaN, 0, 5, 1]);
    const model: LinearModel = {
      kind: 'linear', features: 2, numeric: [{ column: 0, mean: 3, scale: 0.5 }], oneHot: [{ column: 1, codes: [0, 1] }],
      width: 3, outputs: 2, weights: [2, -1, 0.5, 0.5, -3, 1], bias: [0, 0], transform: 'softmax',
    };
    const importance = coefficientImportance(plan, model, x, 4);
    expect(importance[0]).toBeCloseTo((2 + 1) * Math.sqrt(0.5), 12);
    expect(importance[1]).toBeCloseTo((0.5 + 0.5) * Math.sqrt(3 / 16) + (3 + 1) * Math.sqrt(3 / 16), 12);
  });

  test('trained: importance of x_j = |true coefficient| × std(x_j) (the model works on standardised inputs)', async () => {
    const { features, target } = strongWeakNone(3000, 8);
    const model = await train(features, target, { modelType: 'LINEAR_LEARNER', hyperparameters: {} });
    expect(model.explanation.method).toBe('coefficients');
    expectWellFormed(model.explanation, ['x0', 'x1', 'x2']);
    const std = (v: number[]): number => {
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
    };
    const [a, b, c] = model.explanation.features.map((f) => f.importance);
    expect(a / (4 * std(features[0].values as number[]))).toBeCloseTo(1, 2);
    expect(b / (0.6 * std(features[1].values as number[]))).toBeCloseTo(1, 2);
    expect(c).toBeLessThan(0.01);
  });

  test('AUTO reports the method of the model it kept', async () => {
    const { features, target } = strongWeakNone(600, 9);
    const model = await train(features, target, { modelType: 'AUTO', hyperparameters: {} });
    expect(model.explanation.method).toBe(model.modelType === 'XGBOOST' ? 'tree_shap' : 'coefficients');
  });
});

describe('MLP: permutation importance on the held-out rows', () => {
  test('the informative feature wins; the unused one is near 0', async () => {
    const { features, target } = strongWeakNone(2000, 10);
    const model = await train(features, target, { modelType: 'MLP', hyperparameters: { epochs: '60' } });
    expect(model.explanation.method).toBe('permutation');
    expectWellFormed(model.explanation, ['x0', 'x1', 'x2']);
    const [a, b, c] = model.explanation.features.map((f) => f.importance);
    // Shuffling x0 adds about 2 × 16 × var(x0) = 10.7 to the MSE; x1 about 0.24.
    expect(a).toBeGreaterThan(5);
    expect(a).toBeGreaterThan(10 * b);
    expect(b).toBeGreaterThan(c);
    expect(c).toBeLessThan(0.05);
  });

  test('classification: log loss increase picks the feature the class depends on', async () => {
    const { features } = strongWeakNone(1500, 11);
    const label: TrainingColumn = { name: 'p', type: 'bool', values: (features[2].values as number[]).map((v) => v > 0) };
    const model = await train(features, label, { modelType: 'MLP', hyperparameters: { epochs: '60' } });
    const [a, b, c] = model.explanation.features.map((f) => f.importance);
    expect(c).toBeGreaterThan(0.3);
    expect(c).toBeGreaterThan(10 * Math.max(a, b));
  });

  test('by hand: a linear margin y = 2 x0, shuffling x1 changes nothing', () => {
    const plan: EncodingPlan = {
      features: [0, 1].map((i) => ({ kind: 'number' as const, name: `x${i}`, type: 'float8' as const, input: `x${i}` })),
      columns: [0, 1].map((i) => ({ name: `x${i}`, feature: i, kind: 'number' as const, categoryCount: 0 })),
    };
    const model: LinearModel = {
      kind: 'linear', features: 2, numeric: [{ column: 0, mean: 0, scale: 1 }, { column: 1, mean: 0, scale: 1 }],
      oneHot: [], width: 2, outputs: 1, weights: [2, 0], bias: [0], transform: 'identity',
    };
    const rows = 400;
    const r = createRandom(3);
    const x = Float32Array.from({ length: rows * 2 }, () => r.next() * 2 - 1);
    const y = Float64Array.from({ length: rows }, (_, i) => 2 * x[2 * i]);
    const importance = permutationImportance(plan, model, 'REGRESSION', { x, rows, y }, 1);
    // E[(2 x - 2 x')²] = 8 var(x) = 8/3 for independent uniform x, x'.
    expect(importance[0]).toBeGreaterThan(8 / 3 * 0.8);
    expect(importance[0]).toBeLessThan(8 / 3 * 1.2);
    expect(importance[1]).toBe(0);
  });
});

describe('KMEANS and common properties', () => {
  test('KMEANS: each feature\'s share of the between-cluster variance, against the closed form', async () => {
    // 8 rows (all train: nothing is held out below 10) in two clusters of 4 split by x0 = -1 / +1,
    // which cat agrees with and x1 leans to. Standardised, x0 is ±1 (std 1), so the centres differ
    // by 2 in x0; x1 (means 0.25 and 1.25, population variance 7/16) by 1 / sqrt(7/16), squared
    // 16/7; cat's one-hot columns (0/1, not standardised) by 1 each. Two clusters of n/2 rows give
    // B_j = n/4 × (difference)², so the shares are 4 : 16/7 : 2 = 14/29, 8/29, 7/29.
    const features: TrainingColumn[] = [
      { name: 'x0', type: 'float8', values: [-1, -1, -1, -1, 1, 1, 1, 1] },
      { name: 'x1', type: 'float8', values: [0, 0, 0, 1, 1, 1, 1, 2] },
      { name: 'cat', type: 'text', values: ['a', 'a', 'a', 'a', 'b', 'b', 'b', 'b'] },
    ];
    const model = await train(features, null, { modelType: 'KMEANS', hyperparameters: { k: '2' } });
    expect(model.explanation.method).toBe('between_cluster_variance');
    expect(model.explanation.features.map((f) => f.feature)).toEqual(['x0', 'x1', 'cat']);
    const shares = model.explanation.features.map((f) => f.importance);
    [14 / 29, 8 / 29, 7 / 29].forEach((want, i) => expect(shares[i]).toBeCloseTo(want, 6));
    // The clusters the shares describe are the x0 halves.
    const labels = (model.predict(features) as { labels: Int32Array }).labels;
    expect(new Set(labels.slice(0, 4)).size).toBe(1);
    expect(new Set(labels.slice(4)).size).toBe(1);
    expect(labels[0]).not.toBe(labels[4]);
  });

  test('KMEANS: one cluster has no between-cluster variance, so every share is 0', async () => {
    const { features } = syntheticTable(300, 3);
    const model = await train(features, null, { modelType: 'KMEANS', hyperparameters: { k: '1' } });
    expect(model.explanation).toEqual({ method: 'between_cluster_variance', features: features.map((f) => ({ feature: f.name, importance: 0 })) });
  });

  test('deterministic: same data and spec give the same explanation, and it survives structuredClone', async () => {
    const { features, target } = strongWeakNone(800, 12);
    const specs: TrainingSpec[] = [
      { modelType: 'XGBOOST', hyperparameters: { subsample: '0.8' } },
      { modelType: 'LINEAR_LEARNER', hyperparameters: {} },
      { modelType: 'MLP', hyperparameters: { epochs: '10' } },
    ];
    for (const spec of specs) {
      const one = await train(features, target, spec);
      const two = await train(features, target, spec);
      expect(two.explanation).toEqual(one.explanation);
      expect(structuredClone(one).explanation).toEqual(one.explanation);
    }
    const seeded = await train(features, target, { modelType: 'MLP', hyperparameters: { epochs: '10' }, seed: 2 });
    expect(seeded.explanation.features.map((f) => f.feature)).toEqual(['x0', 'x1', 'x2']);
  });

  test('a feature named like an output keeps its own name in the explanation', async () => {
    const { features, target } = strongWeakNone(300, 13);
    features[0] = { ...features[0], name: 'label' };
    const model = await train(features, target, { modelType: 'XGBOOST', hyperparameters: { num_round: '10' } });
    expect(model.explanation.features.map((f) => f.feature)).toEqual(['label', 'x1', 'x2']);
  });
});
