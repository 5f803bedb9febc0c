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
 * Turns the grown nodes into the exported tree: prunes splits below gamma bottom-up (XGBoost's
 * TreePruner), numbers nodes depth-first (root 0), applies eta to leaf weights, and adds each
 * row's leaf value to its margin using the node positions the level passes left behind.
 */
export function assembleTree(
  nodes: GrowNode[],
  gp: GainParams,
  params: XgbParams,
  m: BinMatrix,
  output: number,
  position: Uint16Array,
  margin: Float64Array,
  outputs: number,
): Tree {
  // Bottom-up pruning: a split whose children are both leaves and whose gain is below gamma goes.
  const collapsed = new Uint8Array(nodes.length);
  const isLeaf = (id: number): boolean => nodes[id].children === undefined || collapsed[id] === 1;
  const prune = (id: number): void => {
    const c = nodes[id].children;
    if (c === undefined) return;
    prune(c[0]);
    prune(c[1]);
    const split = nodes[id].split as SplitCandidate;
    if (isLeaf(c[0]) && isLeaf(c[1]) && split.lossChange < params.gamma) collapsed[id] = 1;
  };
  prune(0);
  // Renumber depth-first so the exported node list is dense with the root at 0. Rows that sit in
  // a pruned subtree take the value of the leaf that replaced it.
  const out: TreeNode[] = [];
  const valueOf = new Float64Array(nodes.length);
  const inherit = (id: number, value: number): void => {
    valueOf[id] = value;
    const c = nodes[id].children;
    if (c !== undefined) {
      inherit(c[0], value);
      inherit(c[1], value);
    }
  };
  const emit = (id: number): number => {
    const at = out.length;
    const node = nodes[id];
    if (isLeaf(id)) {
      const value = Math.fround(params.eta * leafWeight(gp, node.g, node.h));
      out.push({ kind: 'leaf', value, cover: node.h });
      inherit(id, value);
      return at;
    }
    const sp = node.split as SplitCandidate;
    const c = node.children as [number, number];
    out.push({ kind: 'leaf', value: 0, cover: 0 }); // replaced once the children have their numbers
    const left = emit(c[0]);
    const right = emit(c[1]);
    out[at] = {
      kind: 'split', feature: sp.feature, threshold: m.cuts[sp.feature][sp.splitBin - 1], splitBin: sp.splitBin,
      left, right, missingLeft: sp.missingLeft, cover: node.h,
    };
    return at;
  };
  emit(0);
  for (let r = 0; r < m.rows; r++) margin[r * outputs + output] += valueOf[position[r]];
  return { nodes: out, output };
}
