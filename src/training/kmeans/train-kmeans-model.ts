import { encodeMatrix, type EncodingPlan, fitEncoding } from '../data/feature-encoding.ts';
import { applyPreprocessing, fitPreprocessing, modelMatrix, type Preprocessing } from '../data/preprocessors.ts';
import type { TrainingBudget } from '../gbdt/gbdt-trainer.ts';
import { clusterExplanation } from '../explain/explain-model.ts';
import { exportOnnx } from '../onnx/export-model.ts';
import { holdoutSplit } from '../select/holdout-split.ts';
import { resolveKmeansSpec } from '../spec/resolve-kmeans-spec.ts';
import { TrainingInputError } from '../training-errors.ts';
import type { Predictions, TrainedModel, TrainingColumn, TrainingSpec, TrainOptions } from '../types.ts';
import { createRandom } from '../util/random.ts';
import type { PartClock } from '../util/time-parts.ts';
import { kmeansAssign, type KmeansModel } from './kmeans-model.ts';
import { trainKmeans } from './kmeans-trainer.ts';

/**
 * train() for MODEL_TYPE KMEANS (features checked by the caller; no target). The same seeded
 * holdout as the supervised models: the centres are fitted on 80% of the rows and
 * validation:msd is the mean squared distance of the other 20% to their nearest centre, in
 * standardised units (all rows at once below 10 rows). No row is dropped: a row whose features
 * are all NULL sits at the mean and still gets a cluster.
 */
export async function trainKmeansModel(
  features: TrainingColumn[],
  spec: TrainingSpec,
  opts: TrainOptions,
  started: number,
  clock: PartClock,
): Promise<TrainedModel> {
  const preparing = performance.now();
  const resolved = resolveKmeansSpec(spec);
  const n = features[0].values.length;
  const split = holdoutSplit(n, resolved.seed);
  if (resolved.params.k > split.train.length) {
    throw new TrainingInputError(
      `hyperparameter K is ${resolved.params.k} but there are only ${split.train.length} training rows; K must be at most that`,
    );
  }
  const encoding = fitEncoding(features, split.train, undefined);
  const baseTrain = encodeMatrix(encoding, features, split.train);
  const pre = fitPreprocessing(encoding, spec.preprocessors, baseTrain, split.train.length);
  const plan = pre?.plan ?? encoding;
  const xTrain = pre ? applyPreprocessing(pre, baseTrain, split.train.length) : baseTrain;
  const xValidation = modelMatrix(encoding, pre, features, split.validation);
  clock.add('prepare', performance.now() - preparing);
  const budget: TrainingBudget = {
    deadline: started + resolved.maxRuntimeSeconds * 1000,
    signal: opts.signal,
    onRound: (done, total) => opts.onProgress?.({ done, total, unit: 'iterations' }),
    yield: () => new Promise((resolve) => setImmediate(resolve)),
  };
  const kmeansStart = performance.now();
  const { model, cutShort } = await clock.timeAsync('kmeans', () =>
    trainKmeans(plan, xTrain, split.train.length, resolved.params, createRandom(resolved.seed), budget));
  const seconds = (performance.now() - kmeansStart) / 1000;
  const { distances } = clock.time('scoring', () => kmeansAssign(model, xValidation, split.validation.length));
  const validation = { metric: 'msd' as const, value: distances.reduce((a, b) => a + b, 0) / Math.max(1, distances.length) };
  const explanation = clock.time('explain', () => clusterExplanation(plan, model, xTrain, split.train.length));
  const onnx = clock.time('export', () =>
    exportOnnx(encoding, model, { modelType: 'KMEANS', problemType: 'CLUSTERING', objective: 'msd', validation }, pre));
  const result = {
    onnx,
    modelType: 'KMEANS',
    problemType: 'CLUSTERING',
    objective: 'msd',
    validation,
    cutShort,
    trainingRows: split.train.length,
    explanation,
    candidates: [{ modelType: 'KMEANS', metric: 'msd', score: validation.value, seconds, rows: split.train.length, cutShort, kept: true }],
    timings: clock.parts(),
  } as TrainedModel;
  Object.defineProperty(result, 'predict', {
    enumerable: false,
    value: (columns: TrainingColumn[]): Predictions => predictClusters(encoding, pre, model, columns),
  });
  Object.defineProperty(result, 'trainingPredictions', {
    enumerable: false,
    value: (): Predictions => predictClusters(encoding, pre, model, features),
  });
  return result;
}

/** Cluster ids as the graph's 'label'; there are no probabilities. */
function predictClusters(encoding: EncodingPlan, pre: Preprocessing | undefined, model: KmeansModel, columns: TrainingColumn[]): Predictions {
  if (columns.length !== encoding.features.length) {
    throw new TrainingInputError(`the model takes ${encoding.features.length} features, got ${columns.length}`);
  }
  const rows = columns[0]?.values.length ?? 0;
  return { labels: kmeansAssign(model, modelMatrix(encoding, pre, columns), rows).labels, probabilities: [] };
}
