/** The root's histogram: every sampled row, every feature. */
export function rootHistogram(hist: Float64Array, bins: Uint8Array, slot: Int32Array, gh: Float64Array, inSample: Uint8Array, n: number): void {
  const F = slot.length;
  for (let r = 0; r < n; r++) {
    if (inSample[r] === 0) continue;
    const g = gh[2 * r];
    const h = gh[2 * r + 1];
    const base = r * F;
    for (let f = 0; f < F; f++) {
      const b = slot[f] + (bins[base + f] << 1);
      hist[b] += g;
      hist[b + 1] += h;
    }
  }
}

/** What one level pass needs, indexed by node id where per node. */
export interface LevelTables {
  bins: Uint8Array;
  /** Per feature: 2 × its first global bin, the start of its (g, h) pairs in a histogram. */
  slot: Int32Array;
  gh: Float64Array;
  inSample: Uint8Array;
  position: Uint16Array;
  /** Per node id: split feature or -1, and where its feature's part of goesRight starts. */
  feature: Int32Array;
  tableOffset: Int32Array;
  goesRight: Uint8Array;
  /** Left child id (right = left + 1). */
  leftId: Int32Array;
  /** Per child id: where its histogram starts in `hist`, or -1 if it is derived by subtraction. */
  smallOffset: Int32Array;
  hist: Float64Array;
  /** Scratch for the rows that feed a histogram this level. */
  smallRows: Int32Array;
}

/**
 * The hot loop of training: moves rows to their children and fills the smaller children's
 * histograms, in two passes over rows in order. Kept apart so V8 optimises it on its own, with
 * monomorphic typed arrays. Measured alternatives that were slower: per-child row lists filled in
 * pass 1 (a store-to-load chain through the list cursors) and grouping the listed rows by child
 * before pass 2 (one more pass than it saves in cache misses).
 * Where worker threads would go: slices of rows, one partial histogram per thread over
 * SharedArrayBuffer copies of bins/gh/position, summed afterwards, as XGBoost does per thread.
 */
export function levelPass(t: LevelTables): void {
  const { bins, slot, gh, inSample, position, feature, tableOffset, goesRight, leftId, smallOffset, hist, smallRows } = t;
  const n = position.length;
  const F = slot.length;
  // Pass 1, branch-free (a row's direction is a table load, the list append is unconditional and
  // only the count depends on the row): move rows, list the sampled rows of smaller children.
  let count = 0;
  for (let r = 0; r < n; r++) {
    const p = position[r];
    const f = feature[p];
    if (f < 0) continue;
    const child = leftId[p] + goesRight[tableOffset[p] + bins[r * F + f]];
    position[r] = child;
    smallRows[count] = r;
    count += ((smallOffset[child] >>> 31) ^ 1) & inSample[r];
  }
  // Pass 2: histograms of the listed rows, ascending, so memory is still read forwards.
  for (let i = 0; i < count; i++) {
    const r = smallRows[i];
    const o = smallOffset[position[r]];
    const g = gh[2 * r];
    const h = gh[2 * r + 1];
    const base = r * F;
    for (let k = 0; k < F; k++) {
      const idx = o + slot[k] + (bins[base + k] << 1);
      hist[idx] += g;
      hist[idx + 1] += h;
    }
  }
}
