import type { XgbParams } from '../spec/hyperparameters.ts';
import type { BinMatrix } from './bin-matrix.ts';
import type { SplitCandidate } from './split-finder.ts';
import { type GainParams, leafWeight } from './split-gain.ts';
import type { Tree, TreeNode } from './tree.ts';

/** One node while the tree grows; its histogram lives in the level buffer at histOffset. */
export interface GrowNode {
  depth: number;
  g: number;
  h: number;
  histOffset: number;
  split: SplitCandidate | undefined;
  children: [number, number] | undefined;
}

/**
 * Turns the grown nodes into the exported tree: numbers nodes depth-first (root 0) and applies eta
 * to leaf weights. Also returns each leaf's value by grow-node id, for the margin update.
 */
export function assembleTree(
  nodes: GrowNode[],
  gp: GainParams,
  params: XgbParams,
  m: BinMatrix,
  output: number,
): { tree: Tree; valueOf: Float64Array } {
  const isLeaf = (id: number): boolean => nodes[id].children === undefined;
  // Renumber depth-first so the exported node list is dense with the root at 0.
  const out: TreeNode[] = [];
  const valueOf = new Float64Array(nodes.length);
  const emit = (id: number): number => {
    const at = out.length;
    const node = nodes[id];
    if (isLeaf(id)) {
      // float32 weight times float32 eta, as XGBoost's ExpandNode(left_weight * learning_rate).
      const value = Math.fround(Math.fround(params.eta) * leafWeight(gp, node.g, node.h));
      out.push({ kind: 'leaf', value, cover: node.h });
      valueOf[id] = value;
      return at;
    }
    const sp = node.split as SplitCandidate;
    const c = node.children as [number, number];
    out.push({ kind: 'leaf', value: 0, cover: 0 }); // replaced once the children have their numbers
    const left = emit(c[0]);
    const right = emit(c[1]);
    const cuts = m.cuts[sp.feature];
    const threshold = sp.splitBin === 0 ? m.below[sp.feature] : sp.splitBin > cuts.length ? m.above[sp.feature] : cuts[sp.splitBin - 1];
    out[at] = {
      kind: 'split', feature: sp.feature, threshold, splitBin: sp.splitBin,
      left, right, missingLeft: sp.missingLeft, cover: node.h,
    };
    return at;
  };
  emit(0);
  return { tree: { nodes: out, output }, valueOf };
}
