/**
 * The OBJECTIVEs of a forecast model, scored on each series' held-out last HORIZON steps. All are
 * lower-is-better. `actual[i]` and `predicted[i]` are series i's held-out values and point
 * forecast; `history[i]` what came before them (MASE's scale).
 */
export const FORECAST_OBJECTIVES = ['AverageWeightedQuantileLoss', 'RMSE', 'WAPE', 'MAPE', 'MASE'] as const;
export type ForecastObjective = (typeof FORECAST_OBJECTIVES)[number];

/** The validation metric's name in SHOW MODEL (validation:<name>) and the catalog. */
export const METRIC_NAME: Readonly<Record<ForecastObjective, string>> = {
  AverageWeightedQuantileLoss: 'average_weighted_quantile_loss',
  RMSE: 'rmse',
  WAPE: 'wape',
  MAPE: 'mape',
  MASE: 'mase',
};

export interface HeldOut {
  actual: number[][];
  predicted: number[][];
  history: number[][];
}

export function score(objective: ForecastObjective, h: HeldOut, season: number, quantiles: readonly number[]): number {
  const pairs = h.actual.flatMap((a, i) => a.map((y, t) => [y, h.predicted[i][t]] as const));
  const absSum = pairs.reduce((s, [y]) => s + Math.abs(y), 0);
  const ratio = (num: number) => (absSum > 0 ? num / absSum : num === 0 ? 0 : Infinity);
  switch (objective) {
    case 'RMSE':
      return Math.sqrt(pairs.reduce((s, [y, p]) => s + (y - p) ** 2, 0) / pairs.length);
    case 'WAPE':
      return ratio(pairs.reduce((s, [y, p]) => s + Math.abs(y - p), 0));
    case 'MAPE': {
      const nonZero = pairs.filter(([y]) => y !== 0);
      return nonZero.length ? nonZero.reduce((s, [y, p]) => s + Math.abs((y - p) / y), 0) / nonZero.length : 0;
    }
    case 'MASE':
      return mase(h, season);
    case 'AverageWeightedQuantileLoss': {
      // The point forecast scored as every requested quantile: the percentiles' offsets come from
      // these same held-out errors, so scoring them here would grade the errors by themselves.
      const taus = quantiles.length ? quantiles : [0.5];
      let total = 0;
      for (const tau of taus) {
        const loss = pairs.reduce((s, [y, p]) => s + (y >= p ? tau * (y - p) : (1 - tau) * (p - y)), 0);
        total += ratio(2 * loss);
      }
      return total / taus.length;
    }
  }
}

/**
 * Mean over series of the mean absolute error divided by the in-sample mean absolute seasonal
 * difference (lag 1 when the history is shorter than a season). A series whose history never
 * changes at that lag is divided by its mean absolute first difference, or 1.
 */
function mase(h: HeldOut, season: number): number {
  let sum = 0;
  for (let i = 0; i < h.actual.length; i++) {
    const past = h.history[i];
    const lag = past.length > season ? season : 1;
    let denominator = 0;
    for (let t = lag; t < past.length; t++) denominator += Math.abs(past[t] - past[t - lag]);
    denominator = past.length > lag ? denominator / (past.length - lag) : 0;
    if (!(denominator > 0)) {
      let first = 0;
      for (let t = 1; t < past.length; t++) first += Math.abs(past[t] - past[t - 1]);
      denominator = past.length > 1 && first > 0 ? first / (past.length - 1) : 1;
    }
    const mae = h.actual[i].reduce((s, y, t) => s + Math.abs(y - h.predicted[i][t]), 0) / h.actual[i].length;
    sum += mae / denominator;
  }
  return h.actual.length ? sum / h.actual.length : 0;
}
