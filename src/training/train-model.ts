import { encodeMatrix, type EncodingPlan, fitEncoding } from './data/feature-encoding.ts';
import { applyPreprocessing, fitPreprocessing, modelMatrix, type Preprocessing } from './data/preprocessors.ts';
import { distinctCount, type EncodedTarget, encodeTarget, rowsWithTarget } from './data/target-encoder.ts';
import { explainModel } from './explain/explain-model.ts';
import { type TrainingBudget, trainGbdt } from './gbdt/gbdt-trainer.ts';
import { trainKmeansModel } from './kmeans/train-kmeans-model.ts';
import { LINEAR_MAX_ITERATIONS, trainLinear } from './linear/linear-trainer.ts';
import { trainMlp } from './mlp/mlp-trainer.ts';
import { applyOutput } from './model/apply-output.ts';
import { type FittedModel, marginsOf } from './model/fitted-model.ts';
import { exportOnnx } from './onnx/export-model.ts';
import { holdoutSplit } from './select/holdout-split.ts';
import { higherIsBetter, metricValue } from './select/metrics.ts';
import { AUTO_MLP_RUNTIME_SHARE, AUTO_MLP_SAMPLE_ROWS, type ResolvedSpec, resolveSpec, type SupervisedModelType } from './spec/resolve-spec.ts';
import { TrainingInputError } from './training-errors.ts';
import type { CandidateReport, Predictions, TrainedModel, TrainingColumn, TrainingSpec, TrainOptions } from './types.ts';
import { createRandom, type Random, shuffledIndices } from './util/random.ts';
import { PartClock } from './util/time-parts.ts';

interface Candidate {
  modelType: SupervisedModelType;
  model: FittedModel;
  cutShort: boolean;
  /** Its margins on the training rows as its trainer left them (GBDT's boosting keeps them). */
  trainingMargins?: Float64Array;
  /** Its margins on the held-out rows, as scored for its metric. */
  validationMargins: Float64Array;
  score: number;
  seconds: number;
  rows: number;
  /** The quick MLP under AUTO stopped at its share of MAX_RUNTIME, not at MAX_RUNTIME itself. */
  cutShortByShare?: boolean;
}

/** Training data as the trainers read it: the base matrices of the training and held-out rows. */
interface TrainingData {
  plan: EncodingPlan;
  xTrain: Float32Array;
  trainRows: number;
  yTrain: Float64Array;
  classCount: number;
}

type CandidateTrainer = (
  data: TrainingData, resolved: ResolvedSpec, random: Random, budget: TrainingBudget,
) => Promise<{ model: FittedModel; cutShort: boolean; trainingMargins?: Float64Array }>;

/** How each supervised model type is trained; a model type nobody trains does not compile. */
const TRAINERS: Record<SupervisedModelType, CandidateTrainer> = {
  XGBOOST: (d, resolved, random, budget) => trainGbdt(
    { x: d.xTrain, rows: d.trainRows, features: d.plan.columns.length, y: d.yTrain, classCount: d.classCount },
    resolved.xgbObjective, resolved.xgb, random, budget,
  ),
  LINEAR_LEARNER: (d, resolved, random, budget) =>
    trainLinear(d.plan, d.xTrain, d.trainRows, d.yTrain, task(resolved, d.classCount), random, budget),
  MLP: (d, resolved, random, budget) =>
    trainMlp(d.plan, d.xTrain, d.trainRows, d.yTrain, task(resolved, d.classCount), resolved.mlp, random, budget),
};

/**
 * The part of train()'s time each candidate's training counts as; XGBOOST's trainer splits its
 * own into 'binning' and 'boosting'.
 */
const TIME_PART: Record<SupervisedModelType, string | null> = {
  XGBOOST: null,
  LINEAR_LEARNER: 'linear learner',
  MLP: 'mlp',
};

/** Progress steps per candidate and the unit they are counted in when it trains alone. */
const STEPS: Record<SupervisedModelType, { unit: string; steps: (r: ResolvedSpec) => number }> = {
  XGBOOST: { unit: 'rounds', steps: (r) => r.xgb.numRound },
  LINEAR_LEARNER: { unit: 'iterations', steps: () => LINEAR_MAX_ITERATIONS },
  MLP: { unit: 'epochs', steps: (r) => r.mlp.epochs },
};

/**
 * `target` is null exactly for KMEANS, which learns from the features alone; every other model
 * type needs one.
 */
export async function train(
  features: TrainingColumn[],
  target: TrainingColumn | null,
  spec: TrainingSpec,
  opts: TrainOptions = {},
): Promise<TrainedModel> {
  const started = Date.now();
  const clock = new PartClock();
  const preparing = performance.now();
  if (spec.modelType === 'KMEANS') {
    if (target !== null && target !== undefined) {
      throw new TrainingInputError(`a KMEANS model takes no TARGET (got ${target.name}); clusters are learned from the features alone`);
    }
    checkColumns(features, null);
    return trainKmeansModel(features, spec, opts, started, clock);
  }
  if (target === null || target === undefined) {
    throw new TrainingInputError(`MODEL_TYPE ${spec.modelType} needs a TARGET column; only KMEANS trains without one`);
  }
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
  const encoding = fitEncoding(features, trainRows, resolved.problemType === 'MULTICLASS_CLASSIFICATION' ? undefined : yTrain);
  const baseTrain = encodeMatrix(encoding, features, trainRows);
  // PREPROCESSORS: fitted on the training rows; from here on the model reads their output.
  const pre = fitPreprocessing(encoding, spec.preprocessors, baseTrain, trainRows.length);
  const plan = pre?.plan ?? encoding;
  const xTrain = pre ? applyPreprocessing(pre, baseTrain, trainRows.length) : baseTrain;
  const xValidation = modelMatrix(encoding, pre, features, validationRows);
  const classification = resolved.problemType !== 'REGRESSION';
  clock.add('prepare', performance.now() - preparing);

  const random = createRandom(resolved.seed);
  const deadline = started + resolved.maxRuntimeSeconds * 1000;
  const auto = resolved.candidates.length > 1;
  const tried = resolved.candidates;
  const steps = tried.map((c) => STEPS[c].steps(resolved));
  const total = steps.reduce((a, b) => a + b, 0);
  const unit = auto ? 'steps' : STEPS[tried[0]].unit;
  const data: TrainingData = { plan, xTrain, trainRows: trainRows.length, yTrain, classCount };
  let before = 0;
  const candidates: Candidate[] = [];
  let skipped = false;
  for (const [i, modelType] of tried.entries()) {
    if (candidates.length > 0 && (opts.signal?.aborted || Date.now() > deadline)) {
      // AUTO out of time: a candidate trained for one round would not win; keep what we have.
      skipped = true;
      break;
    }
    // Under AUTO the MLP is a quick contender: a share of MAX_RUNTIME, on sampled rows.
    const quick = auto && modelType === 'MLP';
    const budget: TrainingBudget = {
      deadline: quick ? Math.min(deadline, Date.now() + AUTO_MLP_RUNTIME_SHARE * resolved.maxRuntimeSeconds * 1000) : deadline,
      signal: opts.signal,
      onRound: (done) => opts.onProgress?.({ done: before + done, total, unit }),
      yield: () => new Promise((resolve) => setImmediate(resolve)),
      clock,
    };
    const input = quick ? sampledRows(data, AUTO_MLP_SAMPLE_ROWS, resolved.seed) : data;
    const candidateStart = performance.now();
    const part = TIME_PART[modelType];
    const fitted = part === null
      ? await TRAINERS[modelType](input, resolved, random, budget)
      : await clock.timeAsync(part, () => TRAINERS[modelType](input, resolved, random, budget));
    const seconds = (performance.now() - candidateStart) / 1000;
    before += steps[i];
    const validationMargins = clock.time('scoring', () => marginsOf(fitted.model, xValidation, validationRows.length));
    const predictions = applyOutput(fitted.model.transform, classification, validationMargins, validationRows.length, fitted.model.outputs);
    candidates.push({
      modelType, model: fitted.model, cutShort: fitted.cutShort, validationMargins,
      // A sample's margins (AUTO's quick MLP) are not the training rows'.
      ...(input === data && fitted.trainingMargins ? { trainingMargins: fitted.trainingMargins } : {}),
      score: metricValue(resolved.metric, predictions, yValidation), seconds, rows: input.trainRows,
      // The quick MLP's own share running out cuts the model short only if it is the one kept.
      ...(quick && fitted.cutShort && Date.now() <= deadline && !opts.signal?.aborted ? { cutShortByShare: true } : {}),
    });
  }
  const best = pickBest(candidates, resolved);
  const validation = { metric: resolved.metric, value: best.score };
  const classes = encoded.kind === 'classes' ? encoded.classes : undefined;
  // Exported first: what the caller does with the artifact (onExported) overlaps TreeSHAP.
  const onnx = clock.time('export', () => exportOnnx(encoding, best.model, {
    modelType: best.modelType, problemType: resolved.problemType, objective: resolved.objectiveLabel, classes, validation,
  }, pre));
  opts.onExported?.(onnx, { problemType: resolved.problemType, ...(classes ? { classes } : {}) });
  const explanation = clock.time('explain', () => explainModel(best.model, {
    plan, problemType: resolved.problemType, xTrain, trainRows: trainRows.length,
    heldOut: { x: xValidation, rows: validationRows.length, y: yValidation }, seed: resolved.seed,
  }));
  const result = {
    onnx,
    modelType: best.modelType,
    problemType: resolved.problemType,
    objective: resolved.objectiveLabel,
    validation,
    ...(classes ? { classes } : {}),
    cutShort: skipped || candidates.some((c) => c.cutShort && (c === best || !c.cutShortByShare)),
    trainingRows: best.rows,
    explanation,
    candidates: candidates.map((c): CandidateReport => ({
      modelType: c.modelType, metric: resolved.metric, score: c.score, seconds: c.seconds, rows: c.rows, cutShort: c.cutShort, kept: c === best,
    })),
    timings: clock.parts(),
  } as TrainedModel;
  Object.defineProperty(result, 'predict', {
    enumerable: false,
    value: (columns: TrainingColumn[]): Predictions => predictColumns(encoding, pre, best.model, classification, columns),
  });
  Object.defineProperty(result, 'trainingPredictions', {
    enumerable: false,
    value: (): Predictions => {
      const margins = allRowMargins(best, features.length === 0 ? 0 : features[0].values.length, {
        train: trainRows, xTrain, validation: validationRows, others: rowsWithout(kept, target.values.length),
        scoreOthers: (rows) => modelMatrix(encoding, pre, features, rows),
      });
      return applyOutput(best.model.transform, classification, margins, target.values.length, best.model.outputs);
    },
  });
  return result;
}

/**
 * The kept model's margins on every row given to train(), in their order, computed once: the
 * training rows' from its trainer when it kept them (GBDT: float32 like onnxruntime's, summed
 * from the base rather than to it, so within a few float32 ulps of its answer) or from xTrain,
 * the held-out rows' from their scoring, and only the rows without a target encoded and scored
 * here.
 */
function allRowMargins(best: Candidate, rows: number, parts: {
  train: Int32Array; xTrain: Float32Array; validation: Int32Array; others: Int32Array; scoreOthers: (rows: Int32Array) => Float32Array;
}): Float64Array {
  const o = best.model.outputs;
  const out = new Float64Array(rows * o);
  const place = (at: Int32Array, margins: Float64Array) => {
    for (let i = 0; i < at.length; i++) for (let k = 0; k < o; k++) out[at[i] * o + k] = margins[i * o + k];
  };
  place(parts.train, best.trainingMargins ?? marginsOf(best.model, parts.xTrain, parts.train.length));
  place(parts.validation, best.validationMargins);
  if (parts.others.length > 0) place(parts.others, marginsOf(best.model, parts.scoreOthers(parts.others), parts.others.length));
  return out;
}

/** The rows 0 .. n-1 not in `kept` (ascending). */
function rowsWithout(kept: Int32Array, n: number): Int32Array {
  const out = new Int32Array(n - kept.length);
  let j = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (k < kept.length && kept[k] === i) k++;
    else out[j++] = i;
  }
  return out;
}

/**
 * A seeded sample of at most `limit` training rows (all of them when there are no more), in
 * their original order. Its own random stream, so sampling changes nothing else the seed decides.
 */
function sampledRows(data: TrainingData, limit: number, seed: number): TrainingData {
  if (data.trainRows <= limit) return data;
  const picked = shuffledIndices(data.trainRows, createRandom(seed ^ 0x5a17)).subarray(0, limit).sort();
  const width = data.plan.columns.length;
  const x = new Float32Array(limit * width);
  const y = new Float64Array(limit);
  picked.forEach((row, i) => {
    x.set(data.xTrain.subarray(row * width, row * width + width), i * width);
    y[i] = data.yTrain[row];
  });
  return { ...data, xTrain: x, trainRows: limit, yTrain: y };
}

function predictColumns(
  encoding: EncodingPlan, pre: Preprocessing | undefined, model: FittedModel, classification: boolean, columns: TrainingColumn[],
): Predictions {
  if (columns.length !== encoding.features.length) {
    throw new TrainingInputError(`the model takes ${encoding.features.length} features, got ${columns.length}`);
  }
  const rows = columns[0]?.values.length ?? 0;
  return predictMatrix(model, classification, modelMatrix(encoding, pre, columns), rows);
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

/** The loss family of the linear learner and the MLP. */
function task(resolved: ResolvedSpec, classCount: number) {
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

function checkColumns(features: TrainingColumn[], target: TrainingColumn | null): void {
  if (features.length === 0) {
    throw new TrainingInputError(`CREATE MODEL needs at least one feature column${target ? ' besides the target' : ''}`);
  }
  const n = target ? target.values.length : features[0].values.length;
  const names = new Set<string>();
  for (const f of features) {
    if (f.values.length !== n) {
      throw new TrainingInputError(target
        ? `feature ${f.name} has ${f.values.length} values but target ${target.name} has ${n}`
        : `feature ${f.name} has ${f.values.length} values but ${features[0].name} has ${n}`);
    }
    if (names.has(f.name)) throw new TrainingInputError(`feature column ${f.name} appears twice`);
    names.add(f.name);
  }
}
