import type { MetricName, MetricObjective, ProblemType } from '../types.ts';

/** The XGBoost objectives of the contract, all implemented. */
export type XgbObjective =
  | 'reg:squarederror' | 'reg:squaredlogerror' | 'reg:logistic' | 'reg:pseudohubererror'
  | 'reg:tweedie' | 'binary:logistic' | 'binary:hinge' | 'multi:softmax';

export const XGB_OBJECTIVES: Record<XgbObjective, ProblemType> = {
  'reg:squarederror': 'REGRESSION',
  'reg:squaredlogerror': 'REGRESSION',
  'reg:logistic': 'REGRESSION',
  'reg:pseudohubererror': 'REGRESSION',
  'reg:tweedie': 'REGRESSION',
  'binary:logistic': 'BINARY_CLASSIFICATION',
  'binary:hinge': 'BINARY_CLASSIFICATION',
  'multi:softmax': 'MULTICLASS_CLASSIFICATION',
};

/** Real XGBoost objectives outside the contract: NotSupportedError rather than a typo error. */
export const XGB_OBJECTIVES_NOT_SUPPORTED = [
  'reg:linear', 'reg:absoluteerror', 'reg:quantileerror', 'reg:gamma', 'count:poisson',
  'binary:logitraw', 'multi:softprob', 'survival:cox', 'survival:aft', 'rank:pairwise',
  'rank:ndcg', 'rank:map',
];

export const METRIC_OBJECTIVES: Record<MetricObjective, { metric: MetricName; problems: ProblemType[] }> = {
  MSE: { metric: 'mse', problems: ['REGRESSION'] },
  Accuracy: { metric: 'accuracy', problems: ['BINARY_CLASSIFICATION', 'MULTICLASS_CLASSIFICATION'] },
  F1: { metric: 'f1', problems: ['BINARY_CLASSIFICATION'] },
  F1Macro: { metric: 'f1macro', problems: ['BINARY_CLASSIFICATION', 'MULTICLASS_CLASSIFICATION'] },
  AUC: { metric: 'auc', problems: ['BINARY_CLASSIFICATION'] },
};

export const DEFAULT_METRIC_OBJECTIVE: Record<ProblemType, MetricObjective> = {
  REGRESSION: 'MSE',
  BINARY_CLASSIFICATION: 'F1',
  MULTICLASS_CLASSIFICATION: 'Accuracy',
};

export const DEFAULT_XGB_OBJECTIVE: Record<ProblemType, XgbObjective> = {
  REGRESSION: 'reg:squarederror',
  BINARY_CLASSIFICATION: 'binary:logistic',
  MULTICLASS_CLASSIFICATION: 'multi:softmax',
};

export function isXgbObjective(s: string): s is XgbObjective {
  return Object.hasOwn(XGB_OBJECTIVES, s);
}

/** Metric objectives match case-insensitively ('mse', 'MSE'); returns the canonical spelling. */
export function asMetricObjective(s: string): MetricObjective | undefined {
  const lower = s.toLowerCase();
  return (Object.keys(METRIC_OBJECTIVES) as MetricObjective[]).find((k) => k.toLowerCase() === lower);
}
