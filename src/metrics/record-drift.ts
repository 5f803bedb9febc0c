import { driftValue } from './metrics-registry.ts';

/** One measured feature of a drift check (the fields of monitor's DriftRow that are kept). */
export interface MeasuredDrift {
  feature: string;
  metric: string | null;
  value: number | null;
}

/** Keeps the last value of each feature's drift for /metrics; features with no verdict are left out. */
export function recordDrift(model: string, rows: readonly MeasuredDrift[]): void {
  for (const row of rows) {
    if (row.metric !== null && row.value !== null) driftValue.set({ model, feature: row.feature, metric: row.metric }, row.value);
  }
}
