import type { Random } from '../util/random.ts';
import { uint8s } from './hist-pool.ts';
import { binOfPadded, cutSampleRows, featureCuts, padCuts } from './quantile-cuts.ts';

/**
 * The quantised training matrix, row-major, one byte per cell: the feature's local bin (0 =
 * missing, 1..255 values). A feature's histogram slots start at offsets[feature]. One byte a cell
 * is half the memory of storing global bin numbers in 16 bits, at the same measured speed, and
 * has no width limit on the number of features.
 */
export interface BinMatrix {
  rows: number;
  features: number;
  bins: Uint8Array;
  offsets: Int32Array;
  cuts: Float32Array[];
  /** Per feature: the thresholds of the splits that send only missing values left, and every value left (quantile-cuts.ts). */
  below: Float32Array;
  above: Float32Array;
  totalBins: number;
}

/** shared: the bins live in shared memory, for a histogram pool's second thread. */
export function buildBinMatrix(x: Float32Array, rows: number, features: number, random: Random, shared = false): BinMatrix {
  const sample = cutSampleRows(rows, random);
  const cuts: Float32Array[] = [];
  const below = new Float32Array(features);
  const above = new Float32Array(features);
  const offsets = new Int32Array(features);
  let totalBins = 0;
  for (let f = 0; f < features; f++) {
    const c = featureCuts(x, features, f, sample);
    cuts.push(c.cuts);
    below[f] = c.below;
    above[f] = c.above;
    offsets[f] = totalBins;
    totalBins += cuts[f].length + 2;
  }
  const bins = uint8s(rows * features, shared);
  for (let f = 0; f < features; f++) {
    const padded = padCuts(cuts[f]);
    const count = cuts[f].length;
    for (let r = 0; r < rows; r++) bins[r * features + f] = binOfPadded(padded, count, x[r * features + f]);
  }
  return { rows, features, bins, offsets, cuts, below, above, totalBins };
}
