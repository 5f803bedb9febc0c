import type { GbdtModel } from './gbdt-model.ts';

/**
 * A GBDT model's trees as parallel typed arrays, every node of every tree in one numbering: the
 * walk reads numbers from a few arrays instead of following objects of two shapes (split, leaf),
 * which V8 cannot keep monomorphic. Built once per model and kept while the model lives.
 */
interface FlatEnsemble {
  /** Split feature, or -1 at a leaf. */
  feature: Int32Array;
  /** float32 thresholds, exact in float64. */
  threshold: Float64Array;
  /** child[2n] is node n's left child, child[2n + 1] its right one. */
  child: Int32Array;
  /** 1 where missing values go right. */
  missingRight: Uint8Array;
  /** Leaf values (float32, eta applied); 0 at splits. */
  value: Float64Array;
  /** Each tree's root node and the output it adds to. */
  roots: Int32Array;
  outputOf: Int32Array;
}

const flattened = new WeakMap<GbdtModel, FlatEnsemble>();

function flatten(model: GbdtModel): FlatEnsemble {
  const size = model.trees.reduce((n, t) => n + t.nodes.length, 0);
  const f: FlatEnsemble = {
    feature: new Int32Array(size).fill(-1),
    threshold: new Float64Array(size),
    child: new Int32Array(2 * size),
    missingRight: new Uint8Array(size),
    value: new Float64Array(size),
    roots: new Int32Array(model.trees.length),
    outputOf: new Int32Array(model.trees.length),
  };
  let base = 0;
  model.trees.forEach((tree, t) => {
    f.roots[t] = base;
    f.outputOf[t] = tree.output;
    tree.nodes.forEach((node, i) => {
      const at = base + i;
      if (node.kind === 'leaf') {
        f.value[at] = node.value;
        return;
      }
      f.feature[at] = node.feature;
      f.threshold[at] = node.threshold;
      f.child[2 * at] = base + node.left;
      f.child[2 * at + 1] = base + node.right;
      f.missingRight[at] = node.missingLeft ? 0 : 1;
    });
    base += tree.nodes.length;
  });
  return f;
}

/**
 * Adds every tree's leaf value to out[row × outputs + output], tree by tree (each row still sums
 * its trees in tree order, rounding to float32 at each step as onnxruntime does), taking the
 * branch onnxruntime takes: left when x < threshold, NaN by missingLeft.
 */
export function addTreeOutputs(model: GbdtModel, x: Float32Array, rows: number, out: Float64Array): void {
  let f = flattened.get(model);
  // A model still growing (none is scored while it trains) would have more trees than its copy.
  if (f === undefined || f.roots.length !== model.trees.length) {
    f = flatten(model);
    flattened.set(model, f);
  }
  const { feature, threshold, child, missingRight, value, roots, outputOf } = f;
  const width = model.features;
  const c = model.outputs;
  // A step down from node n: right when not v < threshold; a NaN (v !== v) fails both tests and
  // goes by missingRight. Arithmetic, not a branch: the direction depends on the data.
  for (let t = 0; t < roots.length; t++) {
    const root = roots[t];
    const k = outputOf[t];
    let r = 0;
    // Four rows walk the tree in lockstep: four independent chains of loads that the CPU
    // overlaps, where one row's walk waits on each load in turn (measured 1.6x one at a time).
    for (; r + 4 <= rows; r += 4) {
      const o = r * width;
      let a = root;
      let b = root;
      let d = root;
      let e = root;
      for (;;) {
        const fa = feature[a];
        const fb = feature[b];
        const fd = feature[d];
        const fe = feature[e];
        // Every sign bit set: all four at a leaf.
        if ((fa & fb & fd & fe) < 0 && fa < 0 && fb < 0 && fd < 0 && fe < 0) break;
        if (fa >= 0) {
          const v = x[o + fa];
          a = child[2 * a + (+(v >= threshold[a]) | (+(v !== v) & missingRight[a]))];
        }
        if (fb >= 0) {
          const v = x[o + width + fb];
          b = child[2 * b + (+(v >= threshold[b]) | (+(v !== v) & missingRight[b]))];
        }
        if (fd >= 0) {
          const v = x[o + 2 * width + fd];
          d = child[2 * d + (+(v >= threshold[d]) | (+(v !== v) & missingRight[d]))];
        }
        if (fe >= 0) {
          const v = x[o + 3 * width + fe];
          e = child[2 * e + (+(v >= threshold[e]) | (+(v !== v) & missingRight[e]))];
        }
      }
      out[r * c + k] = Math.fround(out[r * c + k] + value[a]);
      out[(r + 1) * c + k] = Math.fround(out[(r + 1) * c + k] + value[b]);
      out[(r + 2) * c + k] = Math.fround(out[(r + 2) * c + k] + value[d]);
      out[(r + 3) * c + k] = Math.fround(out[(r + 3) * c + k] + value[e]);
    }
    for (; r < rows; r++) {
      const o = r * width;
      let n = root;
      for (let f = feature[n]; f >= 0; f = feature[n]) {
        const v = x[o + f];
        n = child[2 * n + (+(v >= threshold[n]) | (+(v !== v) & missingRight[n]))];
      }
      out[r * c + k] = Math.fround(out[r * c + k] + value[n]);
    }
  }
}
