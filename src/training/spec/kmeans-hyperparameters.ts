import { TrainingInputError } from '../training-errors.ts';
import { type NumericKey, parseNumericKeys } from './hyperparameter-table.ts';

export interface KmeansParams {
  /** Number of clusters; required. */
  k: number;
  /** 'kmeans++' (default; greedy k-means++ as scikit-learn does it) or 'random' (K distinct random rows). */
  initMethod: 'kmeans++' | 'random';
  /** Lloyd iterations at most. */
  maxIterations: number;
  /** Stop when the centres moved less than tol × the mean feature variance (squared, summed). */
  tolerance: number;
}

/** The largest K: every iteration costs rows × K × width. */
export const MAX_K = 10000;

const KEYS: Record<string, NumericKey<'k' | 'maxIterations' | 'tolerance'>> = {
  k: { field: 'k', min: 1, max: MAX_K, integer: true },
  local_lloyd_max_iter: { field: 'maxIterations', default: 300, min: 1, max: 10000, integer: true },
  local_lloyd_tol: { field: 'tolerance', default: 1e-4, min: 0, max: 1, integer: false },
};

/**
 * Redshift's (SageMaker's) other k-means names: accepted so a Redshift statement runs unchanged,
 * but they steer SageMaker's streaming mini-batch algorithm, which this trainer does not use.
 */
export const KMEANS_IGNORED_KEYS = [
  'epochs', 'mini_batch_size', 'extra_center_factor', 'half_life_time_size', 'eval_metrics',
  'local_lloyd_num_trials', 'local_lloyd_init_method',
];

/** K is required: a string holding an integer in [1, MAX_K] (and at most the training rows, checked later). */
export function parseKmeansHyperparameters(raw: Record<string, string>): KmeansParams {
  let initMethod: KmeansParams['initMethod'] = 'kmeans++';
  const numeric: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw ?? {})) {
    if (key.toLowerCase() !== 'init_method') {
      numeric[key] = value;
      continue;
    }
    const v = String(value).trim().toLowerCase();
    if (v !== 'kmeans++' && v !== 'random') {
      throw new TrainingInputError(`hyperparameter init_method must be 'kmeans++' or 'random', got '${value}'`);
    }
    initMethod = v;
  }
  const parsed = parseNumericKeys(numeric, KEYS, KMEANS_IGNORED_KEYS);
  if (parsed.k === undefined) {
    throw new TrainingInputError(`MODEL_TYPE KMEANS requires the hyperparameter K (an integer in [1, ${MAX_K}])`);
  }
  return { k: parsed.k, initMethod, maxIterations: parsed.maxIterations as number, tolerance: parsed.tolerance as number };
}
