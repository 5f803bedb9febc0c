import type { Random } from '../util/random.ts';

/** At most 256 bins per feature as XGBoost's hist default: bin 0 missing, 1..255 values. */
export const MAX_VALUE_BINS = 255;
/** Above this many rows, cut points come from a seeded sample: sorting 1M values per feature is slow. */
const SAMPLE_ROWS = 1 << 18;

/**
 * Cut points of one base column: ascending float32 values that occur in the data. A value's bin is
 * 1 + (number of cuts <= value); "value < cut" is then exactly "bin <= index of cut + 1", so
 * the bin-level split the trainer picks and the float32 test onnxruntime makes agree.
 * With few distinct values (ints, bools, category codes) every value gets its own bin.
 */
export function quantileCuts(x: Float32Array, stride: number, column: number, sampleRows: Int32Array): Float32Array {
  const m = sampleRows.length;
  const values = new Float32Array(m);
  let count = 0;
  for (let i = 0; i < m; i++) {
    const v = x[sampleRows[i] * stride + column];
    if (!Number.isNaN(v)) values[count++] = v;
  }
  const sorted = values.subarray(0, count).sort();
  const distinct: number[] = [];
  for (let i = 0; i < count; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]);
  if (distinct.length <= MAX_VALUE_BINS) return Float32Array.from(distinct.slice(1));
  const cuts: number[] = [];
  for (let q = 1; q < MAX_VALUE_BINS; q++) {
    const v = sorted[Math.floor((q * count) / MAX_VALUE_BINS)];
    if (v > sorted[0] && (cuts.length === 0 || v > cuts[cuts.length - 1])) cuts.push(v);
  }
  return Float32Array.from(cuts);
}

/** Rows to compute cuts from: all of them, or a seeded sample of SAMPLE_ROWS. */
export function cutSampleRows(n: number, random: Random): Int32Array {
  if (n <= SAMPLE_ROWS) {
    const all = new Int32Array(n);
    for (let i = 0; i < n; i++) all[i] = i;
    return all;
  }
  const out = new Int32Array(SAMPLE_ROWS);
  // Stratified: one random row from each of SAMPLE_ROWS equal slices.
  for (let i = 0; i < SAMPLE_ROWS; i++) {
    const lo = Math.floor((i * n) / SAMPLE_ROWS);
    const hi = Math.floor(((i + 1) * n) / SAMPLE_ROWS);
    out[i] = lo + random.int(hi - lo);
  }
  return out;
}

/** 1 + number of cuts <= v (binary search); 0 for NaN. */
export function binOf(cuts: Float32Array, v: number): number {
  if (Number.isNaN(v)) return 0;
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cuts[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo + 1;
}

/** Cuts padded to 256 entries with +Infinity, for binOfPadded. */
export function padCuts(cuts: Float32Array): Float32Array {
  const padded = new Float32Array(256).fill(Infinity);
  padded.set(cuts);
  return padded;
}

/**
 * binOf with a fixed eight-step search over padded cuts (at most 254 real ones): no loop and no
 * data-dependent exit, about twice as fast when binning a million rows per feature.
 */
export function binOfPadded(p: Float32Array, count: number, v: number): number {
  let i = 0;
  i += p[i + 127] <= v ? 128 : 0;
  i += p[i + 63] <= v ? 64 : 0;
  i += p[i + 31] <= v ? 32 : 0;
  i += p[i + 15] <= v ? 16 : 0;
  i += p[i + 7] <= v ? 8 : 0;
  i += p[i + 3] <= v ? 4 : 0;
  i += p[i + 1] <= v ? 2 : 0;
  i += p[i] <= v ? 1 : 0;
  // NaN compares false everywhere: missing is bin 0. +Infinity also passes the padding: clamp.
  return v !== v ? 0 : Math.min(i, count) + 1;
}
