/**
 * One regression tree, as trained and as exported (node index = ONNX node id, root = 0).
 * Plain data, so it survives structuredClone between threads.
 */
export type TreeNode =
  | {
      kind: 'split';
      /** Base-matrix column. */
      feature: number;
      /** float32 value; a row goes left when its float32 value is < threshold (ONNX BRANCH_LT). */
      threshold: number;
      /** Local bin: left when bin <= splitBin, the training-time form of the same test. */
      splitBin: number;
      left: number;
      right: number;
      /** Missing (NaN) values go left; exported as nodes_missing_value_tracks_true. */
      missingLeft: boolean;
      /** Sum of the hessians of this tree's sampled training rows here (XGBoost's cover); TreeSHAP's weights. */
      cover: number;
    }
  | { kind: 'leaf'; /** float32, eta applied */ value: number; /** As for a split. */ cover: number };

export interface Tree {
  nodes: TreeNode[];
  /** Which output (class) this tree adds to: ONNX target_ids. */
  output: number;
}

/** Leaf value for one row of the float32 base matrix, taking the branch onnxruntime takes. */
export function leafValue(tree: Tree, x: Float32Array, offset: number): number {
  let node = tree.nodes[0];
  while (node.kind === 'split') {
    const v = x[offset + node.feature];
    const left = Number.isNaN(v) ? node.missingLeft : v < node.threshold;
    node = tree.nodes[left ? node.left : node.right];
  }
  return node.value;
}
