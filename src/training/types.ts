/** Public types of the training module. See index.ts for the contract in prose. */
import type { TimePart } from './util/time-parts.ts';

export type { TimePart };

export type FeatureType =
  | 'int2' | 'int4' | 'int8' | 'numeric' | 'float4' | 'float8' | 'bool'
  | 'char' | 'bpchar' | 'varchar' | 'text'
  | 'date' | 'time' | 'timestamp' | 'timestamptz';

export type CellValue = number | boolean | string | Date | null;

export interface TrainingColumn {
  name: string;
  type: FeatureType;
  /**
   * As node-postgres gives them once the caller has normalised: numbers as JS number (int8 and
   * numeric too), bool as boolean, text as string, date/timestamp/timestamptz as Date (UTC),
   * time as 'HH:MM:SS[.ffffff]', NULL as null.
   */
  values: CellValue[];
}

export type ModelType = 'XGBOOST' | 'LINEAR_LEARNER' | 'MLP' | 'KMEANS';
/** What a user may ask for (PROBLEM_TYPE). */
export type ProblemType = 'REGRESSION' | 'BINARY_CLASSIFICATION' | 'MULTICLASS_CLASSIFICATION';
/** What a trained model is: a problem type, or CLUSTERING for KMEANS (which takes no PROBLEM_TYPE). */
export type TrainedProblemType = ProblemType | 'CLUSTERING';
export type MetricObjective = 'MSE' | 'Accuracy' | 'F1' | 'F1Macro' | 'AUC';
export type MetricName = 'mse' | 'accuracy' | 'f1' | 'f1macro' | 'auc';
/**
 * What TrainedModel.validation reports: a supervised metric, or for KMEANS 'msd', the mean squared
 * distance of the held-out rows to their nearest centre (in standardised units, lower is better).
 */
export type ValidationMetric = MetricName | 'msd';

export interface TrainingSpec {
  /**
   * AUTO tries LINEAR_LEARNER, XGBOOST and a quick MLP (sampled rows, a share of MAX_RUNTIME)
   * on a held-out split and keeps the best.
   * KMEANS trains without a target: call train(features, null, spec).
   */
  modelType: ModelType | 'AUTO';
  /** Inferred when absent, as SQL-SURFACE.md section 1 says. */
  problemType?: ProblemType;
  /** An XGBoost objective ('reg:squarederror', ...) or a metric ('MSE' | 'Accuracy' | 'F1' | 'F1Macro' | 'AUC'). */
  objective?: string;
  /**
   * Values as the user quoted them; the keys depend on the model type: the contract's XGBoost
   * keys for XGBOOST, LINEAR_LEARNER and AUTO; MLP's own (spec/mlp-hyperparameters.ts); KMEANS'
   * K (required) and friends (spec/kmeans-hyperparameters.ts).
   */
  hyperparameters: Record<string, string>;
  maxRuntimeSeconds?: number;
  /** Default 1; the same data and spec give the same model bytes. */
  seed?: number;
  /**
   * PREPROCESSORS: steps in order, each running its transformers in order on the base-matrix
   * columns of its features ('*' = every feature); fitted on the training rows and exported into
   * the ONNX graph. Transformers: OneHotEncoder, OrdinalEncoder, NumericPassthrough, Imputer,
   * ImputerWithIndicator, Normalizer, DateTimeVectorizer, StandardScaler, MinMax. Semantics in
   * onnx-contract.md ("Preprocessors"); a bad name or combination is a TrainingInputError.
   */
  preprocessors?: Array<{ columnSet: string[]; transformers: string[] }>;
}

export interface Progress {
  done: number;
  total: number;
  unit: string;
}

export interface TrainOptions {
  onProgress?(p: Progress): void;
  signal?: AbortSignal;
  /**
   * The kept model's ONNX artifact, as soon as it is exported (before TreeSHAP): a caller may
   * start work that needs only the artifact (its SQL bodies) meanwhile.
   */
  onExported?(onnx: Uint8Array, model: Pick<TrainedModel, 'problemType' | 'classes'>): void;
}

export type ClassValue = string | number | boolean;

/**
 * Regression: the values. Classification: class ids and per-row probabilities. KMEANS: labels are
 * the cluster ids and probabilities is empty (the graph has no probabilities output).
 */
export type Predictions =
  | Float64Array
  | { labels: Int32Array; probabilities: Float64Array[] };

/** How TrainedModel.explanation was computed; see explain/explain-model.ts. */
export type ExplanationMethod = 'tree_shap' | 'coefficients' | 'permutation' | 'between_cluster_variance';

export interface FeatureImportance {
  /** A feature column's name as given to train() (not the ONNX input name, which may differ). */
  feature: string;
  /** >= 0 and finite; not normalised, in the method's units (see ModelExplanation). */
  importance: number;
}

/**
 * Global feature importance for EXPLAIN_MODEL, computed once at training time. `features` has one
 * entry per feature column, in train()'s order (the model function's parameter order). Values are
 * raw, not normalised to sum 1, so they keep their units:
 * - tree_shap (XGBOOST): mean over the training rows (a seeded sample of at most 10,000) of
 *   |SHAP value| in margin units (the raw score; log-odds for binary:logistic), by exact TreeSHAP
 *   with cover weights. A feature encoded as several base columns (date parts) gets the sum of
 *   their SHAP values per row before the absolute value; multiclass sums |SHAP| over the classes.
 * - coefficients (LINEAR_LEARNER): sum over the feature's design columns (a standardised number,
 *   or one one-hot column per category) of |weight| × that column's standard deviation over the
 *   training rows, summed over the classes for multiclass: the margin change of a one-std move.
 * - permutation (MLP): increase of the mean held-out loss (squared error for regression, log loss
 *   for classification) when the feature's values are shuffled across the held-out rows, averaged
 *   over 3 seeded shuffles and floored at 0.
 * - between_cluster_variance (KMEANS): the feature's share of the between-cluster sum of squares
 *   sum_c n_c (centre_c - size-weighted mean of the centres)^2 in the standardised design space,
 *   n_c the training rows assigned to centre c, summed over the feature's design columns; the
 *   shares add up to 1 (all 0 when the centres do not differ).
 */
export interface ModelExplanation {
  method: ExplanationMethod;
  features: FeatureImportance[];
}

/** One model AUTO (or a fixed MODEL_TYPE, as the only one) trained and scored on the held-out rows. */
export interface CandidateReport {
  modelType: ModelType;
  metric: ValidationMetric;
  score: number;
  /** Its training's wall time, scoring excluded. */
  seconds: number;
  /** Training rows it was fitted on (AUTO's MLP: a sample of at most 20,000). */
  rows: number;
  cutShort: boolean;
  /** The one train() returned. */
  kept: boolean;
}

export interface TrainedModel {
  /** The whole model, preprocessing included (see onnx-contract.md). */
  onnx: Uint8Array;
  modelType: ModelType;
  problemType: TrainedProblemType;
  /** The XGBoost objective trained with, or the metric objective AUTO selected by ('msd' for KMEANS). */
  objective: string;
  /** Measured on the held-out split; shown as validation:<metric>. */
  validation: { metric: ValidationMetric; value: number };
  /** Class values in the target's type; index = class id = ONNX 'label'. */
  classes?: ClassValue[];
  /** MAX_RUNTIME or the abort signal stopped training; the model so far is kept. */
  cutShort: boolean;
  trainingRows: number;
  /** Global feature importance (EXPLAIN_MODEL); plain data like the rest. */
  explanation: ModelExplanation;
  /** Every candidate trained, in training order, with its held-out score. */
  candidates: CandidateReport[];
  /**
   * Where train()'s wall time went, in the order the parts first ran: prepare (target, split,
   * encoding, PREPROCESSORS), binning and boosting (XGBOOST), linear learner, mlp, kmeans,
   * scoring (the held-out rows), export (ONNX), explain.
   */
  timings: TimePart[];
  /**
   * The trainer's own predictions (for tests that hold ONNX and trainer together). A
   * non-enumerable property: structuredClone / postMessage drop it, so the rest crosses threads.
   */
  predict(columns: TrainingColumn[]): Predictions;
  /**
   * predict() on every row given to train(), in their order (the prediction baseline), mostly
   * from the predictions training already made. Non-enumerable too.
   */
  trainingPredictions(): Predictions;
}
