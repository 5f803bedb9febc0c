import { describe, expect, test } from 'vitest';
import { ensembleShap } from '../../src/training/explain/ensemble-shap.ts';
import { addTreeShap, createShapScratch, flattenTree, treeDepth, treeExpectedValue } from '../../src/training/explain/tree-shap.ts';
import { trainGbdt } from '../../src/training/gbdt/gbdt-trainer.ts';
import { gbdtMargins, type GbdtModel } from '../../src/training/gbdt/gbdt-model.ts';
import { leafValue, type Tree, type TreeNode } from '../../src/training/gbdt/tree.ts';
import { parseHyperparameters } from '../../src/training/spec/hyperparameters.ts';
import { type XgbObjective } from '../../src/training/spec/objectives.ts';
import { createRandom, type Random } from '../../src/training/util/random.ts';
import { bruteForceShap } from '../support/shapley-reference.ts';

/** TreeSHAP (Algorithm 2) against hand-computed values, brute-force Shapley values and trained ensembles. */

const split = (feature: number, threshold: number, left: number, right: number, cover: number, missingLeft = true): TreeNode =>
  ({ kind: 'split', feature, threshold, splitBin: 0, left, right, missingLeft, cover });
const leaf = (value: number, cover: number): TreeNode => ({ kind: 'leaf', value, cover });

function shapOf(tree: Tree, row: number[], features: number): number[] {
  const phi = new Float64Array(features);
  addTreeShap(flattenTree(tree), Float32Array.from(row), 0, phi, 0, createShapScratch(treeDepth(tree)));
  return [...phi];
}

/** A random tree over `features` features, repeating features on a path, covers that add up. */
function randomTree(random: Random, depth: number, features: number): Tree {
  const nodes: TreeNode[] = [];
  const grow = (d: number): number => {
    const at = nodes.length;
    if (d === 0 || (d < depth && random.next() < 0.25)) {
      nodes.push(leaf(Math.round((random.next() * 10 - 5) * 100) / 100, 1 + random.int(20)));
      return at;
    }
    nodes.push(leaf(0, 0));
    const left = grow(d - 1);
    const right = grow(d - 1);
    nodes[at] = split(random.int(features), random.next(), left, right, nodes[left].cover + nodes[right].cover, random.next() < 0.5);
    return at;
  };
  grow(depth);
  return { nodes, output: 0 };
}

describe('TreeSHAP on hand-checkable trees', () => {
  test('one split: phi = f(x) - E[f]', () => {
    // E[f] = 0.4 × 1 + 0.6 × 3 = 2.2
    const tree: Tree = { nodes: [split(0, 0.5, 1, 2, 10), leaf(1, 4), leaf(3, 6)], output: 0 };
    expect(treeExpectedValue(tree)).toBeCloseTo(2.2, 12);
    expect(shapOf(tree, [0, 7], 2)[0]).toBeCloseTo(-1.2, 12);
    expect(shapOf(tree, [1, 7], 2)[0]).toBeCloseTo(0.8, 12);
    expect(shapOf(tree, [1, 7], 2)[1]).toBe(0);
    // NaN follows the missing branch (left): same as x0 = 0.
    expect(shapOf(tree, [NaN, 7], 2)[0]).toBeCloseTo(-1.2, 12);
  });

  test('depth 2 over two features: the Shapley values worked out by hand', () => {
    // root x0 < 0.5 (cover 10) -> left: x1 < 0.5 (cover 4) -> leaves 1 (cover 1), 2 (cover 3); right: leaf 4 (cover 6).
    const tree: Tree = { nodes: [split(0, 0.5, 1, 4, 10), split(1, 0.5, 2, 3, 4), leaf(1, 1), leaf(2, 3), leaf(4, 6)], output: 0 };
    // x = (0, 0): v({}) = 3.1, v({0}) = 1.75, v({1}) = 2.8, v({0,1}) = 1.
    // phi0 = ((1.75 - 3.1) + (1 - 2.8)) / 2 = -1.575, phi1 = ((2.8 - 3.1) + (1 - 1.75)) / 2 = -0.525.
    expect(treeExpectedValue(tree)).toBeCloseTo(3.1, 12);
    const [p0, p1] = shapOf(tree, [0, 0], 2);
    expect(p0).toBeCloseTo(-1.575, 12);
    expect(p1).toBeCloseTo(-0.525, 12);
    // x = (1, 0): the right leaf, where x1 plays no part: v({}) = 3.1, v({0}) = 4, v({1}) = 2.8, v({0,1}) = 4.
    // phi0 = ((4 - 3.1) + (4 - 2.8)) / 2 = 1.05, phi1 = ((2.8 - 3.1) + (4 - 4)) / 2 = -0.15.
    const [q0, q1] = shapOf(tree, [1, 0], 2);
    expect(q0).toBeCloseTo(1.05, 12);
    expect(q1).toBeCloseTo(-0.15, 12);
  });

  test('a feature split on twice is one player (UNWIND)', () => {
    // root x0 < 0.5 (cover 10) -> left: x0 < 0.25 (cover 4): leaves 1, 2 (cover 2 each); right: leaf 5 (cover 6).
    // Only x0 matters: phi0 = f(x) - E[f] with E[f] = 0.2 + 0.4 + 3 = 3.6.
    const tree: Tree = { nodes: [split(0, 0.5, 1, 4, 10), split(0, 0.25, 2, 3, 4), leaf(1, 2), leaf(2, 2), leaf(5, 6)], output: 0 };
    expect(shapOf(tree, [0.3, 9], 2)).toEqual([expect.closeTo(2 - 3.6, 12), 0]);
    expect(shapOf(tree, [0.1, 9], 2)).toEqual([expect.closeTo(1 - 3.6, 12), 0]);
  });
});

describe('TreeSHAP equals the brute-force Shapley values of Algorithm 1', () => {
  test('random trees up to depth 6 over 4 features, rows with missing values', () => {
    const random = createRandom(2024);
    for (let t = 0; t < 60; t++) {
      const tree = randomTree(random, 1 + random.int(6), 4);
      for (let r = 0; r < 5; r++) {
        const x = Float32Array.from({ length: 4 }, () => (random.next() < 0.15 ? NaN : random.next()));
        const fast = shapOf(tree, [...x], 4);
        const slow = bruteForceShap(tree, x, 4);
        for (let i = 0; i < 4; i++) expect(fast[i]).toBeCloseTo(slow[i], 10);
        const sum = fast.reduce((a, b) => a + b, 0);
        expect(sum + treeExpectedValue(tree)).toBeCloseTo(leafValue(tree, x, 0), 10);
      }
    }
  });
});

function dataset(rows: number, features: number, seed: number): { x: Float32Array; signal: Float64Array } {
  const r = createRandom(seed);
  const x = new Float32Array(rows * features);
  const signal = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let f = 0; f < features; f++) x[i * features + f] = r.next() < 0.05 ? NaN : r.next() * 4 - 2;
    const v = (f: number): number => (Number.isNaN(x[i * features + f]) ? 0 : x[i * features + f]);
    signal[i] = 2 * v(0) + Math.sin(3 * v(1)) + v(2) * v(3) + 0.1 * r.next();
  }
  return { x, signal };
}

async function fit(objective: XgbObjective, y: Float64Array, classCount: number, x: Float32Array, rows: number, features: number,
  hyper: Record<string, string>): Promise<GbdtModel> {
  const params = parseHyperparameters({ num_round: '40', max_depth: '5', ...hyper });
  const budget = { deadline: Infinity, yield: () => Promise.resolve() };
  return (await trainGbdt({ x, rows, features, y, classCount }, objective, params, createRandom(3), budget)).model;
}

/**
 * |a - b| <= 1e-6 × max(|b|, 1). The floor: the predicted margin rounds to float32 after every
 * tree, so near 0 its error is that of the partial sums (order 1), not of the small result.
 */
function expectRelativelyClose(a: number, b: number): void {
  expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-6 * Math.max(Math.abs(b), 1));
}

describe('local accuracy on trained ensembles: sum of SHAP values + expected value = raw margin', () => {
  const rows = 2000;
  const features = 5;
  const { x, signal } = dataset(rows, features, 11);

  const cases: Array<{ name: string; objective: XgbObjective; y: Float64Array; classCount: number; hyper: Record<string, string> }> = [
    { name: 'regression', objective: 'reg:squarederror', y: signal, classCount: 0, hyper: {} },
    { name: 'binary, row and column subsampling', objective: 'binary:logistic', y: signal.map((s) => (s > 0 ? 1 : 0)), classCount: 0,
      hyper: { subsample: '0.7', colsample_bytree: '0.8' } },
    { name: 'multiclass', objective: 'multi:softmax', y: signal.map((s) => (s < -1 ? 0 : s < 1 ? 1 : 2)), classCount: 3,
      hyper: { num_class: '3' } },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const model = await fit(c.objective, c.y, c.classCount, x, rows, features, c.hyper);
      const margins = gbdtMargins(model, x, rows);
      const shap = ensembleShap(model);
      const phi = new Float64Array(model.outputs * features);
      for (let r = 0; r < rows; r += 97) {
        shap.row(x, r * features, phi);
        for (let o = 0; o < model.outputs; o++) {
          let sum = shap.expected[o];
          for (let f = 0; f < features; f++) sum += phi[o * features + f];
          // Float64 reference: base + leaf values, no float32 rounding between trees.
          let exact = model.baseMargin[o];
          for (const tree of model.trees) if (tree.output === o) exact += leafValue(tree, x, r * features);
          expect(Math.abs(sum - exact)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(exact)));
          // The model's margin as predicted (float32 accumulation, as onnxruntime).
          expectRelativelyClose(sum, margins[r * model.outputs + o]);
        }
      }
    });
  }

  test('feature 4 never enters the signal, so its SHAP values are small', async () => {
    const model = await fit('reg:squarederror', signal, 0, x, rows, features, {});
    const shap = ensembleShap(model);
    const phi = new Float64Array(features);
    const mean = new Float64Array(features);
    for (let r = 0; r < rows; r++) {
      shap.row(x, r * features, phi);
      for (let f = 0; f < features; f++) mean[f] += Math.abs(phi[f]) / rows;
    }
    expect(mean[0]).toBeGreaterThan(1);
    expect(mean[4]).toBeLessThan(0.05 * mean[0]);
  });
});
