import type { Tree } from '../../src/training/gbdt/tree.ts';

/**
 * The reference TreeSHAP is tested against: Shapley values by definition (the paper's Algorithm 1),
 * enumerating every subset of features. Exponential, fine for a handful of features.
 */

/** E[f(x) | x_S]: x's branch on features in S, cover shares elsewhere (an even split where a node has none). */
export function expectedValueGiven(tree: Tree, x: Float32Array, inS: (f: number) => boolean, id = 0): number {
  const n = tree.nodes[id];
  if (n.kind === 'leaf') return n.value;
  if (inS(n.feature)) {
    const v = x[n.feature];
    return expectedValueGiven(tree, x, inS, (Number.isNaN(v) ? n.missingLeft : v < n.threshold) ? n.left : n.right);
  }
  const l = tree.nodes[n.left];
  const r = tree.nodes[n.right];
  const leftShare = n.cover > 0 ? l.cover / n.cover : 0.5;
  const rightShare = n.cover > 0 ? r.cover / n.cover : 0.5;
  return leftShare * expectedValueGiven(tree, x, inS, n.left) + rightShare * expectedValueGiven(tree, x, inS, n.right);
}

/** Each of `features` features' Shapley value for row x. */
export function bruteForceShap(tree: Tree, x: Float32Array, features: number): number[] {
  const fact = (k: number): number => (k <= 1 ? 1 : k * fact(k - 1));
  const phi = Array<number>(features).fill(0);
  for (let mask = 0; mask < 1 << features; mask++) {
    let size = 0;
    for (let v = mask; v; v &= v - 1) size++;
    const value = expectedValueGiven(tree, x, (f) => ((mask >> f) & 1) === 1);
    for (let i = 0; i < features; i++) {
      if (!((mask >> i) & 1)) continue;
      const without = mask & ~(1 << i);
      phi[i] += ((fact(size - 1) * fact(features - size)) / fact(features)) * (value - expectedValueGiven(tree, x, (f) => ((without >> f) & 1) === 1));
    }
  }
  return phi;
}
