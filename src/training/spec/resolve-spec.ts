import { NotSupportedError, TrainingInputError } from '../training-errors.ts';
import type { FeatureType, MetricName, ModelType, ProblemType, TrainingSpec } from '../types.ts';
import { parseHyperparameters, type XgbParams } from './hyperparameters.ts';
import { type MlpParams, parseMlpHyperparameters } from './mlp-hyperparameters.ts';
import {
  asMetricObjective, DEFAULT_METRIC_OBJECTIVE, DEFAULT_XGB_OBJECTIVE, isXgbObjective,
  METRIC_OBJECTIVES, XGB_OBJECTIVES, XGB_OBJECTIVES_NOT_SUPPORTED, type XgbObjective,
} from './objectives.ts';

/** The model types trained against a target (KMEANS has a resolver of its own). */
export type SupervisedModelType = Exclude<ModelType, 'KMEANS'>;

/** Everything train() needs to know, decided before any data is touched beyond the target. */
export interface ResolvedSpec {
  candidates: SupervisedModelType[];
  problemType: ProblemType;
  /** The loss XGBoost trains with (also picks the linear learner's loss family). */
  xgbObjective: XgbObjective;
  /** Metric measured on the held-out rows, and how AUTO compares candidates. */
  metric: MetricName;
  /** What TrainedModel.objective reports. */
  objectiveLabel: string;
  xgb: XgbParams;
  /** MLP's hyperparameters (its defaults unless modelType is MLP). */
  mlp: MlpParams;
  maxRuntimeSeconds: number;
  seed: number;
}

const NUMERIC_TARGETS: FeatureType[] = ['int2', 'int4', 'int8', 'float4', 'float8'];
const TARGET_TYPES: FeatureType[] = [...NUMERIC_TARGETS, 'bool', 'char', 'bpchar', 'varchar', 'text'];

export function resolveSpec(spec: TrainingSpec, targetType: FeatureType, distinctTargets: number): ResolvedSpec {
  if (!TARGET_TYPES.includes(targetType)) {
    throw new TrainingInputError(
      `target type ${targetType} is not supported; use int2, int4, int8, float4, float8, bool, char, varchar or text`,
    );
  }
  const modelType = spec.modelType;
  if (modelType !== 'AUTO' && modelType !== 'XGBOOST' && modelType !== 'LINEAR_LEARNER' && modelType !== 'MLP') {
    throw new NotSupportedError(`MODEL_TYPE ${String(modelType)} is not supported yet`);
  }
  const rawObjective = spec.objective?.trim();
  const xgbNamed = rawObjective !== undefined && isXgbObjective(rawObjective) ? rawObjective : undefined;
  const metricNamed = rawObjective !== undefined ? asMetricObjective(rawObjective) : undefined;
  if (rawObjective !== undefined && rawObjective !== '' && xgbNamed === undefined && metricNamed === undefined) {
    if (XGB_OBJECTIVES_NOT_SUPPORTED.includes(rawObjective)) {
      throw new NotSupportedError(`OBJECTIVE '${rawObjective}' is not supported yet`);
    }
    throw new TrainingInputError(
      `unknown OBJECTIVE '${rawObjective}'; use one of ${[...Object.keys(XGB_OBJECTIVES), ...Object.keys(METRIC_OBJECTIVES)].join(', ')}`,
    );
  }
  if (xgbNamed !== undefined && modelType === 'AUTO') {
    throw new TrainingInputError(
      `OBJECTIVE '${xgbNamed}' is an XGBoost objective; with AUTO ON use MSE, Accuracy, F1, F1Macro or AUC`,
    );
  }

  const problemType = inferProblemType(spec.problemType, xgbNamed, targetType, distinctTargets);
  const xgbObjective = xgbNamed ?? DEFAULT_XGB_OBJECTIVE[problemType];
  const metricObjective = metricNamed ?? DEFAULT_METRIC_OBJECTIVE[problemType];
  if (!METRIC_OBJECTIVES[metricObjective].problems.includes(problemType)) {
    throw new TrainingInputError(`OBJECTIVE '${metricObjective}' does not apply to ${problemType}`);
  }
  if ((modelType === 'LINEAR_LEARNER' || modelType === 'MLP') && xgbNamed !== undefined && !LINEAR_LOSSES.includes(xgbNamed)) {
    throw new TrainingInputError(
      `OBJECTIVE '${xgbNamed}' does not apply to ${modelType}; use ${LINEAR_LOSSES.join(', ')} or a metric`,
    );
  }

  // MLP takes keys of its own; the others (and AUTO) the contract's XGBoost keys.
  const raw = spec.hyperparameters ?? {};
  const xgb = parseHyperparameters(modelType === 'MLP' ? {} : raw);
  const mlp = parseMlpHyperparameters(modelType === 'MLP' ? raw : {});
  if (xgbObjective === 'multi:softmax' && modelType === 'XGBOOST' && xgbNamed !== undefined && xgb.numClass === undefined) {
    throw new TrainingInputError(`hyperparameter num_class is required with OBJECTIVE 'multi:softmax'`);
  }
  const maxRuntimeSeconds = spec.maxRuntimeSeconds ?? 5400;
  if (!(maxRuntimeSeconds > 0)) {
    throw new TrainingInputError(`MAX_RUNTIME must be a positive number of seconds, got ${maxRuntimeSeconds}`);
  }
  return {
    candidates: modelType === 'AUTO' ? AUTO_CANDIDATES : [modelType],
    problemType,
    xgbObjective,
    metric: METRIC_OBJECTIVES[metricObjective].metric,
    objectiveLabel: xgbNamed ?? (modelType === 'XGBOOST' && metricNamed === undefined ? xgbObjective : metricObjective),
    xgb,
    // Under AUTO the MLP is a quick contender, not a long training of its own.
    mlp: modelType === 'AUTO' ? { ...mlp, epochs: Math.min(mlp.epochs, AUTO_MLP_EPOCHS) } : mlp,
    maxRuntimeSeconds,
    seed: spec.seed ?? 1,
  };
}

/** The losses the linear learner and the MLP train with (they pick one by problem type). */
const LINEAR_LOSSES: XgbObjective[] = ['reg:squarederror', 'binary:logistic', 'multi:softmax'];

/**
 * AUTO's candidates in training order: cheapest first, and a tie keeps the earlier (simpler) one.
 * MLP comes last as a quick contender: at most AUTO_MLP_EPOCHS, on a seeded sample of at most
 * AUTO_MLP_SAMPLE_ROWS training rows, within AUTO_MLP_RUNTIME_SHARE of MAX_RUNTIME (and never
 * past it). Unsampled, 30 epochs on 100k rows × 10 columns cost 3.5× XGBOOST's 100 rounds.
 */
const AUTO_CANDIDATES: SupervisedModelType[] = ['LINEAR_LEARNER', 'XGBOOST', 'MLP'];
export const AUTO_MLP_SAMPLE_ROWS = 20_000;
export const AUTO_MLP_RUNTIME_SHARE = 0.25;
const AUTO_MLP_EPOCHS = 30;

function inferProblemType(
  given: ProblemType | undefined,
  objective: XgbObjective | undefined,
  targetType: FeatureType,
  distinct: number,
): ProblemType {
  if (objective !== undefined) {
    const implied = XGB_OBJECTIVES[objective];
    if (given !== undefined && given !== implied) {
      throw new TrainingInputError(`PROBLEM_TYPE ${given} contradicts OBJECTIVE '${objective}' (${implied})`);
    }
    return implied;
  }
  if (given !== undefined) return given;
  if (NUMERIC_TARGETS.includes(targetType)) return 'REGRESSION';
  return distinct <= 2 ? 'BINARY_CLASSIFICATION' : 'MULTICLASS_CLASSIFICATION';
}
