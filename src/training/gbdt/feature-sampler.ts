import type { Random } from '../util/random.ts';

/**
 * colsample_by{tree,level,node}: each draws max(1, round(fraction * |pool|)) features without
 * replacement from the previous stage's pool, as XGBoost's ColumnSampler does. Returned sorted so
 * split ties resolve by feature order, never by draw order.
 */
export function sampleFeatures(pool: Int32Array, fraction: number, random: Random): Int32Array {
  if (fraction >= 1) return pool;
  const k = Math.max(1, Math.round(fraction * pool.length));
  const copy = Int32Array.from(pool);
  for (let i = 0; i < k; i++) {
    const j = i + random.int(copy.length - i);
    const t = copy[i];
    copy[i] = copy[j];
    copy[j] = t;
  }
  return copy.subarray(0, k).sort();
}
