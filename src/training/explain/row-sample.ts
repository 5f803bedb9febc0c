import { createRandom, shuffledIndices } from '../util/random.ts';

/** Rows an explanation looks at: plenty for a stable mean, few enough to cost seconds at most. */
export const MAX_EXPLAIN_ROWS = 10_000;
/**
 * Fewest rows a cost cap may leave (explainRowCap). Low on purpose: a floor of 200 rows made a
 * 2,000-tree depth-8 model spend 34 s explaining itself after 32 s of boosting. The top features'
 * order is already clear in a few dozen rows; only very large ensembles come down to it.
 */
export const MIN_EXPLAIN_ROWS = 32;

/**
 * How many rows fit a budget of `budget` work units when one row costs `perRow` of them, kept
 * within [MIN_EXPLAIN_ROWS, MAX_EXPLAIN_ROWS].
 */
export function explainRowCap(perRow: number, budget: number): number {
  return Math.max(MIN_EXPLAIN_ROWS, Math.min(MAX_EXPLAIN_ROWS, Math.floor(budget / Math.max(1, perRow))));
}

/**
 * All of 0..n-1 when n <= max, else a seeded sample of max of them, ascending. Its own stream
 * (seed mixed with a constant): explaining never shifts the random choices of training.
 */
export function explainRows(n: number, seed: number, max = MAX_EXPLAIN_ROWS): Int32Array {
  if (n <= max) return Int32Array.from({ length: n }, (_, i) => i);
  return shuffledIndices(n, createRandom(seed ^ 0x3e7a1a)).slice(0, max).sort();
}
