import type { EncodingPlan } from '../data/feature-encoding.ts';
import type { GbdtModel } from '../gbdt/gbdt-model.ts';
import { ensembleShap } from './ensemble-shap.ts';
import { explainRowCap, explainRows } from './row-sample.ts';
import { sourceOfColumns } from './source-features.ts';
import { treeDepth } from './tree-shap.ts';

/**
 * TreeSHAP's work per row is about leaves × (depth + 1)² per tree; about a billion of those units
 * took 4 s with the plain recursion (measured: 100 trees of depth 6, 0.75 ms a row). This budget
 * kept the explanation near a quarter of a second, a small share of training: 10,000 rows for
 * small ensembles, about 250 for XGBoost's defaults (100 rounds, depth 6), never fewer than
 * MIN_EXPLAIN_ROWS; the mean of |SHAP| over that many rows ranks features stably. With the
 * leaves' shares remembered (memoized-tree-shap.ts) the same rows take about a third of that.
 */
const TREE_SHAP_BUDGET = 75_000_000;
const BLOCK_VALUES = 65_536;

/**
 * Mean |SHAP value| per feature column over the training rows (a seeded sample of at most
 * MAX_EXPLAIN_ROWS, fewer for big ensembles: TREE_SHAP_BUDGET).
 * A feature's base columns (date parts) are one player: their SHAP values are added per row
 * before the absolute value, which is the Shapley value of the group since SHAP is additive.
 * Multiclass adds the classes' |SHAP| (their margins are separate games: the softmax of a sum
 * would mean nothing).
 */
export function treeShapImportance(plan: EncodingPlan, model: GbdtModel, x: Float32Array, rows: number, seed: number): Float64Array {
  const k = model.features;
  const source = sourceOfColumns(plan);
  const featureCount = plan.features.length;
  const shap = ensembleShap(model);
  const stride = model.outputs * k;
  const grouped = new Float64Array(featureCount);
  const total = new Float64Array(featureCount);
  const sample = explainRows(rows, seed, explainRowCap(shapCostPerRow(model), TREE_SHAP_BUDGET));
  // Rows a block at a time (shap.rows goes tree by tree over them); a block's SHAP values take 512 kB.
  const block = Math.max(1, Math.floor(BLOCK_VALUES / stride));
  const phi = new Float64Array(Math.min(block, sample.length) * stride);
  for (let from = 0; from < sample.length; from += block) {
    const offsets = Int32Array.from(sample.subarray(from, from + block), (r) => r * k);
    shap.rows(x, offsets, phi);
    for (let i = 0; i < offsets.length; i++) {
      for (let o = 0; o < model.outputs; o++) {
        grouped.fill(0);
        for (let c = 0; c < k; c++) grouped[source[c]] += phi[i * stride + o * k + c];
        for (let f = 0; f < featureCount; f++) total[f] += Math.abs(grouped[f]);
      }
    }
  }
  return total.map((v) => v / Math.max(1, sample.length));
}

function shapCostPerRow(model: GbdtModel): number {
  let cost = 0;
  for (const tree of model.trees) {
    const leaves = (tree.nodes.length + 1) / 2;
    cost += leaves * (treeDepth(tree) + 1) ** 2;
  }
  return cost;
}
