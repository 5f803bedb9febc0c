import type { HistPool } from './hist-pool.ts';
import type { HistogramKernels } from './hist-kernels.ts';

/** The root's histogram: every sampled row, every feature (split between threads with a pool). */
export function rootHistogram(
  kernels: HistogramKernels, hist: Float64Array, bins: Uint8Array, slot: Int32Array, gh: Float64Array, inSample: Uint8Array, n: number, pool?: HistPool,
): void {
  if (pool !== undefined) pool.rootHistogram(kernels, hist, bins, slot, gh, inSample, n);
  else kernels.root(hist, bins, slot, gh, inSample, n, 0, slot.length);
}

/** What one level pass needs, indexed by node id where per node. */
export interface LevelTables {
  bins: Uint8Array;
  /** Per feature: 2 × its first global bin, the start of its (g, h) pairs in a histogram. */
  slot: Int32Array;
  gh: Float64Array;
  inSample: Uint8Array;
  position: Uint16Array;
  /** Per node id: split feature or -1, and where its feature's part of goesRight starts. */
  feature: Int32Array;
  tableOffset: Int32Array;
  goesRight: Uint8Array;
  /** Left child id (right = left + 1). */
  leftId: Int32Array;
  /** Per child id: where its histogram starts in `hist`, or -1 if it is derived by subtraction. */
  smallOffset: Int32Array;
  hist: Float64Array;
  /** Scratch for the rows that feed a histogram this level. */
  smallRows: Int32Array;
  /** JavaScript or WebAssembly (then every array above is in the training's KernelMemory). */
  kernels: HistogramKernels;
  /** Shares the pass with a second thread; absent = this thread does all. */
  pool?: HistPool;
}

/**
 * The hot loop of training: moves rows to their children and fills the smaller children's
 * histograms, in two passes over rows in order. Kept apart so V8 optimises it on its own, with
 * monomorphic typed arrays. Measured alternatives that were slower: per-child row lists filled in
 * pass 1 (a store-to-load chain through the list cursors) and grouping the listed rows by child
 * before pass 2 (one more pass than it saves in cache misses).
 * With a pool, two threads share the work (hist-pool.ts): pass 1 by rows (rows are independent),
 * pass 2 by features, so each histogram slot is still summed by one thread in row order and the
 * sums are bit-for-bit those of one thread. (Splitting pass 2 by rows, as XGBoost does, would add
 * two partial sums and change the model's bits.)
 */
export function levelPass(t: LevelTables): void {
  const { bins, slot, gh, inSample, position, feature, tableOffset, goesRight, leftId, smallOffset, hist, smallRows } = t;
  if (t.pool !== undefined && t.pool.level(t)) return;
  const n = position.length;
  const F = slot.length;
  // Pass 1: move rows, list the sampled rows of smaller children.
  const count = t.kernels.move(bins, F, inSample, position, feature, tableOffset, goesRight, leftId, smallOffset, smallRows, 0, n, 0);
  // Pass 2: histograms of the listed rows, ascending, so memory is still read forwards.
  t.kernels.listed(hist, bins, slot, gh, position, smallOffset, smallRows, 0, count, 0, F);
}

/** The margin update after a tree (hist-kernels.ts addLeafValuesRange), over all rows. */
export interface LeafTables {
  margin: Float64Array;
  outputs: number;
  output: number;
  /** Leaf value by grow-node id. */
  value: Float64Array;
  bins: Uint8Array;
  features: number;
  position: Uint16Array;
  /** The last level's splits, as LevelTables'; feature all -1 when it had none. */
  feature: Int32Array;
  tableOffset: Int32Array;
  goesRight: Uint8Array;
  leftId: Int32Array;
  /** As LevelTables.kernels. */
  kernels: HistogramKernels;
  /** Shares the rows with a second thread; absent = this thread does all. */
  pool?: HistPool;
}

export function addLeafValues(t: LeafTables): void {
  if (t.pool !== undefined && t.pool.leaves(t)) return;
  t.kernels.leaves(t.margin, t.outputs, t.output, t.value, t.bins, t.features, t.position, t.feature, t.tableOffset, t.goesRight, t.leftId, 0, t.position.length);
}
