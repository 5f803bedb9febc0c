/**
 * The two closed-form candidates. Both take a series' values and return the next `horizon`.
 * Series too short for them fall back: seasonal naive to naive (the last value) when shorter than
 * a season, drift to the last value with one point.
 */

/** ŷ(T+h) = y(T+h−s·⌈h/s⌉): the last season repeated. */
export function seasonalNaive(values: readonly number[], horizon: number, season: number): number[] {
  const n = values.length;
  const s = n >= season ? season : 1;
  return Array.from({ length: horizon }, (_, i) => values[n - s + (i % s)]);
}

/** ŷ(T+h) = y(T) + h·(y(T) − y(1))/(T − 1): the last value plus the mean step change. */
export function drift(values: readonly number[], horizon: number): number[] {
  const n = values.length;
  const slope = n > 1 ? (values[n - 1] - values[0]) / (n - 1) : 0;
  return Array.from({ length: horizon }, (_, i) => values[n - 1] + (i + 1) * slope);
}
