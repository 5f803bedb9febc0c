import { bucketOf, type Frequency } from './frequency.ts';

/** Steps of all series together, gaps filled: what one training holds in memory at most. */
export const MAX_STEPS = 20_000_000;

/** One series as forecasting sees it: a value for every bucket from its first to its last. */
export interface Series {
  id: string;
  /** The bucket of values[0]. */
  firstBucket: number;
  values: number[];
}

/** The training rows: series id (text), time (wall-clock epoch seconds) and target. */
export interface ForecastRows {
  ids: Array<string | null>;
  times: Array<number | null>;
  targets: Array<number | null>;
}

/**
 * The series of the training rows, as Amazon Forecast prepares them by default: each time is
 * truncated to its FREQUENCY bucket, rows in one bucket are summed, and buckets with no row
 * between a series' first and last are 0. A NULL target is missing (the row counts for nothing,
 * so a bucket with only NULLs is 0); rows with a NULL id or time are left out. Sorted by id.
 */
export function prepareSeries(rows: ForecastRows, frequency: Frequency): Series[] {
  const sums = new Map<string, Map<number, number>>();
  for (let i = 0; i < rows.ids.length; i++) {
    const id = rows.ids[i];
    const time = rows.times[i];
    const target = rows.targets[i];
    if (id === null || time === null || target === null || !Number.isFinite(target)) continue;
    const bucket = bucketOf(frequency, time);
    let byBucket = sums.get(id);
    if (!byBucket) sums.set(id, (byBucket = new Map()));
    byBucket.set(bucket, (byBucket.get(bucket) ?? 0) + target);
  }
  const out: Series[] = [];
  let steps = 0;
  for (const [id, byBucket] of sums) {
    let first = Infinity;
    let last = -Infinity;
    for (const b of byBucket.keys()) {
      if (b < first) first = b;
      if (b > last) last = b;
    }
    steps += last - first + 1;
    if (steps > MAX_STEPS) {
      throw new Error(
        `the series span more than ${MAX_STEPS} ${frequency} steps from their first to their last time: is FREQUENCY right for these times?`,
      );
    }
    const values = new Array<number>(last - first + 1).fill(0);
    for (const [b, v] of byBucket) values[b - first] = v;
    out.push({ id, firstBucket: first, values });
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Mean absolute first difference: the unit a series' changes and errors are measured in (1 when it never changes). */
export function seriesScale(values: readonly number[]): number {
  let sum = 0;
  for (let t = 1; t < values.length; t++) sum += Math.abs(values[t] - values[t - 1]);
  const scale = values.length > 1 ? sum / (values.length - 1) : 0;
  if (scale > 0) return scale;
  const level = values.reduce((s, v) => s + Math.abs(v), 0) / Math.max(1, values.length);
  return level > 0 ? level : 1;
}
