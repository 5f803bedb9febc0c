import type { CategoricalBaseline, NumericBaseline } from './baseline.ts';

/** The baseline of a model's output, measured on its training rows by the trainer itself. */
export type PredictionBaseline = Omit<NumericBaseline, 'feature' | 'type'> | Omit<CategoricalBaseline, 'feature' | 'type'>;

export const PREDICTION_FEATURE = '(prediction)';

/**
 * Numbers: decile edges as percentile_cont draws them, and their counts. The model's output on
 * every training row, so up to millions of values: sorted as a Float64Array (numeric, no
 * comparator calls), counted per bin in one pass over the sorted values.
 */
export function numericPredictionBaseline(values: ArrayLike<number>): PredictionBaseline {
  let n = 0;
  const finite = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) finite[n++] = values[i];
  const sorted = finite.subarray(0, n).sort();
  const edges = deciles(sorted).filter((e, i, all) => i === 0 || e > all[i - 1]);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i];
  const mean = sum / (n || 1);
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (sorted[i] - mean) ** 2;
  return {
    kind: 'numeric',
    count: values.length,
    nonNull: n,
    min: n ? sorted[0] : null,
    max: n ? sorted[n - 1] : null,
    mean: n ? mean : null,
    std: n ? Math.sqrt(squares / n) : null,
    edges,
    binCounts: sortedBinCounts(sorted, edges),
  };
}

/** binCounts of ascending values: each bin's rows are a run of them. */
function sortedBinCounts(sorted: Float64Array, edges: readonly number[]): number[] {
  const counts = new Array(edges.length + 1).fill(0);
  let bucket = 0;
  for (let i = 0; i < sorted.length; i++) {
    while (bucket < edges.length && sorted[i] >= edges[bucket]) bucket++;
    counts[bucket]++;
  }
  return counts;
}

/** Labels: how often each was predicted (the 100 most frequent, the rest together). */
export function categoricalPredictionBaseline(labels: readonly string[]): PredictionBaseline {
  const counts = new Map<string, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  const top = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 100);
  const inTop = top.reduce((s, [, n]) => s + n, 0);
  return { kind: 'categorical', count: labels.length, nonNull: labels.length, top, otherCount: labels.length - inTop };
}

/** Rows per bin, bins as PostgreSQL's width_bucket(x, edges) numbers them (0 below the first edge). */
export function binCounts(values: readonly number[], edges: readonly number[]): number[] {
  const counts = new Array(edges.length + 1).fill(0);
  for (const v of values) if (Number.isFinite(v)) counts[binOf(v, edges)]++;
  return counts;
}

/** The bin of a finite value: how many edges it is at or above. */
export function binOf(v: number, edges: readonly number[]): number {
  let bucket = 0;
  while (bucket < edges.length && v >= edges[bucket]) bucket++;
  return bucket;
}

/** percentile_cont at 0.1 ... 0.9 of sorted values: linear interpolation between neighbours. */
function deciles(sorted: ArrayLike<number>): number[] {
  if (sorted.length === 0) return [];
  const out: number[] = [];
  for (let q = 1; q <= 9; q++) {
    const pos = (q / 10) * (sorted.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(lo + 1, sorted.length - 1);
    out.push(sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo));
  }
  return out;
}
