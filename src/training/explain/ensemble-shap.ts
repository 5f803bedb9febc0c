import type { GbdtModel } from '../gbdt/gbdt-model.ts';
import { MemoizedTreeShap } from './memoized-tree-shap.ts';
import { addTreeShap, createShapScratch, flattenTree, type ShapScratch, treeDepth, treeExpectedValue } from './tree-shap.ts';

/**
 * Memo entries (4 bytes each) the trees of one ensemble may take: 100 trees of depth 6 take
 * 409,600; a deeper tree that would pass the limit is explained by the plain recursion.
 */
const MAX_MEMO_SLOTS = 1 << 21;

/** SHAP values of a boosted ensemble: per tree TreeSHAP, summed into the tree's output (class). */
export interface EnsembleShap {
  /** Per output: base margin + each tree's expected value; phi of a row sums to margin - this. */
  expected: Float64Array;
  /**
   * Writes the row's SHAP values into phi (outputs × base columns, zeroed first). Float64 sums:
   * the model's own margin rounds to float32 after each tree, these do not.
   */
  row(x: Float32Array, offset: number, phi: Float64Array): void;
  /**
   * As row, for many rows at once: row i (at x[offsets[i]..]) into phi[i × outputs × columns ..],
   * the same values. Tree by tree over the rows, so that one tree's data stays in the cache.
   */
  rows(x: Float32Array, offsets: ArrayLike<number>, phi: Float64Array): void;
}

export function ensembleShap(model: GbdtModel): EnsembleShap {
  const expected = Float64Array.from(model.baseMargin);
  for (const tree of model.trees) expected[tree.output] += treeExpectedValue(tree);
  const depth = model.trees.reduce((d, t) => Math.max(d, treeDepth(t)), 0);
  const scratch: ShapScratch = createShapScratch(depth);
  const k = model.features;
  // A single-leaf tree adds the same to every row: it is all expected value, no attribution.
  let slots = MAX_MEMO_SLOTS;
  const trees = model.trees.filter((t) => t.nodes.length > 1).map((t) => {
    const flat = flattenTree(t);
    const memoized = MemoizedTreeShap.of(flat, slots);
    if (memoized) slots -= memoized.slots;
    return { flat, memoized, output: t.output };
  });
  const stride = model.outputs * k;
  return {
    expected,
    row(x, offset, phi) {
      phi.fill(0);
      for (const t of trees) {
        if (t.memoized) t.memoized.add(x, offset, phi, t.output * k);
        else addTreeShap(t.flat, x, offset, phi, t.output * k, scratch);
      }
    },
    rows(x, offsets, phi) {
      phi.fill(0, 0, offsets.length * stride);
      for (const t of trees) {
        for (let i = 0; i < offsets.length; i++) {
          if (t.memoized) t.memoized.add(x, offsets[i], phi, i * stride + t.output * k);
          else addTreeShap(t.flat, x, offsets[i], phi, i * stride + t.output * k, scratch);
        }
      }
    },
  };
}
