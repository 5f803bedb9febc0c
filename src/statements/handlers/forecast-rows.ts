import { METRIC_NAME, type ForecastObjective } from '../../forecast/objectives.ts';

interface ForecastSpec {
  objective?: string;
  forecast?: { horizon: number; frequency: string; percentiles: string };
}

interface ForecastSummary {
  method?: string;
  candidates?: Array<{ method: string; score: number | null }>;
  series?: number;
  heldOutSeries?: number;
}

/** The validation metric of a FORECAST version before it has one: its OBJECTIVE's. */
export function forecastMetric(spec: ForecastSpec): string {
  return METRIC_NAME[(spec.objective ?? 'AverageWeightedQuantileLoss') as ForecastObjective] ?? 'average_weighted_quantile_loss';
}

/** SHOW MODEL's rows of a FORECAST model: its settings, and once trained what AUTO chose and why. */
export function forecastRows(spec: ForecastSpec, summaryText: string | null): Array<[string, string]> {
  const summary = JSON.parse(summaryText ?? '{}') as ForecastSummary;
  const rows: Array<[string, string]> = [
    ['Horizon', String(spec.forecast?.horizon ?? '')],
    ['Frequency', spec.forecast?.frequency ?? ''],
    ['Percentiles', spec.forecast?.percentiles ?? ''],
  ];
  if (summary.method) {
    rows.push(
      ['Forecast Method', summary.method],
      [
        'Candidates',
        (summary.candidates ?? []).map((c) => `${c.method} ${c.score === null ? 'not scored' : String(c.score)}`).join(', '),
      ],
      ['Series', `${summary.series ?? ''} (${summary.heldOutSeries ?? 0} long enough to hold out ${spec.forecast?.horizon ?? ''} steps)`],
    );
  }
  return rows;
}
