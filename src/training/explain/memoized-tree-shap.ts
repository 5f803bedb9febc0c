import { createShapScratch, extendCopy, type FlatTree, type ShapScratch, unwind, unwoundSum } from './tree-shap.ts';

/**
 * TreeSHAP (tree-shap.ts) with each leaf's share remembered, for explaining many rows of one tree.
 *
 * What a leaf adds to the SHAP values of a row depends on the row only through the turns the
 * row takes on the leaf's path: at each split on it, whether the path goes the row's way (hot)
 * or not (cold). A leaf at depth d has at most 2^d such turn patterns, and the rows explained
 * share most of them, so each (leaf, pattern) is worked out once, by replaying Algorithm 2 down
 * that one path (from the last replay's state at the splits the two paths share), and the next
 * row with the same pattern only adds the remembered values. A row then costs a comparison per
 * split and an addition per leaf and path feature, instead of EXTEND at every node and d
 * UNWINDs at every leaf: about a third of the recursion's CPU time on bench:training's sets.
 *
 * The replay does the recursion's arithmetic in its order, so each leaf's values are the same to
 * the bit; only the order in which the leaves are added into a row's values differs (here the
 * tree's, there the row's own branch first), which moves a sum by a rounding at most.
 */
export class MemoizedTreeShap {
  /** Per node: its parent (-1 for the root) and depth. */
  private readonly parent: Int32Array;
  private readonly depth: Int32Array;
  /** Per leaf: where its 2^depth patterns start in `memo`. */
  private readonly memoStart: Int32Array;
  /** Per (leaf, pattern): UNKNOWN, NOTHING (the path is cut off: the row adds nothing), or the offset of its values in `values`. */
  private readonly memo: Int32Array;
  /** Per leaf: where its path features start in `features` (-1 until its first replay), and how many. */
  private readonly featureStart: Int32Array;
  private readonly featureCount: Int32Array;
  private features: Int32Array;
  private featuresUsed = 0;
  private values: Float64Array;
  private valuesUsed = 0;
  /** (leaf, pattern) pairs worked out so far. */
  replays = 0;
  /** Node ids of one root-to-leaf path, for the replay. */
  private readonly path: Int32Array;
  /**
   * The last replay's state after each split of its path, depths 0..kept, its turns in
   * keptPattern: the node, its path segment in `scratch`, and the fractions its children get.
   */
  private kept = -1;
  private keptPattern = 0;
  private readonly keptNode: Int32Array;
  private readonly keptStart: Int32Array;
  private readonly keptLength: Int32Array;
  private readonly keptZero: Float64Array;
  private readonly keptOne: Float64Array;
  /** The tree's own path buffers: kept between replays, so not shared with other trees. */
  private readonly scratch: ShapScratch;
  /** Nodes parents first; the splits and the leaves among them. */
  private readonly order: Int32Array;
  private readonly splits: Int32Array;
  private readonly leaves: Int32Array;
  /** Per node: 1 if it is its parent's left child; per split: 1 << its depth. */
  private readonly isLeft: Uint8Array;
  private readonly bit: Int32Array;
  /** Per row being explained: the row's turn at each split, and each node's pattern. */
  private readonly turnsLeft: Uint8Array;
  private readonly patterns: Int32Array;

  private constructor(private readonly tree: FlatTree, readonly slots: number) {
    const n = tree.feature.length;
    this.parent = new Int32Array(n).fill(-1);
    this.depth = new Int32Array(n);
    this.memoStart = new Int32Array(n).fill(-1);
    this.featureStart = new Int32Array(n).fill(-1);
    this.featureCount = new Int32Array(n);
    for (let id = 0; id < n; id++) {
      if (tree.feature[id] < 0) continue;
      this.parent[tree.left[id]] = id;
      this.parent[tree.right[id]] = id;
    }
    // Parents first, from the root: the trainer numbers children after their parents, but nothing relies on it.
    const order = [0];
    let maxDepth = 0;
    for (let next = 0; next < order.length; next++) {
      const id = order[next];
      if (tree.feature[id] < 0) continue;
      for (const child of [tree.left[id], tree.right[id]]) {
        this.depth[child] = this.depth[id] + 1;
        maxDepth = Math.max(maxDepth, this.depth[child]);
        order.push(child);
      }
    }
    this.order = Int32Array.from(order);
    this.splits = this.order.filter((id) => tree.feature[id] >= 0);
    this.leaves = this.order.filter((id) => tree.feature[id] < 0);
    this.memo = new Int32Array(slots).fill(UNKNOWN);
    let at = 0;
    for (const id of this.leaves) {
      this.memoStart[id] = at;
      at += 2 ** this.depth[id];
    }
    this.features = new Int32Array(64);
    this.values = new Float64Array(256);
    this.path = new Int32Array(maxDepth + 1);
    this.keptNode = new Int32Array(maxDepth + 1);
    this.keptStart = new Int32Array(maxDepth + 1);
    this.keptLength = new Int32Array(maxDepth + 1);
    this.keptZero = new Float64Array(maxDepth + 1);
    this.keptOne = new Float64Array(maxDepth + 1);
    this.scratch = createShapScratch(maxDepth);
    this.isLeft = new Uint8Array(n);
    this.bit = new Int32Array(n);
    for (const id of this.splits) {
      this.isLeft[tree.left[id]] = 1;
      this.bit[id] = 1 << this.depth[id];
    }
    this.turnsLeft = new Uint8Array(n);
    this.patterns = new Int32Array(n);
  }

  /**
   * The memoized form of a tree, or null when its patterns would take more than `maxSlots`
   * memo entries (deep trees: 2^depth per leaf); such a tree is explained by the recursion.
   */
  static of(tree: FlatTree, maxSlots: number): MemoizedTreeShap | null {
    const slots = patternSlots(tree, maxSlots);
    return slots === null ? null : new MemoizedTreeShap(tree, slots);
  }

  /** As addTreeShap: adds the tree's SHAP values of the row at x[offset..] into phi[phiOffset + column]. */
  add(x: Float32Array, offset: number, phi: Float64Array, phiOffset: number): void {
    const t = this.tree;
    const { feature, threshold, missingLeft } = t;
    const order = this.order;
    const parentOf = this.parent;
    const leftChild = this.isLeft;
    const bitOf = this.bit;
    const patterns = this.patterns;
    const turnsLeft = this.turnsLeft;
    // The row's turn at every split, then each node's pattern from its parent's (parents first).
    const splits = this.splits;
    for (let i = 0; i < splits.length; i++) {
      const id = splits[i];
      const v = x[offset + feature[id]];
      turnsLeft[id] = (v !== v ? missingLeft[id] === 1 : v < threshold[id]) ? 1 : 0;
    }
    patterns[0] = 0;
    for (let i = 1; i < order.length; i++) {
      const id = order[i];
      const p = parentOf[id];
      patterns[id] = turnsLeft[p] === leftChild[id] ? patterns[p] | bitOf[p] : patterns[p];
    }
    const memo = this.memo;
    const memoStart = this.memoStart;
    const leaves = this.leaves;
    for (let l = 0; l < leaves.length; l++) {
      const id = leaves[l];
      const slot = memoStart[id] + patterns[id];
      let at = memo[slot];
      if (at === UNKNOWN) {
        at = this.replay(id, patterns[id]);
        memo[slot] = at;
        this.replays++;
      }
      if (at === NOTHING) continue;
      const features = this.features;
      const values = this.values;
      const end = at + this.featureCount[id];
      for (let i = at, f = this.featureStart[id]; i < end; i++, f++) phi[phiOffset + features[f]] += values[i];
    }
  }

  /**
   * Algorithm 2 (tree-shap.ts: recurse) down the one path to `leaf`, its turns given by
   * `pattern`: the leaf's values, stored, and where they start; NOTHING when the path is cut off.
   * The path state at each split is kept: the next replay starts below the splits it shares
   * with this one (the same nodes and turns leave the same state, as in the recursion).
   */
  private replay(leaf: number, pattern: number): number {
    const t = this.tree;
    const s = this.scratch;
    const path = this.path;
    const depth = this.depth[leaf];
    for (let id = leaf; id >= 0; id = this.parent[id]) path[this.depth[id]] = id;
    const changed = pattern ^ this.keptPattern;
    let from = 0;
    while (from <= this.kept && from < depth && path[from] === this.keptNode[from] && (from === 0 || (changed & (1 << (from - 1))) === 0)) from++;
    this.kept = from - 1;
    this.keptPattern = pattern;
    let parentStart = 0;
    let parentLength = 0;
    let zero = 1;
    let one = 1;
    let feature = -1;
    if (from > 0) {
      const above = from - 1;
      parentStart = this.keptStart[above];
      parentLength = this.keptLength[above];
      zero = this.keptZero[above] * t.share[path[from]];
      one = (pattern & (1 << above)) !== 0 ? this.keptOne[above] : 0;
      feature = t.feature[path[above]];
    }
    for (let d = from; ; d++) {
      const id = path[d];
      if (zero === 0 && one === 0) return NOTHING;
      const start = extendCopy(s, parentStart, parentLength, zero, one, feature);
      let length = parentLength + 1;
      if (d === depth) return this.store(leaf, start, length, t.value[id]);
      const split = t.feature[id];
      let incomingZero = 1;
      let incomingOne = 1;
      for (let i = 1; i < length; i++) {
        if (s.feature[start + i] !== split) continue;
        incomingZero = s.zero[start + i];
        incomingOne = s.one[start + i];
        unwind(s, start, length, i);
        length--;
        break;
      }
      this.keptNode[d] = id;
      this.keptStart[d] = start;
      this.keptLength[d] = length;
      this.keptZero[d] = incomingZero;
      this.keptOne[d] = incomingOne;
      this.kept = d;
      const child = path[d + 1];
      zero = incomingZero * t.share[child];
      one = (pattern & (1 << d)) !== 0 ? incomingOne : 0;
      feature = split;
      parentStart = start;
      parentLength = length;
    }
  }

  /** The leaf's values as the recursion computes them: element i of the path (1..length-1) in order. */
  private store(leaf: number, start: number, length: number, value: number): number {
    const s = this.scratch;
    const count = length - 1;
    if (this.featureStart[leaf] < 0) {
      this.features = ensure(this.features, this.featuresUsed + count);
      for (let i = 1; i < length; i++) this.features[this.featuresUsed + i - 1] = s.feature[start + i];
      this.featureStart[leaf] = this.featuresUsed;
      this.featureCount[leaf] = count;
      this.featuresUsed += count;
    }
    this.values = ensure(this.values, this.valuesUsed + count);
    const at = this.valuesUsed;
    for (let i = 1; i < length; i++) {
      const total = unwoundSum(s, start, length, i);
      this.values[at + i - 1] = total * (s.one[start + i] - s.zero[start + i]) * value;
    }
    this.valuesUsed += count;
    return at;
  }
}

const UNKNOWN = -1;
const NOTHING = -2;

/** Memo entries a tree needs (2^depth per leaf), or null above maxSlots or beyond 30 levels. */
function patternSlots(tree: FlatTree, maxSlots: number): number | null {
  let slots = 0;
  const walk = (id: number, depth: number): boolean => {
    if (depth > 30) return false;
    if (tree.feature[id] < 0) {
      slots += 2 ** depth;
      return slots <= maxSlots;
    }
    return walk(tree.left[id], depth + 1) && walk(tree.right[id], depth + 1);
  };
  return walk(0, 0) ? slots : null;
}

function ensure<T extends Int32Array | Float64Array>(a: T, size: number): T {
  if (size <= a.length) return a;
  const grown = new (a.constructor as new (n: number) => T)(Math.max(size, a.length * 2));
  grown.set(a);
  return grown;
}
