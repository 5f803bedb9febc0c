import { describe, expect, test } from 'vitest';
import { NotSupportedError, type TrainingColumn, TrainingInputError, train } from '../../src/training/index.ts';
import { syntheticTable } from './support/synthetic-data.ts';

const { features, signal } = syntheticTable(800, 3);
const y: TrainingColumn = { name: 'y', type: 'float8', values: signal };
const label: TrainingColumn = { name: 'y', type: 'text', values: signal.map((s) => (s > 1 ? 'yes' : 'no')) };

async function errorOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('determinism', () => {
  test('same data and spec give identical ONNX bytes; another seed gives others', async () => {
    const spec = { modelType: 'AUTO' as const, hyperparameters: { num_round: '15', subsample: '0.8', colsample_bynode: '0.5' } };
    const a = await train(features, y, spec);
    const b = await train(features, y, spec);
    expect(Buffer.from(a.onnx).equals(Buffer.from(b.onnx))).toBe(true);
    const c = await train(features, y, { ...spec, seed: 2 });
    expect(Buffer.from(a.onnx).equals(Buffer.from(c.onnx))).toBe(false);
  });
});

describe('hyperparameters and spec errors', () => {
  test.each([
    ['max_depth', '11', /max_depth value '11' is out of range \[0, 10\]/],
    ['eta', '0.05', /eta value '0.05' is out of range \[0.1, 0.5\]/],
    ['subsample', '0.2', /subsample value '0.2' is out of range \[0.5, 1\]/],
    ['min_child_weight', '121', /min_child_weight value '121' is out of range \[0, 120\]/],
    ['gamma', '-1', /gamma value '-1' is out of range \[0, 5\]/],
    ['alpha', '1001', /alpha value '1001'/],
    ['lambda', 'lots', /lambda must be a number in \[0, 1000\], got 'lots'/],
    ['colsample_bylevel', '0', /colsample_bylevel value '0' is out of range \[0.1, 1\]/],
    ['max_delta_step', '10.5', /max_delta_step value '10.5' is out of range \[0, 10\]/],
    ['num_round', '2.5', /num_round must be an integer/],
    ['learning_rate', '0.1', /unknown hyperparameter learning_rate/],
  ])('%s = %s', async (key, value, message) => {
    const e = await errorOf(train(features, y, { modelType: 'XGBOOST', hyperparameters: { [key]: value } }));
    expect(e).toBeInstanceOf(TrainingInputError);
    expect(e.message).toMatch(message);
  });

  test('values at the range edges are accepted', async () => {
    const model = await train(features, y, {
      modelType: 'XGBOOST',
      hyperparameters: { num_round: '2', max_depth: '10', eta: '0.5', subsample: '0.5', colsample_bylevel: '0.1', lambda: '0', min_child_weight: '0' },
    });
    expect(model.modelType).toBe('XGBOOST');
  });

  test('multi:softmax needs num_class, and at least as many as there are classes', async () => {
    const three: TrainingColumn = { name: 'y', type: 'int4', values: signal.map((s) => (s < 0 ? 0 : s < 2 ? 1 : 2)) };
    expect((await errorOf(train(features, three, { modelType: 'XGBOOST', objective: 'multi:softmax', hyperparameters: {} }))).message)
      .toMatch(/num_class is required/);
    expect((await errorOf(train(features, three, { modelType: 'XGBOOST', objective: 'multi:softmax', hyperparameters: { num_class: '2' } }))).message)
      .toMatch(/num_class is 2 but target has 3/);
    const model = await train(features, three, { modelType: 'XGBOOST', objective: 'multi:softmax', hyperparameters: { num_class: '3', num_round: '3' } });
    expect(model.classes).toEqual([0, 1, 2]);
  });

  test('problem type contradicting the objective, wrong metric, wrong target', async () => {
    expect(await errorOf(train(features, y, { modelType: 'XGBOOST', objective: 'binary:logistic', problemType: 'REGRESSION', hyperparameters: {} })))
      .toBeInstanceOf(TrainingInputError);
    expect((await errorOf(train(features, y, { modelType: 'AUTO', objective: 'AUC', hyperparameters: {} }))).message).toMatch(/AUC.*REGRESSION/);
    expect((await errorOf(train(features, label, { modelType: 'XGBOOST', problemType: 'REGRESSION', hyperparameters: {} }))).message)
      .toMatch(/numeric or bool target/);
    expect((await errorOf(train(features, y, { modelType: 'XGBOOST', objective: 'nonsense', hyperparameters: {} }))).message).toMatch(/unknown OBJECTIVE/);
    expect((await errorOf(train(features, y, { modelType: 'AUTO', objective: 'reg:squarederror', hyperparameters: {} }))).message)
      .toMatch(/AUTO ON/);
    expect(await errorOf(train(features, y, { modelType: 'XGBOOST', objective: 'reg:logistic', hyperparameters: {} }))).toBeInstanceOf(TrainingInputError);
    expect(await errorOf(train(features, { name: 'd', type: 'date', values: [] }, { modelType: 'AUTO', hyperparameters: {} }))).toBeInstanceOf(TrainingInputError);
  });

  test('real XGBoost objectives outside the contract are NotSupportedError', async () => {
    const e = await errorOf(train(features, y, { modelType: 'XGBOOST', objective: 'count:poisson', hyperparameters: {} }));
    expect(e).toBeInstanceOf(NotSupportedError);
    expect(e.message).toMatch(/not supported yet/);
  });

  test('problem type is inferred from the target', async () => {
    const binary = await train(features, label, { modelType: 'LINEAR_LEARNER', hyperparameters: {} });
    expect(binary.problemType).toBe('BINARY_CLASSIFICATION');
    expect(binary.objective).toBe('F1');
    expect(binary.validation.metric).toBe('f1');
    expect(binary.classes).toEqual(['no', 'yes']);
    const regression = await train(features, { ...y, type: 'int4', values: signal.map(Math.round) }, { modelType: 'LINEAR_LEARNER', hyperparameters: {} });
    expect(regression.problemType).toBe('REGRESSION');
  });
});

describe('MAX_RUNTIME, abort and progress', () => {
  test('progress is reported every round', async () => {
    const seen: string[] = [];
    await train(features, y, { modelType: 'XGBOOST', hyperparameters: { num_round: '5' } }, {
      onProgress: (p) => seen.push(`${p.done}/${p.total} ${p.unit}`),
    });
    expect(seen).toEqual(['1/5 rounds', '2/5 rounds', '3/5 rounds', '4/5 rounds', '5/5 rounds']);
  });

  test('MAX_RUNTIME reached: training stops between rounds and keeps the model so far', async () => {
    let rounds = 0;
    const model = await train(features, y, { modelType: 'XGBOOST', hyperparameters: { num_round: '10000' }, maxRuntimeSeconds: 0.2 }, {
      onProgress: (p) => (rounds = Math.max(rounds, p.done)),
    });
    expect(model.cutShort).toBe(true);
    expect(rounds).toBeGreaterThan(0);
    expect(rounds).toBeLessThan(10000);
    expect(Number.isFinite(model.validation.value)).toBe(true);
  });

  test('an abort signal cuts training short after the current round', async () => {
    const controller = new AbortController();
    let rounds = 0;
    const model = await train(features, y, { modelType: 'XGBOOST', hyperparameters: { num_round: '500' } }, {
      signal: controller.signal,
      onProgress: (p) => {
        rounds = p.done;
        if (p.done === 3) controller.abort();
      },
    });
    expect(model.cutShort).toBe(true);
    expect(rounds).toBe(3);
    const linear = await train(features, label, { modelType: 'LINEAR_LEARNER', hyperparameters: {} }, { signal: AbortSignal.abort() });
    expect(linear.cutShort).toBe(true);
  });

  test('AUTO out of time after its first candidate keeps that one and says it was cut short', async () => {
    const model = await train(features, y, { modelType: 'AUTO', hyperparameters: { num_round: '50' } }, { signal: AbortSignal.abort() });
    expect(model.modelType).toBe('LINEAR_LEARNER');
    expect(model.cutShort).toBe(true);
  });

  test('the result crosses threads: structuredClone keeps everything but predict', async () => {
    const model = await train(features, label, { modelType: 'XGBOOST', hyperparameters: { num_round: '3' } });
    const copy = structuredClone(model);
    expect(copy.onnx).toEqual(model.onnx);
    expect(copy.classes).toEqual(['no', 'yes']);
    expect('predict' in copy).toBe(false);
    expect(typeof model.predict).toBe('function');
  });

  test('rows with a NULL target are dropped; tiny tables train without a holdout', async () => {
    const sparse: TrainingColumn = { name: 'y', type: 'float8', values: signal.slice(0, 8).map((s, i) => (i === 0 ? null : s)) };
    const small = features.map((f) => ({ ...f, values: f.values.slice(0, 8) }));
    const model = await train(small, sparse, { modelType: 'AUTO', hyperparameters: { num_round: '5' } });
    expect(model.trainingRows).toBe(7);
  });
});
