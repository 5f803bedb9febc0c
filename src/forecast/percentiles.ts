/**
 * PERCENTILES: '0.1,0.5,0.9' (the default) or any list of whole percents from 0.01 to 0.99 and
 * 'mean'. Each becomes a column of FORECAST(m): p10, p50, p90 (p05 for 0.05) ..., and mean.
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
      p = { kind: 'quantile', tau: percent / 100, column: `p${String(percent).padStart(2, '0')}` };
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

/** Fewer held-out errors at one step than this, and a percentile uses the errors of every step. */
export const MIN_ERRORS_PER_STEP = 5;

/**
 * What each percentile column adds to the point forecast at each step, in units of the series'
 * scale: the τ-quantile of the held-out errors (actual − forecast, scaled) at that step, or of
 * every step's when a step has fewer than MIN_ERRORS_PER_STEP; 0 for mean, and for all without errors.
 */
export function percentileOffsets(errorsByStep: readonly number[][], percentiles: readonly Percentile[]): number[][] {
  const all = errorsByStep.flat().sort((a, b) => a - b);
  return errorsByStep.map((errors) => {
    const sorted = errors.length >= MIN_ERRORS_PER_STEP ? [...errors].sort((a, b) => a - b) : all;
    return percentiles.map((p) => (p.kind === 'quantile' ? quantileOf(sorted, p.tau) : 0));
  });
}
