import { encodeMatrix, type EncodingPlan, fitEncoding } from './data/feature-encoding.ts';
import { distinctCount, type EncodedTarget, encodeTarget, rowsWithTarget } from './data/target-encoder.ts';
import { type TrainingBudget, trainGbdt } from './gbdt/gbdt-trainer.ts';
import { LINEAR_MAX_ITERATIONS, trainLinear } from './linear/linear-trainer.ts';
import { applyOutput } from './model/apply-output.ts';
import { type FittedModel, marginsOf } from './model/fitted-model.ts';
import { exportOnnx } from './onnx/export-model.ts';
import { holdoutSplit } from './select/holdout-split.ts';
import { higherIsBetter, metricValue } from './select/metrics.ts';
import { type ResolvedSpec, resolveSpec } from './spec/resolve-spec.ts';
import { TrainingInputError } from './training-errors.ts';
import type { ModelType, Predictions, TrainedModel, TrainingColumn, TrainingSpec, TrainOptions } from './types.ts';
import { createRandom } from './util/random.ts';

interface Candidate {
  modelType: ModelType;
  model: FittedModel;
  cutShort: boolean;
  score: number;
}

export async function train(
  features: TrainingColumn[],
  target: TrainingColumn,
  spec: TrainingSpec,
  opts: TrainOptions = {},
): Promise<TrainedModel> {
  const started = Date.now();
  checkColumns(features, target);
  const kept = rowsWithTarget(target);
  if (kept.length === 0) throw new TrainingInputError(`target ${target.name} has no non-NULL values to learn from`);
  const resolved = resolveSpec(spec, target.type, distinctCount(target, kept));
  const encoded = encodeTarget(target, kept, resolved.problemType);
  checkClassCount(encoded, resolved);
  const y = Float64Array.from(encoded.y);

  const split = holdoutSplit(kept.length, resolved.seed);
  const trainRows = split.train.map((i) => kept[i]);
  const validationRows = split.validation.map((i) => kept[i]);
  const yTrain = Float64Array.from(split.train, (i) => y[i]);
  const yValidation = Float64Array.from(split.validation, (i) => y[i]);
  const classCount = encoded.kind === 'classes' ? encoded.classes.length : 0;
  const plan = fitEncoding(features, trainRows, resolved.problemType === 'MULTICLASS_CLASSIFICATION' ? undefined : yTrain);
  const xTrain = encodeMatrix(plan, features, trainRows);
  const xValidation = encodeMatrix(plan, features, validationRows);
  const classification = resolved.problemType !== 'REGRESSION';

  const random = createRandom(resolved.seed);
  const deadline = started + resolved.maxRuntimeSeconds * 1000;
  const steps = resolved.candidates.map((c) => (c === 'XGBOOST' ? resolved.xgb.numRound : LINEAR_MAX_ITERATIONS));
  const total = steps.reduce((a, b) => a + b, 0);
  const unit = resolved.candidates.length > 1 ? 'steps' : resolved.candidates[0] === 'XGBOOST' ? 'rounds' : 'iterations';
  let before = 0;
  const candidates: Candidate[] = [];
  let skipped = false;
  for (const [i, modelType] of resolved.candidates.entries()) {
    if (candidates.length > 0 && (opts.signal?.aborted || Date.now() > deadline)) {
      // AUTO out of time: a candidate trained for one round would not win; keep what we have.
      skipped = true;
      break;
    }
    const budget: TrainingBudget = {
      deadline,
      signal: opts.signal,
      onRound: (done) => opts.onProgress?.({ done: before + done, total, unit }),
      yield: () => new Promise((resolve) => setImmediate(resolve)),
    };
    const fitted = modelType === 'XGBOOST'
      ? await trainGbdt({ x: xTrain, rows: trainRows.length, features: plan.columns.length, y: yTrain, classCount }, resolved.xgbObjective, resolved.xgb, random, budget)
      : await trainLinear(plan, xTrain, trainRows.length, yTrain, linearTask(resolved, classCount), random, budget);
    before += steps[i];
    const predictions = predictMatrix(fitted.model, classification, xValidation, validationRows.length);
    candidates.push({ modelType, ...fitted, score: metricValue(resolved.metric, predictions, yValidation) });
  }
  const best = pickBest(candidates, resolved);
  const validation = { metric: resolved.metric, value: best.score };
  const classes = encoded.kind === 'classes' ? encoded.classes : undefined;
  const onnx = exportOnnx(plan, best.model, {
    modelType: best.modelType, problemType: resolved.problemType, objective: resolved.objectiveLabel, classes, validation,
  });
  const result = {
    onnx,
    modelType: best.modelType,
    problemType: resolved.problemType,
    objective: resolved.objectiveLabel,
    validation,
    ...(classes ? { classes } : {}),
    cutShort: skipped || candidates.some((c) => c.cutShort),
    trainingRows: trainRows.length,
  } as TrainedModel;
  Object.defineProperty(result, 'predict', {
    enumerable: false,
    value: (columns: TrainingColumn[]): Predictions => predictColumns(plan, best.model, classification, columns),
  });
  return result;
}

function predictColumns(plan: EncodingPlan, model: FittedModel, classification: boolean, columns: TrainingColumn[]): Predictions {
  if (columns.length !== plan.features.length) {
    throw new TrainingInputError(`the model takes ${plan.features.length} features, got ${columns.length}`);
  }
  const rows = columns[0]?.values.length ?? 0;
  return predictMatrix(model, classification, encodeMatrix(plan, columns), rows);
}

function predictMatrix(model: FittedModel, classification: boolean, x: Float32Array, rows: number): Predictions {
  return applyOutput(model.transform, classification, marginsOf(model, x, rows), rows, model.outputs);
}

/** Best by the metric; on a tie the earlier candidate (the linear learner, the simpler model) stays. */
function pickBest(candidates: Candidate[], resolved: ResolvedSpec): Candidate {
  const better = higherIsBetter(resolved.metric) ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
  let best = candidates[0];
  for (const c of candidates.slice(1)) {
    if (better(c.score, best.score) || (Number.isNaN(best.score) && !Number.isNaN(c.score))) best = c;
  }
  return best;
}

function linearTask(resolved: ResolvedSpec, classCount: number) {
  if (resolved.problemType === 'REGRESSION') return { kind: 'regression' } as const;
  if (resolved.problemType === 'BINARY_CLASSIFICATION') return { kind: 'binary' } as const;
  return { kind: 'multiclass', classCount } as const;
}

function checkClassCount(encoded: EncodedTarget, resolved: ResolvedSpec): void {
  const n = resolved.xgb.numClass;
  if (encoded.kind !== 'classes' || n === undefined) return;
  if (encoded.classes.length > n) {
    throw new TrainingInputError(`num_class is ${n} but target has ${encoded.classes.length} distinct values`);
  }
}

function checkColumns(features: TrainingColumn[], target: TrainingColumn): void {
  if (features.length === 0) throw new TrainingInputError('CREATE MODEL needs at least one feature column besides the target');
  const n = target.values.length;
  const names = new Set<string>();
  for (const f of features) {
    if (f.values.length !== n) {
      throw new TrainingInputError(`feature ${f.name} has ${f.values.length} values but target ${target.name} has ${n}`);
    }
    if (names.has(f.name)) throw new TrainingInputError(`feature column ${f.name} appears twice`);
    names.add(f.name);
  }
}
