import type { BinArray } from './bin-matrix.ts';

/**
 * Gradient/hessian histograms: hist[2*globalBin] = sum of gradients, hist[2*globalBin+1] = sum
 * of hessians, over the rows of one node. This loop is where training spends its time.
 * Where worker threads would go: split [begin, end) into slices, one partial histogram per
 * thread over a SharedArrayBuffer copy of bins/gh, then add the partials (XGBoost does the same).
 */
export function buildHistogram(
  hist: Float64Array,
  bins: BinArray,
  features: number,
  gh: Float64Array,
  rows: Int32Array,
  begin: number,
  end: number,
): void {
  hist.fill(0);
  for (let i = begin; i < end; i++) {
    const r = rows[i];
    const g = gh[2 * r];
    const h = gh[2 * r + 1];
    const base = r * features;
    for (let f = 0; f < features; f++) {
      const b = bins[base + f] << 1;
      hist[b] += g;
      hist[b + 1] += h;
    }
  }
}

/** The subtraction trick: sibling = parent - built child, written over the parent's buffer. */
export function subtractInto(parent: Float64Array, child: Float64Array): void {
  for (let i = 0; i < parent.length; i++) parent[i] -= child[i];
}
