import { bucketStart, SEASON, type Frequency } from './frequency.ts';
import { GlobalGbdt } from './global-gbdt.ts';
import { METRIC_NAME, score, type ForecastObjective, type HeldOut } from './objectives.ts';
import { percentileOffsets, type Percentile } from './percentiles.ts';
import { prepareSeries, seriesScale, type ForecastRows, type Series } from './series.ts';
import { drift, seasonalNaive } from './simple-methods.ts';

/** The candidates, simplest first: a tie goes to the earlier one. */
export const METHODS = ['seasonal_naive', 'drift', 'gradient_boosted'] as const;
export type ForecastMethod = (typeof METHODS)[number];

export interface ForecastSpec {
  frequency: Frequency;
  horizon: number;
  percentiles: readonly Percentile[];
  objective: ForecastObjective;
  /** AUTO ON: every candidate is scored on the held-out horizon and the best kept; OFF: gradient_boosted. */
  auto: boolean;
  maxRuntimeSeconds: number;
}

export interface FittedForecast {
  method: ForecastMethod;
  /** Every candidate's held-out score by the OBJECTIVE (null: no series was long enough to hold out). */
  candidates: Array<{ method: ForecastMethod; score: number | null }>;
  metric: string;
  metricValue: number | null;
  seriesCount: number;
  /** Series that had a held-out horizon (at least HORIZON + 2 points). */
  heldOutSeries: number;
  /** [series id, step 1..HORIZON, wall-clock epoch seconds, one value a percentile column]. */
  rows: Array<[string, number, number, number[]]>;
}

export interface FitOptions {
  signal?: AbortSignal;
  onProgress?(p: { done: number; total: number; unit: string }): void;
}

/**
 * Trains a forecast model and computes its forecast (docs/forecasting.md): the series prepared,
 * the candidates fitted on each series minus its last HORIZON and scored there, the best one
 * refitted on everything; percentiles from its held-out errors per step, scaled per series.
 */
export async function fitForecast(rows: ForecastRows, spec: ForecastSpec, options: FitOptions = {}): Promise<FittedForecast> {
  const series = prepareSeries(rows, spec.frequency);
  if (series.length === 0) throw new Error('the training data has no row with a series id, a time and a target');
  const season = SEASON[spec.frequency];
  const H = spec.horizon;
  const deadline = Date.now() + spec.maxRuntimeSeconds * 1000;
  const candidates: readonly ForecastMethod[] = spec.auto ? METHODS : ['gradient_boosted'];
  const fits = candidates.includes('gradient_boosted') ? 2 : 0;
  let fitsDone = 0;
  const gbdtBudget = () => {
    const base = fitsDone++;
    return {
      deadline,
      signal: options.signal,
      onRound: (done: number, total: number) => options.onProgress?.({ done: base * total + done, total: fits * total, unit: 'rounds' }),
    };
  };
  const forecaster = async (method: ForecastMethod, data: readonly Series[]) => {
    if (method === 'seasonal_naive') return (s: Series) => seasonalNaive(s.values, H, season);
    if (method === 'drift') return (s: Series) => drift(s.values, H);
    const model = await GlobalGbdt.fit(data, spec.frequency, season, gbdtBudget());
    return (s: Series) => model.forecast(s, H);
  };

  // The held-out split: series with at least two points before their last HORIZON.
  const held = series.filter((s) => s.values.length >= H + 2);
  const train = held.map((s) => ({ ...s, values: s.values.slice(0, s.values.length - H) }));
  const quantiles = spec.percentiles.flatMap((p) => (p.kind === 'quantile' ? [p.tau] : []));
  const scored: Array<{ method: ForecastMethod; score: number | null; predicted: number[][] }> = [];
  for (const method of candidates) {
    if (held.length === 0) {
      scored.push({ method, score: null, predicted: [] });
      continue;
    }
    const f = await forecaster(method, train);
    const heldOut: HeldOut = {
      actual: held.map((s) => s.values.slice(s.values.length - H)),
      predicted: train.map(f),
      history: train.map((s) => s.values),
    };
    scored.push({ method, score: score(spec.objective, heldOut, season, quantiles), predicted: heldOut.predicted });
  }
  // Lowest score wins; a later (less simple) candidate must beat it by more than rounding.
  let best = scored.find((c) => c.method === (spec.auto ? 'drift' : 'gradient_boosted'))!;
  if (held.length > 0) {
    best = scored[0];
    for (const c of scored.slice(1)) if (c.score! < best.score! - 1e-9 * Math.max(1, Math.abs(best.score!))) best = c;
  }

  // Held-out errors of the method kept, in units of each series' scale, by step.
  const errorsByStep: number[][] = Array.from({ length: H }, () => []);
  held.forEach((s, i) => {
    const scale = seriesScale(train[i].values);
    for (let h = 0; h < H; h++) errorsByStep[h].push((s.values[s.values.length - H + h] - best.predicted[i][h]) / scale);
  });
  const offsets = percentileOffsets(errorsByStep, spec.percentiles);

  const final = await forecaster(best.method, series);
  const out: FittedForecast['rows'] = [];
  for (const s of series) {
    const point = final(s);
    const scale = seriesScale(s.values);
    for (let h = 0; h < H; h++) {
      const values = spec.percentiles.map((_, k) => point[h] + offsets[h][k] * scale);
      out.push([s.id, h + 1, bucketStart(spec.frequency, s.firstBucket + s.values.length + h), values]);
    }
  }
  return {
    method: best.method,
    candidates: scored.map(({ method, score: value }) => ({ method, score: value })),
    metric: METRIC_NAME[spec.objective],
    metricValue: best.score,
    seriesCount: series.length,
    heldOutSeries: held.length,
    rows: out,
  };
}
