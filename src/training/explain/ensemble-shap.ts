import type { GbdtModel } from '../gbdt/gbdt-model.ts';
import { addTreeShap, createShapScratch, flattenTree, type ShapScratch, treeDepth, treeExpectedValue } from './tree-shap.ts';

/** SHAP values of a boosted ensemble: per tree TreeSHAP, summed into the tree's output (class). */
export interface EnsembleShap {
  /** Per output: base margin + each tree's expected value; phi of a row sums to margin - this. */
  expected: Float64Array;
  /**
   * Writes the row's SHAP values into phi (outputs × base columns, zeroed first). Float64 sums:
   * the model's own margin rounds to float32 after each tree, these do not.
   */
  row(x: Float32Array, offset: number, phi: Float64Array): void;
}

export function ensembleShap(model: GbdtModel): EnsembleShap {
  const expected = Float64Array.from(model.baseMargin);
  for (const tree of model.trees) expected[tree.output] += treeExpectedValue(tree);
  const depth = model.trees.reduce((d, t) => Math.max(d, treeDepth(t)), 0);
  const scratch: ShapScratch = createShapScratch(depth);
  const k = model.features;
  // A single-leaf tree adds the same to every row: it is all expected value, no attribution.
  const trees = model.trees.filter((t) => t.nodes.length > 1).map((t) => ({ flat: flattenTree(t), output: t.output }));
  return {
    expected,
    row(x, offset, phi) {
      phi.fill(0);
      for (const t of trees) addTreeShap(t.flat, x, offset, phi, t.output * k, scratch);
    },
  };
}
