import type { Random } from '../util/random.ts';
import { binOfPadded, cutSampleRows, padCuts, quantileCuts } from './quantile-cuts.ts';

export type BinArray = Uint16Array | Uint32Array;

/**
 * The quantised training matrix, row-major. Each cell holds a global bin number
 * (offsets[feature] + local bin), so building a histogram is one add per cell with no per-feature
 * offset arithmetic; row-major keeps one row's cells in one cache line while rows are visited
 * through a node's index list.
 */
export interface BinMatrix {
  rows: number;
  features: number;
  bins: BinArray;
  offsets: Int32Array;
  cuts: Float32Array[];
  totalBins: number;
}

export function buildBinMatrix(x: Float32Array, rows: number, features: number, random: Random): BinMatrix {
  const sample = cutSampleRows(rows, random);
  const cuts: Float32Array[] = [];
  const offsets = new Int32Array(features);
  let totalBins = 0;
  for (let f = 0; f < features; f++) {
    cuts.push(quantileCuts(x, features, f, sample));
    offsets[f] = totalBins;
    totalBins += cuts[f].length + 2;
  }
  const bins: BinArray = totalBins < 65536 ? new Uint16Array(rows * features) : new Uint32Array(rows * features);
  for (let f = 0; f < features; f++) {
    const padded = padCuts(cuts[f]);
    const count = cuts[f].length;
    const off = offsets[f];
    for (let r = 0; r < rows; r++) bins[r * features + f] = off + binOfPadded(padded, count, x[r * features + f]);
  }
  return { rows, features, bins, offsets, cuts, totalBins };
}
