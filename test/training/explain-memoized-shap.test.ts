import { describe, expect, test } from 'vitest';
import { ensembleShap } from '../../src/training/explain/ensemble-shap.ts';
import { MemoizedTreeShap } from '../../src/training/explain/memoized-tree-shap.ts';
import { addTreeShap, createShapScratch, flattenTree, treeDepth } from '../../src/training/explain/tree-shap.ts';
import type { GbdtModel } from '../../src/training/gbdt/gbdt-model.ts';
import type { Tree, TreeNode } from '../../src/training/gbdt/tree.ts';
import { createRandom, type Random } from '../../src/training/util/random.ts';
import { bruteForceShap } from '../support/shapley-reference.ts';

/**
 * TreeSHAP with remembered leaf shares (memoized-tree-shap.ts) against the Shapley values
 * enumerated subset by subset (the paper's Algorithm 1), and against the plain recursion, on
 * random trees with repeated features, missing values and children without cover; many rows per
 * tree, so that most of them reuse what an earlier row worked out.
 */

const FEATURES = 4;

function randomTree(random: Random, depth: number, zeroCovers: boolean): Tree {
  const nodes: TreeNode[] = [];
  const grow = (d: number): number => {
    const at = nodes.length;
    if (d === 0 || (d < depth && random.next() < 0.2)) {
      const cover = zeroCovers && random.next() < 0.2 ? 0 : 1 + random.int(20);
      nodes.push({ kind: 'leaf', value: Math.round((random.next() * 10 - 5) * 100) / 100, cover });
      return at;
    }
    nodes.push({ kind: 'leaf', value: 0, cover: 0 });
    const left = grow(d - 1);
    const right = grow(d - 1);
    const cover = nodes[left].cover + nodes[right].cover;
    // Thresholds from a few values, so that rows share turns as a trained tree's do.
    nodes[at] = {
      kind: 'split', feature: random.int(FEATURES), threshold: random.int(5) / 5 + 0.1, splitBin: 0, left, right,
      missingLeft: random.next() < 0.5, cover,
    };
    return at;
  };
  grow(depth);
  return { nodes, output: 0 };
}

function randomRows(random: Random, rows: number): Float32Array {
  return Float32Array.from({ length: rows * FEATURES }, () => (random.next() < 0.1 ? NaN : random.next()));
}

describe('memoized TreeSHAP', () => {
  test('equals the brute-force Shapley values and the recursion, row after row', () => {
    const random = createRandom(77);
    let reused = 0;
    for (let t = 0; t < 40; t++) {
      const tree = randomTree(random, 1 + random.int(6), t % 2 === 1);
      const flat = flattenTree(tree);
      const memoized = MemoizedTreeShap.of(flat, 1 << 20)!;
      expect(memoized).not.toBeNull();
      const rows = 60;
      const x = randomRows(random, rows);
      const scratch = createShapScratch(treeDepth(tree));
      for (let r = 0; r < rows; r++) {
        const phi = new Float64Array(FEATURES);
        memoized.add(x, r * FEATURES, phi, 0);
        const recursion = new Float64Array(FEATURES);
        addTreeShap(flat, x, r * FEATURES, recursion, 0, scratch);
        const slow = r % 6 === 0 ? bruteForceShap(tree, x.subarray(r * FEATURES, (r + 1) * FEATURES), FEATURES) : null;
        for (let i = 0; i < FEATURES; i++) {
          expect(Math.abs(phi[i] - recursion[i])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(recursion[i])));
          if (slow) expect(phi[i]).toBeCloseTo(slow[i], 10);
        }
      }
      reused += rows * ((tree.nodes.length + 1) / 2) - memoized.replays;
    }
    // Most (leaf, turns) pairs were worked out once and then reused.
    expect(reused).toBeGreaterThan(0);
  });

  test('a tree whose turn patterns need more memo than allowed is left to the recursion', () => {
    const random = createRandom(5);
    const tree = randomTree(random, 6, false);
    const flat = flattenTree(tree);
    expect(MemoizedTreeShap.of(flat, 4)).toBeNull();
    expect(MemoizedTreeShap.of(flat, 1 << 20)?.slots).toBeGreaterThan(4);
  });

  test('an ensemble: rows() gives each row what row() gives it, for every output', () => {
    const random = createRandom(11);
    const trees = Array.from({ length: 30 }, (_, i) => ({ ...randomTree(random, 2 + random.int(5), i % 3 === 0), output: i % 3 }));
    const model: GbdtModel = { kind: 'gbdt', trees, baseMargin: [0.5, -0.5, 0], outputs: 3, features: FEATURES, transform: 'softmax' };
    const rows = 50;
    const x = randomRows(random, rows);
    const shap = ensembleShap(model);
    const stride = 3 * FEATURES;
    const all = new Float64Array(rows * stride);
    shap.rows(x, Int32Array.from({ length: rows }, (_, r) => r * FEATURES), all);
    const one = new Float64Array(stride);
    for (let r = 0; r < rows; r++) {
      shap.row(x, r * FEATURES, one);
      for (let c = 0; c < stride; c++) expect(all[r * stride + c]).toBe(one[c]);
    }
  });
});
