/**
 * Histogram kernels over a range of features [f0, f1). Each (g, h) slot belongs to one feature,
 * and within a slot rows are added in ascending row order whatever the feature range, so
 * splitting the features between threads gives bit-for-bit the sums of one thread doing them all.
 * Shared by the training thread and its histogram helper (hist-worker.ts).
 * Feature loops are unrolled by two (V8 does not unroll; the two slots' loads and stores then
 * overlap): 1.3-1.6x less CPU per cell in a micro-benchmark of these kernels, same sums.
 */

/** The root's histogram: every sampled row. */
export function rootHistogramRange(
  hist: Float64Array, bins: Uint8Array, slot: Int32Array, gh: Float64Array, inSample: Uint8Array, n: number, f0: number, f1: number,
): void {
  const F = slot.length;
  const pairsEnd = f0 + ((f1 - f0) & ~1);
  for (let r = 0; r < n; r++) {
    if (inSample[r] === 0) continue;
    const g = gh[2 * r];
    const h = gh[2 * r + 1];
    const base = r * F;
    for (let f = f0; f < pairsEnd; f += 2) {
      const a = slot[f] + (bins[base + f] << 1);
      const b = slot[f + 1] + (bins[base + f + 1] << 1);
      hist[a] += g;
      hist[a + 1] += h;
      hist[b] += g;
      hist[b + 1] += h;
    }
    if (pairsEnd < f1) {
      const a = slot[pairsEnd] + (bins[base + pairsEnd] << 1);
      hist[a] += g;
      hist[a + 1] += h;
    }
  }
}

/** Histograms of the rows listed in smallRows[i0, i1) (ascending), each into its node's histogram at smallOffset[node]. */
export function listedHistogramRange(
  hist: Float64Array, bins: Uint8Array, slot: Int32Array, gh: Float64Array, position: Uint16Array, smallOffset: Int32Array,
  smallRows: Int32Array, i0: number, i1: number, f0: number, f1: number,
): void {
  const F = slot.length;
  const pairsEnd = f0 + ((f1 - f0) & ~1);
  for (let i = i0; i < i1; i++) {
    const r = smallRows[i];
    const o = smallOffset[position[r]];
    const g = gh[2 * r];
    const h = gh[2 * r + 1];
    const base = r * F;
    for (let f = f0; f < pairsEnd; f += 2) {
      const a = o + slot[f] + (bins[base + f] << 1);
      const b = o + slot[f + 1] + (bins[base + f + 1] << 1);
      hist[a] += g;
      hist[a + 1] += h;
      hist[b] += g;
      hist[b + 1] += h;
    }
    if (pairsEnd < f1) {
      const a = o + slot[pairsEnd] + (bins[base + pairsEnd] << 1);
      hist[a] += g;
      hist[a + 1] += h;
    }
  }
}

/**
 * Pass 1 of a level over rows [r0, r1), branch-free (a row's direction is a table load, the list
 * append is unconditional and only the count depends on the row): moves rows to their children
 * and lists, from smallRows[listStart], the sampled rows of smaller children. Returns how many.
 * Rows are independent here, so threads may take row ranges without changing any result.
 */
export function moveRowsRange(
  bins: Uint8Array, F: number, inSample: Uint8Array, position: Uint16Array, feature: Int32Array, tableOffset: Int32Array,
  goesRight: Uint8Array, leftId: Int32Array, smallOffset: Int32Array, smallRows: Int32Array, r0: number, r1: number, listStart: number,
): number {
  let count = listStart;
  for (let r = r0; r < r1; r++) {
    const p = position[r];
    const f = feature[p];
    if (f < 0) continue;
    const child = leftId[p] + goesRight[tableOffset[p] + bins[r * F + f]];
    position[r] = child;
    smallRows[count] = r;
    count += ((smallOffset[child] >>> 31) ^ 1) & inSample[r];
  }
  return count - listStart;
}

/**
 * The margin update after a tree, rows [r0, r1), with the last level's moves folded in: a row's
 * leaf is its node, or the child its bin picks where that node split at the last level
 * (feature >= 0; the tables as moveRowsRange's). Adds the leaf's value in float32, as XGBoost's
 * prediction cache (and onnxruntime) keeps margins. Rows are independent.
 */
export function addLeafValuesRange(
  margin: Float64Array, outputs: number, output: number, value: Float64Array, bins: Uint8Array, F: number, position: Uint16Array,
  feature: Int32Array, tableOffset: Int32Array, goesRight: Uint8Array, leftId: Int32Array, r0: number, r1: number,
): void {
  for (let r = r0; r < r1; r++) {
    let p = position[r];
    const f = feature[p];
    if (f >= 0) p = leftId[p] + goesRight[tableOffset[p] + bins[r * F + f]];
    const at = r * outputs + output;
    margin[at] = Math.fround(margin[at] + value[p]);
  }
}

/** The kernels above, as JavaScript or as WebAssembly (wasm/wasm-kernels.ts); same arguments, same results. */
export interface HistogramKernels {
  root: typeof rootHistogramRange;
  listed: typeof listedHistogramRange;
  move: typeof moveRowsRange;
  leaves: typeof addLeafValuesRange;
}

export const JS_KERNELS: HistogramKernels = { root: rootHistogramRange, listed: listedHistogramRange, move: moveRowsRange, leaves: addLeafValuesRange };
