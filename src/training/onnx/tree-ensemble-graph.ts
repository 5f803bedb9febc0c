import type { GbdtModel } from '../gbdt/gbdt-model.ts';
import { type GraphBuilder, floats, int, ints, str, strs } from './graph-builder.ts';

/**
 * The ensemble as one ai.onnx.ml TreeEnsembleRegressor with n_targets = outputs (one target per
 * class for softmax), margins out, no post transform: the output head applies the transform, so
 * trees and linear models share it. Splits are BRANCH_LT on float32 thresholds, the test the
 * trainer made; missing values follow nodes_missing_value_tracks_true.
 */
export function treeEnsembleGraph(g: GraphBuilder, model: GbdtModel, features: string): string {
  return treeEnsembleRegressor(g, { trees: model.trees, outputs: model.outputs, baseMargins: model.baseMargin }, features);
}

/** A split or a leaf, as both our trees and imported XGBoost trees hold them. */
export type EnsembleNode =
  | { kind: 'split'; feature: number; threshold: number; left: number; right: number; missingLeft: boolean }
  | { kind: 'leaf'; value: number };

/** Trees (nodes by id: an array, or a map of XGBoost's ids), each adding to one output. */
export interface Ensemble {
  trees: ReadonlyArray<{ output: number; nodes: ReadonlyArray<EnsembleNode> | ReadonlyMap<number, EnsembleNode> }>;
  outputs: number;
  baseMargins: number[];
}

/** The TreeEnsembleRegressor of margins over `features`; returns its output's name. */
export function treeEnsembleRegressor(g: GraphBuilder, ensemble: Ensemble, features: string): string {
  const a = {
    treeIds: [] as number[], nodeIds: [] as number[], featureIds: [] as number[], values: [] as number[],
    modes: [] as string[], trueIds: [] as number[], falseIds: [] as number[], missingTrue: [] as number[],
    tTree: [] as number[], tNode: [] as number[], tTarget: [] as number[], tWeight: [] as number[],
  };
  ensemble.trees.forEach((tree, t) => {
    for (const [id, node] of [...tree.nodes.entries()].sort(([x], [y]) => x - y)) {
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
  return g.node('TreeEnsembleRegressor', [features], {
    n_targets: int(ensemble.outputs),
    aggregate_function: str('SUM'),
    post_transform: str('NONE'),
    base_values: floats(ensemble.baseMargins),
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
}
