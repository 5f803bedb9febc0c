import { type NumericKey, parseNumericKeys } from './hyperparameter-table.ts';

/** XGBoost hyperparameters after parsing and range checks (SQL-SURFACE.md section 1). */
export interface XgbParams {
  numRound: number;
  /** 0 means no depth limit: the tree then grows best-first up to MAX_LEAVES_UNLIMITED leaves. */
  maxDepth: number;
  eta: number;
  minChildWeight: number;
  subsample: number;
  gamma: number;
  alpha: number;
  lambda: number;
  colsampleBytree: number;
  colsampleBylevel: number;
  colsampleBynode: number;
  maxDeltaStep: number;
  numClass?: number;
}

/**
 * XGBoost only allows max_depth 0 with its lossguide grower, where max_leaves then bounds the tree.
 * We do the same with a fixed bound, so a 0 never means an unbounded tree.
 */
export const MAX_LEAVES_UNLIMITED = 256;

const KEYS: Record<string, NumericKey<keyof XgbParams>> = {
  num_round: { field: 'numRound', default: 100, min: 1, max: 10000, integer: true },
  max_depth: { field: 'maxDepth', default: 6, min: 0, max: 10, integer: true },
  eta: { field: 'eta', default: 0.3, min: 0.1, max: 0.5, integer: false },
  min_child_weight: { field: 'minChildWeight', default: 1, min: 0, max: 120, integer: false },
  subsample: { field: 'subsample', default: 1, min: 0.5, max: 1, integer: false },
  gamma: { field: 'gamma', default: 0, min: 0, max: 5, integer: false },
  alpha: { field: 'alpha', default: 0, min: 0, max: 1000, integer: false },
  lambda: { field: 'lambda', default: 1, min: 0, max: 1000, integer: false },
  colsample_bytree: { field: 'colsampleBytree', default: 1, min: 0.5, max: 1, integer: false },
  colsample_bylevel: { field: 'colsampleBylevel', default: 1, min: 0.1, max: 1, integer: false },
  colsample_bynode: { field: 'colsampleBynode', default: 1, min: 0.1, max: 1, integer: false },
  max_delta_step: { field: 'maxDeltaStep', default: 0, min: 0, max: 10, integer: false },
  num_class: { field: 'numClass', min: 2, max: 1000, integer: true },
};

/** Parses the user's quoted XGBoost values; keys are case-insensitive, as SQL keywords are. */
export function parseHyperparameters(raw: Record<string, string>): XgbParams {
  return parseNumericKeys(raw, KEYS) as XgbParams;
}
