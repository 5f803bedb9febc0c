/** The range a hyperparameter's value must fall in, and whether it must be whole. */
export interface HyperparameterRange {
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
}

/** XGBoost hyperparameters modelgres accepts, with the contract's ranges (SQL-SURFACE.md §1). */
export const XGBOOST_HYPERPARAMETERS: Readonly<Record<string, HyperparameterRange>> = {
  // No range in the contract; the bound keeps a typo from training for hours.
  num_round: { min: 1, max: 10_000, integer: true },
  max_depth: { min: 0, max: 10, integer: true },
  eta: { min: 0.1, max: 0.5, integer: false },
  min_child_weight: { min: 0, max: 120, integer: false },
  subsample: { min: 0.5, max: 1, integer: false },
  gamma: { min: 0, max: 5, integer: false },
  alpha: { min: 0, max: 1000, integer: false },
  lambda: { min: 0, max: 1000, integer: false },
  colsample_bytree: { min: 0.5, max: 1, integer: false },
  colsample_bylevel: { min: 0.1, max: 1, integer: false },
  colsample_bynode: { min: 0.1, max: 1, integer: false },
  max_delta_step: { min: 0, max: 10, integer: false },
  num_class: { min: 2, max: 2_147_483_647, integer: true },
};

/** KMEANS: K is required; the others are Redshift's names, passed on unchecked. */
export const KMEANS_HYPERPARAMETERS: Readonly<Record<string, HyperparameterRange | null>> = {
  k: { min: 1, max: 2_147_483_647, integer: true },
  epochs: { min: 1, max: 1_000_000, integer: true },
  init_method: null,
  local_lloyd_max_iter: null,
  local_lloyd_tol: null,
  local_lloyd_num_trials: null,
  local_lloyd_init_method: null,
  half_life_time_size: null,
  extra_center_factor: null,
  mini_batch_size: null,
  eval_metrics: null,
};

export const XGBOOST_OBJECTIVES = [
  'reg:squarederror',
  'reg:squaredlogerror',
  'reg:logistic',
  'reg:pseudohubererror',
  'reg:tweedie',
  'binary:logistic',
  'binary:hinge',
  'multi:softmax',
] as const;

/** AutoML metrics for OBJECTIVE with AUTO ON, by lower-cased spelling (Redshift writes F1_Macro). */
export const AUTOML_OBJECTIVES: Readonly<Record<string, string>> = {
  mse: 'MSE',
  accuracy: 'Accuracy',
  f1: 'F1',
  f1macro: 'F1Macro',
  f1_macro: 'F1Macro',
  auc: 'AUC',
};
