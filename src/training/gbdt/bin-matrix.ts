import type { Random } from '../util/random.ts';
import type { HistPool } from './hist-pool.ts';
import { CTRL_BIN_CUT_DONE, CTRL_BIN_CUT_NEXT, CTRL_BIN_ROW_DONE, CTRL_BIN_ROW_NEXT, CTRL_WORDS } from './hist-protocol.ts';
import { binOfPadded, cutSampleRows, featureCuts, MAX_VALUE_BINS, padCuts } from './quantile-cuts.ts';
import { type ArrayStore, typedArrayStore } from './array-store.ts';

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

/**
 * Binning in two steps that either thread may share: cut points feature by feature (each sorts
 * its sample of one column), then bins in chunks of rows (disjoint cache lines, as each chunk
 * starts at a multiple of BIN_CHUNK_ROWS rows). Work is claimed through counters in shared memory,
 * so a histogram helper that starts late takes what is left and one that never starts takes
 * nothing; every feature's cuts and every cell's bin are the same whoever computes them.
 */
export interface BinWork {
  /** Base matrix, row-major, float32 (shared memory when a helper may take part). */
  x: Float32Array;
  rows: number;
  features: number;
  sample: Int32Array;
  bins: Uint8Array;
  /** Per feature: up to MAX_VALUE_BINS cuts from feature × MAX_VALUE_BINS, how many, and below, above. */
  cuts: Float32Array;
  cutCounts: Int32Array;
  ends: Float32Array;
}

const BIN_CHUNK_ROWS = 1 << 16;

/**
 * Does binning work until none is left to claim; returns once this thread's claims are done.
 * claimsWord: where to count this thread's claims (the helper's, for tests), if anywhere.
 */
export function binClaimed(w: BinWork, ctrl: Int32Array, claimsWord = -1): void {
  const F = w.features;
  for (let f = Atomics.add(ctrl, CTRL_BIN_CUT_NEXT, 1); f < F; f = Atomics.add(ctrl, CTRL_BIN_CUT_NEXT, 1)) {
    const c = featureCuts(w.x, F, f, w.sample);
    w.cuts.set(c.cuts, f * MAX_VALUE_BINS);
    w.cutCounts[f] = c.cuts.length;
    w.ends[2 * f] = c.below;
    w.ends[2 * f + 1] = c.above;
    if (claimsWord >= 0) Atomics.add(ctrl, claimsWord, 1);
    Atomics.add(ctrl, CTRL_BIN_CUT_DONE, 1);
    Atomics.notify(ctrl, CTRL_BIN_CUT_DONE);
  }
  // Bins need every feature's cuts: wait for the other thread's last ones.
  waitUntil(ctrl, CTRL_BIN_CUT_DONE, F);
  const padded = Array.from({ length: F }, (_, f) => padCuts(w.cuts.subarray(f * MAX_VALUE_BINS, f * MAX_VALUE_BINS + w.cutCounts[f])));
  const chunks = binChunks(w);
  for (let c = Atomics.add(ctrl, CTRL_BIN_ROW_NEXT, 1); c < chunks; c = Atomics.add(ctrl, CTRL_BIN_ROW_NEXT, 1)) {
    const r1 = Math.min(w.rows, (c + 1) * BIN_CHUNK_ROWS);
    for (let f = 0; f < F; f++) {
      const p = padded[f];
      const count = w.cutCounts[f];
      for (let r = c * BIN_CHUNK_ROWS; r < r1; r++) w.bins[r * F + f] = binOfPadded(p, count, w.x[r * F + f]);
    }
    if (claimsWord >= 0) Atomics.add(ctrl, claimsWord, 1);
    Atomics.add(ctrl, CTRL_BIN_ROW_DONE, 1);
    Atomics.notify(ctrl, CTRL_BIN_ROW_DONE);
  }
}

export function binChunks(w: BinWork): number {
  return Math.ceil(w.rows / BIN_CHUNK_ROWS);
}

/** Waits until ctrl[index] reaches value; a negative value means the other thread failed. */
export function waitUntil(ctrl: Int32Array, index: number, value: number): void {
  for (;;) {
    const v = Atomics.load(ctrl, index);
    if (v === value) return;
    if (v < 0) throw new Error('GBDT histogram thread failed while binning');
    Atomics.wait(ctrl, index, v);
  }
}

/**
 * A pool's helper may take part (hist-pool.ts shareBinning): the matrices then live in shared
 * memory, the store's (by default, ordinary typed arrays over SharedArrayBuffers with a pool).
 */
export function buildBinMatrix(
  x: Float32Array, rows: number, features: number, random: Random, pool?: HistPool, store: ArrayStore = typedArrayStore(pool !== undefined),
): BinMatrix {
  const shared = pool !== undefined;
  const work: BinWork = {
    x: shared ? sharedCopy(x) : x,
    rows,
    features,
    sample: cutSampleRows(rows, random),
    bins: store.uint8s(rows * features),
    cuts: store.float32s(features * MAX_VALUE_BINS),
    cutCounts: store.int32s(features),
    ends: store.float32s(2 * features),
  };
  if (pool !== undefined) pool.shareBinning(work);
  else binClaimed(work, new Int32Array(CTRL_WORDS));
  const cuts: Float32Array[] = [];
  const offsets = new Int32Array(features);
  let totalBins = 0;
  for (let f = 0; f < features; f++) {
    cuts.push(work.cuts.slice(f * MAX_VALUE_BINS, f * MAX_VALUE_BINS + work.cutCounts[f]));
    offsets[f] = totalBins;
    totalBins += cuts[f].length + 2;
  }
  const below = Float32Array.from({ length: features }, (_, f) => work.ends[2 * f]);
  const above = Float32Array.from({ length: features }, (_, f) => work.ends[2 * f + 1]);
  return { rows, features, bins: work.bins, offsets, cuts, below, above, totalBins };
}

function sharedCopy(x: Float32Array): Float32Array {
  const copy = typedArrayStore(true).float32s(x.length);
  copy.set(x);
  return copy;
}
