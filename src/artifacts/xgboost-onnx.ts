import { GraphBuilder, floats, int, ints, str, strs } from '../training/onnx/graph-builder.ts';
import { outputHead } from '../training/onnx/output-head.ts';
import type { XgboostModel } from './xgboost-model.ts';

/**
 * An XGBoost model as the ONNX graph modelgres's own boosted trees export (training/onnx): one
 * float32 input [N, features], an ai.onnx.ml TreeEnsembleRegressor of margins (BRANCH_LT on
 * XGBoost's float32 thresholds, missing values to each node's default branch, base_score's margin
 * as base_values), then the same output head: 'variable' [N, 1] for reg:squarederror, and for
 * classifiers 'label' (class index) with 'probabilities' [N, C], so f returns the class and
 * f_probabilities what XGBoost's predict() gives (p for binary:logistic is the second column).
 */
export function xgboostToOnnx(model: XgboostModel): Uint8Array {
  const g = new GraphBuilder();
  const features = g.input('input', 'float32', model.featureCount);
  const a = {
    treeIds: [] as number[], nodeIds: [] as number[], featureIds: [] as number[], values: [] as number[],
    modes: [] as string[], trueIds: [] as number[], falseIds: [] as number[], missingTrue: [] as number[],
    tTree: [] as number[], tNode: [] as number[], tTarget: [] as number[], tWeight: [] as number[],
  };
  model.trees.forEach((tree, t) => {
    for (const [id, node] of [...tree.nodes].sort(([x], [y]) => x - y)) {
      a.treeIds.push(t);
      a.nodeIds.push(id);
      if (node.kind === 'split') {
        a.featureIds.push(node.feature);
        a.values.push(node.threshold);
        a.modes.push('BRANCH_LT');
        a.trueIds.push(node.left);
        a.falseIds.push(node.right);
        a.missingTrue.push(node.missingLeft ? 1 : 0);
      } else {
        a.featureIds.push(0);
        a.values.push(0);
        a.modes.push('LEAF');
        a.trueIds.push(0);
        a.falseIds.push(0);
        a.missingTrue.push(0);
        a.tTree.push(t);
        a.tNode.push(id);
        a.tTarget.push(tree.output);
        a.tWeight.push(node.value);
      }
    }
  });
  const margin = g.node('TreeEnsembleRegressor', [features], {
    n_targets: int(model.outputs),
    aggregate_function: str('SUM'),
    post_transform: str('NONE'),
    base_values: floats(model.baseMargins),
    nodes_treeids: ints(a.treeIds),
    nodes_nodeids: ints(a.nodeIds),
    nodes_featureids: ints(a.featureIds),
    nodes_values: floats(a.values),
    nodes_modes: strs(a.modes),
    nodes_truenodeids: ints(a.trueIds),
    nodes_falsenodeids: ints(a.falseIds),
    nodes_missing_value_tracks_true: ints(a.missingTrue),
    target_treeids: ints(a.tTree),
    target_nodeids: ints(a.tNode),
    target_ids: ints(a.tTarget),
    target_weights: floats(a.tWeight),
  }, { domain: 'ai.onnx.ml' });
  if (model.objective === 'reg:squarederror') outputHead(g, 'identity', false, 1, margin);
  else if (model.objective === 'binary:logistic') outputHead(g, 'sigmoid', true, 2, margin);
  else outputHead(g, 'softmax', true, model.outputs, margin);
  return g.encode({ xgboost_objective: model.objective }, `converted by modelgres from an XGBoost ${model.objective} model`);
}
