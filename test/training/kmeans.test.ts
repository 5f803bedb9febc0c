import type * as ort from 'onnxruntime-node';
import { describe, expect, test } from 'vitest';
import { type TrainedModel, type TrainingColumn, TrainingInputError, type TrainingSpec, train } from '../../src/training/index.ts';
import { createRandom } from '../../src/training/util/random.ts';
import { metadataOf, runOnnx } from './support/onnx-runner.ts';
import { syntheticTable } from './support/synthetic-data.ts';

/** MODEL_TYPE KMEANS: no target, K required, cluster ids from onnxruntime equal the trainer's. */
const { features } = syntheticTable(1500, 7);
const fresh = syntheticTable(300, 99).features;
fresh[3].values = fresh[3].values.map((v, i) => (i % 10 === 0 ? 'never-seen' : v));

async function errorOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

/** The graph has exactly one output, 'label' int64 [N], equal to predict()'s labels. */
async function expectLabelsMatch(model: TrainedModel, columns: TrainingColumn[]): Promise<Int32Array> {
  const out: Record<string, ort.Tensor> = await runOnnx(model, columns);
  const rows = columns[0].values.length;
  expect(Object.keys(out)).toEqual(['label']);
  expect(out.label.type).toBe('int64');
  expect(out.label.dims).toEqual([rows]);
  const mine = model.predict(columns);
  if (mine instanceof Float64Array) throw new Error('expected cluster ids');
  expect(mine.probabilities).toEqual([]);
  expect(Array.from(out.label.data as BigInt64Array, Number)).toEqual(Array.from(mine.labels));
  return mine.labels;
}

/**
 * Well-separated blobs in three columns on very different scales (standardisation must even them
 * out), with a text column and a date that agree with the blob.
 */
function blobs(rows: number, seed: number) {
  const r = createRandom(seed);
  const centres = [[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]];
  const truth: number[] = [];
  const cols = [[] as number[], [] as number[], [] as number[]];
  const tag: string[] = [];
  const day: Date[] = [];
  for (let i = 0; i < rows; i++) {
    const c = r.int(centres.length);
    truth.push(c);
    cols[0].push(1000 * (centres[c][0] * 10 + r.next() - 0.5));
    cols[1].push(0.001 * (centres[c][1] * 10 + r.next() - 0.5));
    cols[2].push(centres[c][2] * 10 + r.next() - 0.5);
    tag.push(c < 2 ? 'low' : 'high');
    // One day per blob: a date brings five standardised parts (epoch days, year, month, day,
    // weekday), and a weekday that varies within a blob would be a dimension of its own to split.
    day.push(new Date(Date.UTC(2024, 0, 1 + 60 * c)));
  }
  const columns: TrainingColumn[] = [
    { name: 'a', type: 'float8', values: cols[0] },
    { name: 'b', type: 'float4', values: cols[1] },
    { name: 'c', type: 'int4', values: cols[2].map(Math.round) },
    { name: 'tag', type: 'text', values: tag },
    { name: 'day', type: 'date', values: day },
  ];
  return { columns, truth };
}

describe('KMEANS: ONNX export equals the trainer', () => {
  const cases: Array<[string, TrainingSpec]> = [
    ['K 5, every feature type with NULLs', { modelType: 'KMEANS', hyperparameters: { K: '5' } }],
    ['K 1', { modelType: 'KMEANS', hyperparameters: { k: '1' } }],
    ['K 12, random init', { modelType: 'KMEANS', hyperparameters: { k: '12', init_method: 'random' } }],
  ];
  test.each(cases)('%s', async (_name, spec) => {
    const model = await train(features, null, spec);
    expect(model.modelType).toBe('KMEANS');
    expect(model.problemType).toBe('CLUSTERING');
    expect(model.classes).toBeUndefined();
    expect(model.validation.metric).toBe('msd');
    expect(model.validation.value).toBeGreaterThanOrEqual(0);
    expect(model.trainingRows).toBe(1200);
    const k = Number(spec.hyperparameters.K ?? spec.hyperparameters.k);
    for (const cols of [features, fresh]) {
      const labels = await expectLabelsMatch(model, cols);
      expect(labels.every((l) => l >= 0 && l < k)).toBe(true);
    }
    const meta = metadataOf(model.onnx);
    expect(meta).toMatchObject({ modelType: 'KMEANS', problemType: 'CLUSTERING', objective: 'msd', outputs: ['label'], classes: null });
  });
});

describe('KMEANS learns', () => {
  test.each(['kmeans++', 'random'])('recovers well-separated clusters (%s): every true cluster is one id, and ids differ', async (init) => {
    const { columns, truth } = blobs(2000, 5);
    const model = await train(columns, null, { modelType: 'KMEANS', hyperparameters: { k: '5', init_method: init } });
    const labels = await expectLabelsMatch(model, columns);
    const idOf = new Map<number, Set<number>>();
    truth.forEach((t, i) => idOf.set(t, (idOf.get(t) ?? new Set()).add(labels[i])));
    expect([...idOf.values()].map((s) => s.size)).toEqual([1, 1, 1, 1, 1]);
    expect(new Set([...idOf.values()].map((s) => [...s][0])).size).toBe(5);
    // Fresh rows from the same blobs land in their blob's cluster.
    const other = blobs(500, 6);
    const freshLabels = await expectLabelsMatch(model, other.columns);
    other.truth.forEach((t, i) => expect(freshLabels[i]).toBe([...idOf.get(t)!][0]));
  });

  test('more clusters fit tighter: msd falls as K grows', async () => {
    const msd: number[] = [];
    for (const k of ['1', '3', '8']) msd.push((await train(features, null, { modelType: 'KMEANS', hyperparameters: { k } })).validation.value);
    expect(msd[1]).toBeLessThan(msd[0]);
    expect(msd[2]).toBeLessThan(msd[1]);
  });
});

describe('KMEANS spec, determinism and control', () => {
  test('same data and spec give identical ONNX bytes', async () => {
    const spec: TrainingSpec = { modelType: 'KMEANS', hyperparameters: { k: '6' } };
    const a = await train(features, null, spec);
    const b = await train(features, null, spec);
    expect(Buffer.from(a.onnx).equals(Buffer.from(b.onnx))).toBe(true);
  });

  test.each([
    ['K missing', {}, /requires the hyperparameter K/],
    ['K 0', { k: '0' }, /k value '0' is out of range \[1, 10000\]/],
    ['K not an integer', { k: '2.5' }, /k must be an integer/],
    ['K not a number', { k: 'five' }, /k must be an integer/],
    ['K empty', { k: '' }, /k must be an integer/],
    ['K above the training rows', { k: '1201' }, /K is 1201 but there are only 1200 training rows/],
    ['unknown key', { k: '3', num_round: '10' }, /unknown hyperparameter num_round/],
    ['bad init_method', { k: '3', init_method: 'forgy' }, /init_method must be 'kmeans\+\+' or 'random'/],
    ['bad local_lloyd_tol', { k: '3', local_lloyd_tol: '-1' }, /local_lloyd_tol value '-1' is out of range/],
  ])('%s is a TrainingInputError', async (_name, hyperparameters, message) => {
    const e = await errorOf(train(features, null, { modelType: 'KMEANS', hyperparameters }));
    expect(e).toBeInstanceOf(TrainingInputError);
    expect(e.message).toMatch(message);
  });

  test('a target, a PROBLEM_TYPE or an OBJECTIVE is a TrainingInputError', async () => {
    const y: TrainingColumn = { name: 'y', type: 'int4', values: Array(1500).fill(1) };
    expect((await errorOf(train(features, y, { modelType: 'KMEANS', hyperparameters: { k: '2' } }))).message).toMatch(/takes no TARGET/);
    expect(await errorOf(train(features, null, { modelType: 'KMEANS', problemType: 'REGRESSION', hyperparameters: { k: '2' } })))
      .toBeInstanceOf(TrainingInputError);
    expect(await errorOf(train(features, null, { modelType: 'KMEANS', objective: 'MSE', hyperparameters: { k: '2' } })))
      .toBeInstanceOf(TrainingInputError);
    expect(await errorOf(train([], null, { modelType: 'KMEANS', hyperparameters: { k: '2' } }))).toBeInstanceOf(TrainingInputError);
  });

  test("Redshift's other k-means hyperparameters are accepted and have no effect", async () => {
    const plain = await train(features, null, { modelType: 'KMEANS', hyperparameters: { k: '4' } });
    const redshift = await train(features, null, {
      modelType: 'KMEANS',
      hyperparameters: { K: '4', epochs: '3', mini_batch_size: '500', extra_center_factor: 'auto', eval_metrics: '["msd"]', half_life_time_size: '0', local_lloyd_num_trials: 'auto', local_lloyd_init_method: 'kmeans++' },
    });
    expect(Buffer.from(redshift.onnx).equals(Buffer.from(plain.onnx))).toBe(true);
  });

  test('progress is counted in iterations and ends at the total when Lloyd converges', async () => {
    const seen: string[] = [];
    await train(features, null, { modelType: 'KMEANS', hyperparameters: { k: '4', local_lloyd_max_iter: '50' } }, {
      onProgress: (p) => seen.push(`${p.done}/${p.total} ${p.unit}`),
    });
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.length).toBeLessThan(50);
    expect(seen.at(-1)).toBe('50/50 iterations');
  });

  test('an abort keeps the centres after the current iteration; onnxruntime still agrees', async () => {
    const model = await train(features, null, { modelType: 'KMEANS', hyperparameters: { k: '20', local_lloyd_tol: '0' } }, { signal: AbortSignal.abort() });
    expect(model.cutShort).toBe(true);
    await expectLabelsMatch(model, fresh);
    expect(Number.isFinite(model.validation.value)).toBe(true);
  });

  test('MAX_RUNTIME reached: Lloyd stops between iterations and keeps the centres so far', async () => {
    let iterations = 0;
    const model = await train(features, null, {
      modelType: 'KMEANS', hyperparameters: { k: '20', local_lloyd_tol: '0', local_lloyd_max_iter: '10000' }, maxRuntimeSeconds: 0.001,
    }, { onProgress: (p) => (iterations = p.done) });
    expect(model.cutShort).toBe(true);
    expect(iterations).toBe(1);
    await expectLabelsMatch(model, features);
  });

  test('the result crosses threads: structuredClone keeps everything but predict', async () => {
    const model = await train(features, null, { modelType: 'KMEANS', hyperparameters: { k: '3' } });
    const copy = structuredClone(model);
    expect(copy.onnx).toEqual(model.onnx);
    expect(copy.problemType).toBe('CLUSTERING');
    expect('predict' in copy).toBe(false);
  });

  test('duplicate rows (fewer distinct rows than K) and all-NULL rows still give a model', async () => {
    const n = 40;
    const cols: TrainingColumn[] = [
      { name: 'x', type: 'float8', values: Array.from({ length: n }, (_, i) => (i % 3 === 0 ? null : i % 2)) },
      { name: 'w', type: 'text', values: Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : 'same')) },
    ];
    const model = await train(cols, null, { modelType: 'KMEANS', hyperparameters: { k: '6' } });
    await expectLabelsMatch(model, cols);
  });
});
