import type { CategoricalBaseline, NumericBaseline } from './baseline.ts';

/** The baseline of a model's output, measured on its training rows by the trainer itself. */
export type PredictionBaseline = Omit<NumericBaseline, 'feature' | 'type'> | Omit<CategoricalBaseline, 'feature' | 'type'>;

export const PREDICTION_FEATURE = '(prediction)';

/** Numbers: decile edges as percentile_cont draws them, and their counts. */
export function numericPredictionBaseline(values: ArrayLike<number>): PredictionBaseline {
  const finite = Array.from(values).filter(Number.isFinite).sort((a, b) => a - b);
  const edges = deciles(finite).filter((e, i, all) => i === 0 || e > all[i - 1]);
  const mean = finite.reduce((s, v) => s + v, 0) / (finite.length || 1);
  return {
    kind: 'numeric',
    count: values.length,
    nonNull: finite.length,
    min: finite[0] ?? null,
    max: finite.at(-1) ?? null,
    mean: finite.length ? mean : null,
    std: finite.length ? Math.sqrt(finite.reduce((s, v) => s + (v - mean) ** 2, 0) / finite.length) : null,
    edges,
    binCounts: binCounts(finite, edges),
  };
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
function deciles(sorted: readonly number[]): number[] {
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
