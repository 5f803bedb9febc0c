import type { Tree, TreeNode } from '../gbdt/tree.ts';

/**
 * Exact TreeSHAP for one tree and one row: Algorithm 2 of Lundberg, Erion & Lee (2018),
 * "Consistent Individualized Feature Attribution for Tree Ensembles". It gives the Shapley values
 * of the game v(S) = E[f(x) | x_S], where the expectation over the features outside S follows
 * both branches of their splits weighted by cover (the path-dependent expectation of the paper's
 * Algorithm 1), in O(leaves × depth²) instead of O(leaves × 2^features).
 *
 * The recursion carries the path of unique features from the root: for each element, the
 * feature, the share of the "feature absent" expectation that flows down the path (zero), whether
 * the row's own value takes the path (one: 1 or 0), and a weight per subset size (weight[i]: the
 * Shapley-weighted share of subsets of i path features). EXTEND adds a feature by the binomial
 * recurrence; UNWIND removes one by inverting it, which lets a feature split on twice count once.
 * At a leaf, each path feature's Shapley value gains (one - zero) × leaf × the weight summed with
 * that feature unwound.
 */

/** Reusable buffers for one tree depth: the path segments of all recursion levels, back to back. */
export interface ShapScratch {
  feature: Int32Array;
  zero: Float64Array;
  one: Float64Array;
  weight: Float64Array;
  /** inverse[k] = 1 / k for k in 1..maxDepth+2. */
  inverse: Float64Array;
}

/** Segments for depths 0..maxDepth+1 (lengths 1..maxDepth+2), enough for any path in the tree. */
export function createShapScratch(maxDepth: number): ShapScratch {
  const size = ((maxDepth + 2) * (maxDepth + 3)) / 2;
  return {
    feature: new Int32Array(size), zero: new Float64Array(size), one: new Float64Array(size), weight: new Float64Array(size),
    inverse: Float64Array.from({ length: maxDepth + 3 }, (_, k) => (k === 0 ? 0 : 1 / k)),
  };
}

export function treeDepth(tree: Tree, node = 0): number {
  const n = tree.nodes[node];
  return n.kind === 'leaf' ? 0 : 1 + Math.max(treeDepth(tree, n.left), treeDepth(tree, n.right));
}

/**
 * Share of a node's cover that goes to `child`. Covers of siblings add up to their parent's (both
 * come from the same hessian sums); a node with no cover, possible only with min_child_weight 0,
 * splits its mass evenly so that the shares still sum to 1 and local accuracy holds.
 */
export function coverShare(parent: TreeNode, child: TreeNode): number {
  return parent.cover > 0 ? child.cover / parent.cover : 0.5;
}

/** E[f(x)] of the tree: leaf values weighted by the product of cover shares down their path. */
export function treeExpectedValue(tree: Tree, node = 0): number {
  const n = tree.nodes[node];
  if (n.kind === 'leaf') return n.value;
  const left = tree.nodes[n.left];
  const right = tree.nodes[n.right];
  return coverShare(n, left) * treeExpectedValue(tree, n.left) + coverShare(n, right) * treeExpectedValue(tree, n.right);
}

/**
 * A tree as TreeSHAP walks it: typed arrays by node id, and each child's cover share computed once
 * per model instead of once per row and visit.
 */
export interface FlatTree {
  /** -1 for a leaf. */
  feature: Int32Array;
  threshold: Float32Array;
  missingLeft: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
  /** coverShare(parent, node); 1 for the root. */
  share: Float64Array;
}

export function flattenTree(tree: Tree): FlatTree {
  const n = tree.nodes.length;
  const flat: FlatTree = {
    feature: new Int32Array(n).fill(-1), threshold: new Float32Array(n), missingLeft: new Uint8Array(n),
    left: new Int32Array(n), right: new Int32Array(n), value: new Float64Array(n), share: new Float64Array(n).fill(1),
  };
  tree.nodes.forEach((node, id) => {
    if (node.kind === 'leaf') {
      flat.value[id] = node.value;
      return;
    }
    flat.feature[id] = node.feature;
    flat.threshold[id] = node.threshold;
    flat.missingLeft[id] = node.missingLeft ? 1 : 0;
    flat.left[id] = node.left;
    flat.right[id] = node.right;
    flat.share[node.left] = coverShare(node, tree.nodes[node.left]);
    flat.share[node.right] = coverShare(node, tree.nodes[node.right]);
  });
  return flat;
}

/**
 * Adds the tree's SHAP values for the row at x[offset..] into phi[phiOffset + base column].
 * Their sum is leafValue(row) - treeExpectedValue(tree) (local accuracy). Missing values take the
 * branch the tree sends them down (missingLeft), as prediction does.
 */
export function addTreeShap(tree: FlatTree, x: Float32Array, offset: number, phi: Float64Array, phiOffset: number, s: ShapScratch): void {
  recurse(tree, x, offset, phi, phiOffset, s, 0, 0, 0, 1, 1, -1);
}

/**
 * `parentStart`/`parentLength`: the parent's path segment. This node's segment starts right after
 * it, so a child never overwrites the path its sibling will copy.
 */
function recurse(
  t: FlatTree, x: Float32Array, offset: number, phi: Float64Array, phiOffset: number, s: ShapScratch,
  nodeId: number, parentStart: number, parentLength: number, zero: number, one: number, feature: number,
): void {
  // Neither the row's path nor any share of the expectation reaches this subtree (a child with no
  // cover on the cold side): it adds nothing, and UNWIND could not invert its zero fractions.
  if (zero === 0 && one === 0) return;
  const start = extendCopy(s, parentStart, parentLength, zero, one, feature);
  let length = parentLength + 1;
  const split = t.feature[nodeId];
  if (split < 0) {
    const value = t.value[nodeId];
    // Element 0 is the root's placeholder (feature -1); real features start at 1.
    for (let i = 1; i < length; i++) {
      const total = unwoundSum(s, start, length, i);
      phi[phiOffset + s.feature[start + i]] += total * (s.one[start + i] - s.zero[start + i]) * value;
    }
    return;
  }
  const v = x[offset + split];
  const goesLeft = Number.isNaN(v) ? t.missingLeft[nodeId] === 1 : v < t.threshold[nodeId];
  const hot = goesLeft ? t.left[nodeId] : t.right[nodeId];
  const cold = goesLeft ? t.right[nodeId] : t.left[nodeId];
  let incomingZero = 1;
  let incomingOne = 1;
  // A feature already on the path is unwound and re-added here with both splits' fractions
  // multiplied: it is one player of the game, however often the tree tests it.
  for (let i = 1; i < length; i++) {
    if (s.feature[start + i] !== split) continue;
    incomingZero = s.zero[start + i];
    incomingOne = s.one[start + i];
    unwind(s, start, length, i);
    length--;
    break;
  }
  recurse(t, x, offset, phi, phiOffset, s, hot, start, length, incomingZero * t.share[hot], incomingOne, split);
  recurse(t, x, offset, phi, phiOffset, s, cold, start, length, incomingZero * t.share[cold], 0, split);
}
/*
 * EXTEND, UNWIND and the unwound sum below divide only outside their loops: the loops in UNWIND
 * carry a dependency from one iteration to the next, and a division on that chain made all of TreeSHAP
 * about 1.5 times slower (measured). s.inverse[k] = 1/k instead.
 */

/**
 * A node's path: its parent's path (at parentStart) copied just after it, then extended by the
 * node's (feature, zero, one). Returns where it starts; it is parentLength + 1 long.
 */
export function extendCopy(s: ShapScratch, parentStart: number, parentLength: number, zero: number, one: number, feature: number): number {
  const start = parentStart + parentLength;
  // A plain loop: four copyWithin calls per node made TreeSHAP twice as slow (measured); paths are short.
  for (let i = 0; i < parentLength; i++) {
    s.feature[start + i] = s.feature[parentStart + i];
    s.zero[start + i] = s.zero[parentStart + i];
    s.one[start + i] = s.one[parentStart + i];
    s.weight[start + i] = s.weight[parentStart + i];
  }
  extend(s, start, parentLength, zero, one, feature);
  return start;
}

/** EXTEND: appends (feature, zero, one) to a path of `length` elements and updates the weights. */
export function extend(s: ShapScratch, start: number, length: number, zero: number, one: number, feature: number): void {
  const l = length;
  const w = s.weight;
  s.feature[start + l] = feature;
  s.zero[start + l] = zero;
  s.one[start + l] = one;
  w[start + l] = l === 0 ? 1 : 0;
  const oneScale = one * s.inverse[l + 1];
  const zeroScale = zero * s.inverse[l + 1];
  for (let i = l - 1; i >= 0; i--) {
    w[start + i + 1] += oneScale * w[start + i] * (i + 1);
    w[start + i] = zeroScale * w[start + i] * (l - i);
  }
}

/** UNWIND: removes element `at` from a path of `length` elements, inverting its EXTEND. */
export function unwind(s: ShapScratch, start: number, length: number, at: number): void {
  const l = length - 1;
  const w = s.weight;
  const inverse = s.inverse;
  const one = s.one[start + at];
  const zero = s.zero[start + at];
  let next = w[start + l];
  if (one !== 0) {
    const oneScale = (l + 1) / one;
    const zeroScale = zero / (l + 1);
    for (let i = l - 1; i >= 0; i--) {
      const kept = w[start + i];
      w[start + i] = next * oneScale * inverse[i + 1];
      next = kept - w[start + i] * zeroScale * (l - i);
    }
  } else {
    const zeroScale = (l + 1) / zero;
    for (let i = l - 1; i >= 0; i--) w[start + i] = w[start + i] * zeroScale * inverse[l - i];
  }
  for (let i = at; i < l; i++) {
    s.feature[start + i] = s.feature[start + i + 1];
    s.zero[start + i] = s.zero[start + i + 1];
    s.one[start + i] = s.one[start + i + 1];
  }
}

/** The sum of the weights UNWIND would leave for element `at`, without changing the path. */
export function unwoundSum(s: ShapScratch, start: number, length: number, at: number): number {
  const l = length - 1;
  const w = s.weight;
  const inverse = s.inverse;
  const one = s.one[start + at];
  const zero = s.zero[start + at];
  let total = 0;
  if (one !== 0) {
    const oneScale = (l + 1) / one;
    const zeroScale = zero / (l + 1);
    let next = w[start + l];
    for (let i = l - 1; i >= 0; i--) {
      const unwound = next * oneScale * inverse[i + 1];
      total += unwound;
      next = w[start + i] - unwound * zeroScale * (l - i);
    }
  } else {
    const zeroScale = (l + 1) / zero;
    for (let i = l - 1; i >= 0; i--) total += w[start + i] * zeroScale * inverse[l - i];
  }
  return total;
}
