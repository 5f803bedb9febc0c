import { describe, expect, test } from 'vitest';
import { type TrainingColumn, TrainingInputError, type TrainingSpec, train } from '../../src/training/index.ts';
import { createRandom } from '../../src/training/util/random.ts';
import { expectOnnxMatchesTrainer, metadataOf } from './support/onnx-runner.ts';
import { syntheticTable } from './support/synthetic-data.ts';

/** MODEL_TYPE MLP: onnxruntime agrees with the trainer, it learns, it is deterministic, it stops when told. */
const { features, signal } = syntheticTable(1500, 7);
const fresh = syntheticTable(300, 99).features;
fresh[3].values = fresh[3].values.map((v, i) => (i % 10 === 0 ? 'never-seen' : v));

const regression: TrainingColumn = { name: 'y', type: 'float8', values: signal };
const binary: TrainingColumn = { name: 'y', type: 'bool', values: signal.map((s, i) => (i % 17 === 0 ? null : s > 1)) };
const multiclass: TrainingColumn = {
  name: 'y', type: 'text', values: signal.map((s) => (s < -1 ? 'low' : s < 2 ? 'mid' : s < 4 ? 'high' : 'top')),
};

async function errorOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

/** y = 3 x1 - 2 x2 + sin(2 x3) * 2 + x4 * x5 + noise, as learning.test.ts. */
function smooth(rows: number, seed: number) {
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
  return { features: xs.map((values, i): TrainingColumn => ({ name: `x${i + 1}`, type: 'float8', values })), y };
}

const std = (v: number[]): number => {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
};

describe('MLP: ONNX export equals the trainer', () => {
  const cases: Array<[string, TrainingColumn, TrainingSpec]> = [
    ['regression', regression, { modelType: 'MLP', hyperparameters: {} }],
    ['binary', binary, { modelType: 'MLP', hyperparameters: {} }],
    ['multiclass', multiclass, { modelType: 'MLP', hyperparameters: {} }],
    ['regression, two hidden layers', regression, { modelType: 'MLP', hyperparameters: { hidden_layers: '2', hidden_units: '32', epochs: '20' } }],
    ['multiclass, two hidden layers by F1Macro', multiclass, {
      modelType: 'MLP', objective: 'F1Macro', hyperparameters: { hidden_layers: '2', hidden_units: '16', epochs: '20', mini_batch_size: '32' },
    }],
  ];
  test.each(cases)('%s', async (_name, target, spec) => {
    const model = await train(features, target, spec);
    expect(model.modelType).toBe('MLP');
    await expectOnnxMatchesTrainer(model, features);
    await expectOnnxMatchesTrainer(model, fresh);
    expect(Number.isFinite(model.validation.value)).toBe(true);
    const meta = metadataOf(model.onnx);
    expect(meta.modelType).toBe('MLP');
    expect(meta.outputs).toEqual(target === regression ? ['variable'] : ['label', 'probabilities']);
  });

  test('binary probabilities sum to 1 and the label is the likelier class', async () => {
    const model = await train(features, binary, { modelType: 'MLP', hyperparameters: {} });
    const pred = await expectOnnxMatchesTrainer(model, fresh);
    if (pred instanceof Float64Array) throw new Error('expected classification');
    pred.probabilities.forEach((p, i) => {
      expect(p[0] + p[1]).toBeCloseTo(1, 6);
      expect(pred.labels[i]).toBe(p[1] > p[0] ? 1 : 0);
    });
  });
});

describe('MLP learns', () => {
  const trainSet = smooth(4000, 1);
  const testSet = smooth(1000, 2);

  test('regression on a smooth non-linear target: test RMSE below 0.1 of the target std (XGBOOST reaches about 0.1)', async () => {
    const model = await train(trainSet.features, { name: 'y', type: 'float8', values: trainSet.y }, { modelType: 'MLP', hyperparameters: {} });
    expect(model.problemType).toBe('REGRESSION');
    expect(model.objective).toBe('MSE');
    const pred = model.predict(testSet.features) as Float64Array;
    const rmse = Math.sqrt(testSet.y.reduce((a, y, i) => a + (pred[i] - y) ** 2, 0) / testSet.y.length);
    expect(rmse).toBeLessThan(0.1 * std(testSet.y));
  });

  test('binary on a curved boundary: accuracy above 0.95', async () => {
    const label = (f: TrainingColumn[], i: number) => (f[0].values[i] as number) ** 2 + (f[1].values[i] as number) ** 2 < 0.5;
    const y = trainSet.y.map((_, i) => label(trainSet.features, i));
    const model = await train(trainSet.features, { name: 'inside', type: 'bool', values: y }, { modelType: 'MLP', objective: 'Accuracy', hyperparameters: {} });
    expect(model.classes).toEqual([false, true]);
    const pred = model.predict(testSet.features);
    if (pred instanceof Float64Array) throw new Error('expected classification');
    const hits = testSet.y.filter((_, i) => (pred.labels[i] === 1) === label(testSet.features, i)).length;
    expect(hits / testSet.y.length).toBeGreaterThan(0.95);
  });

  test('multiclass with text labels: accuracy above 0.95, probabilities sum to 1', async () => {
    const names = ['cherry', 'apple', 'banana'];
    const fruit = (f: TrainingColumn[], i: number) => names[Math.min(2, Math.floor(((f[0].values[i] as number) + 1) * 1.5))];
    const model = await train(trainSet.features, { name: 'fruit', type: 'text', values: trainSet.y.map((_, i) => fruit(trainSet.features, i)) }, {
      modelType: 'MLP', hyperparameters: {},
    });
    expect(model.problemType).toBe('MULTICLASS_CLASSIFICATION');
    expect(model.classes).toEqual(['apple', 'banana', 'cherry']);
    const pred = model.predict(testSet.features);
    if (pred instanceof Float64Array) throw new Error('expected classification');
    const hits = testSet.y.filter((_, i) => model.classes?.[pred.labels[i]] === fruit(testSet.features, i)).length;
    expect(hits / testSet.y.length).toBeGreaterThan(0.95);
    for (const p of pred.probabilities) expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });
});

describe('MLP spec, determinism and control', () => {
  test('same data and spec give identical ONNX bytes; another seed gives others', async () => {
    const spec: TrainingSpec = { modelType: 'MLP', hyperparameters: { epochs: '15' } };
    const a = await train(features, regression, spec);
    const b = await train(features, regression, spec);
    expect(Buffer.from(a.onnx).equals(Buffer.from(b.onnx))).toBe(true);
    const c = await train(features, regression, { ...spec, seed: 2 });
    expect(Buffer.from(a.onnx).equals(Buffer.from(c.onnx))).toBe(false);
  });

  test.each([
    ['hidden_layers', '5', /hidden_layers value '5' is out of range \[1, 4\]/],
    ['hidden_units', '0', /hidden_units value '0' is out of range/],
    ['epochs', '2.5', /epochs must be an integer/],
    ['learning_rate', 'fast', /learning_rate must be a number/],
    ['mini_batch_size', '', /mini_batch_size must be an integer/],
    ['num_round', '10', /unknown hyperparameter num_round/],
  ])('hyperparameter %s = %j is a TrainingInputError', async (key, value, message) => {
    const e = await errorOf(train(features, regression, { modelType: 'MLP', hyperparameters: { [key]: value } }));
    expect(e).toBeInstanceOf(TrainingInputError);
    expect(e.message).toMatch(message);
  });

  test('an XGBoost-only objective, and no target, are TrainingInputErrors', async () => {
    const e = await errorOf(train(features, regression, { modelType: 'MLP', objective: 'reg:tweedie', hyperparameters: {} }));
    expect(e).toBeInstanceOf(TrainingInputError);
    expect(e.message).toMatch(/does not apply to MLP/);
    const none = await errorOf(train(features, null, { modelType: 'MLP', hyperparameters: {} }));
    expect(none).toBeInstanceOf(TrainingInputError);
    expect(none.message).toMatch(/needs a TARGET/);
  });

  test('progress is counted in epochs; early stopping jumps to the total', async () => {
    const seen: string[] = [];
    await train(features, regression, { modelType: 'MLP', hyperparameters: { epochs: '5' } }, {
      onProgress: (p) => seen.push(`${p.done}/${p.total} ${p.unit}`),
    });
    expect(seen).toEqual(['1/5 epochs', '2/5 epochs', '3/5 epochs', '4/5 epochs', '5/5 epochs']);
    const stopped: number[] = [];
    await train(features, regression, { modelType: 'MLP', hyperparameters: { epochs: '10000', patience: '2' } }, {
      onProgress: (p) => stopped.push(p.done),
    });
    expect(stopped.length).toBeLessThan(10000);
    expect(stopped.at(-1)).toBe(10000);
  });

  test('an abort keeps the model after the current epoch; onnxruntime still agrees', async () => {
    const controller = new AbortController();
    let epochs = 0;
    const model = await train(features, multiclass, { modelType: 'MLP', hyperparameters: { epochs: '500', patience: '500' } }, {
      signal: controller.signal,
      onProgress: (p) => {
        epochs = p.done;
        if (p.done === 3) controller.abort();
      },
    });
    expect(model.cutShort).toBe(true);
    expect(epochs).toBe(3);
    await expectOnnxMatchesTrainer(model, fresh);
    expect(model.validation.value).toBeGreaterThan(0.4);
  });

  test('MAX_RUNTIME reached: training stops between epochs and keeps the best weights so far', async () => {
    let epochs = 0;
    const model = await train(features, regression, {
      modelType: 'MLP', hyperparameters: { epochs: '10000', patience: '10000' }, maxRuntimeSeconds: 0.3,
    }, { onProgress: (p) => (epochs = p.done) });
    expect(model.cutShort).toBe(true);
    expect(epochs).toBeGreaterThan(0);
    expect(epochs).toBeLessThan(10000);
    await expectOnnxMatchesTrainer(model, features);
    expect(model.validation.value).toBeLessThan(std(signal) ** 2);
  });

  test('the result crosses threads: structuredClone keeps everything but predict', async () => {
    const model = await train(features, binary, { modelType: 'MLP', hyperparameters: { epochs: '3' } });
    const copy = structuredClone(model);
    expect(copy.onnx).toEqual(model.onnx);
    expect(copy.classes).toEqual([false, true]);
    expect('predict' in copy).toBe(false);
  });

  test('tiny tables, a constant target and features that are always NULL still export', async () => {
    const n = 30;
    const x: TrainingColumn = { name: 'x', type: 'float4', values: Array.from({ length: n }, (_, i) => (i % 7) - 3) };
    const cols: TrainingColumn[] = [x, { name: 'nothing', type: 'float8', values: Array(n).fill(null) }, { name: 'words', type: 'text', values: Array(n).fill(null) }];
    const constant = await train(cols, { name: 'y', type: 'int4', values: Array(n).fill(5) }, { modelType: 'MLP', hyperparameters: { epochs: '20' } });
    const pred = await expectOnnxMatchesTrainer(constant, cols);
    expect(Array.from(pred as Float64Array).every((v) => Math.abs(v - 5) < 1e-3)).toBe(true);
    const small = await train(cols.map((c) => ({ ...c, values: c.values.slice(0, 8) })), { name: 'y', type: 'float8', values: x.values.slice(0, 8) }, {
      modelType: 'MLP', hyperparameters: { epochs: '5' },
    });
    expect(small.trainingRows).toBe(8);
  });
});
