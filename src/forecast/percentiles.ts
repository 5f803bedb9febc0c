/**
 * PERCENTILES: '0.1,0.5,0.9' (the default) or any list of whole percents from 0.01 to 0.99 and
 * 'mean'. Each becomes a column of FORECAST(m): p10, p50, p90 ..., and mean.
 */
export const DEFAULT_PERCENTILES = '0.1,0.5,0.9';

export type Percentile = { kind: 'quantile'; tau: number; column: string } | { kind: 'mean'; column: 'mean' };

/** The columns of a PERCENTILES list, or a sentence saying what is wrong with it. */
export function parsePercentiles(text: string): Percentile[] | string {
  const out: Percentile[] = [];
  for (const raw of text.split(',')) {
    const item = raw.trim().toLowerCase();
    let p: Percentile;
    if (item === 'mean') p = { kind: 'mean', column: 'mean' };
    else {
      const tau = /^(0?\.\d+|0|1(\.0*)?)$/.test(item) ? Number(item) : NaN;
      const percent = Math.round(tau * 100);
      if (!(tau > 0 && tau < 1) || Math.abs(percent - tau * 100) > 1e-9) {
        return `"${raw.trim()}" is not a percentile: use values from 0.01 to 0.99 in steps of 0.01, or mean`;
      }
      p = { kind: 'quantile', tau: percent / 100, column: `p${percent}` };
    }
    if (out.some((o) => o.column === p.column)) return `"${raw.trim()}" is listed twice`;
    out.push(p);
  }
  return out;
}

/** The forecast function's result type, as the catalog checks it (sql/100 check_forecast_return_type). */
export function forecastReturnType(percentiles: readonly Percentile[]): string {
  return `TABLE(id text, "time" timestamp without time zone${percentiles.map((p) => `, ${p.column} double precision`).join('')})`;
}

/** The quantile τ of sorted values, interpolated linearly between order statistics (R's type 7). */
export function quantileOf(sorted: readonly number[], tau: number): number {
  if (sorted.length === 0) return 0;
  const at = tau * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (at - lo) * (sorted[hi] - sorted[lo]);
}
