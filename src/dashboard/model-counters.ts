import { predictionErrorsTotal, predictionSeconds, predictionsTotal } from '../metrics/metrics-registry.ts';

/** A model's inference counters in this proxy, all versions together, as /metrics has them. */
export interface ModelCounters {
  predictions: number;
  batches: number;
  errors: number;
  /** Seconds onnxruntime spent, summed over batches. */
  seconds: number;
}

/** Keyed by "schema.name", the `model` label of the metrics. */
export async function modelCounters(): Promise<Map<string, ModelCounters>> {
  const out = new Map<string, ModelCounters>();
  const of = (model: string) => {
    let c = out.get(model);
    if (!c) out.set(model, (c = { predictions: 0, batches: 0, errors: 0, seconds: 0 }));
    return c;
  };
  for (const v of (await predictionsTotal.get()).values) of(String(v.labels.model)).predictions += v.value;
  for (const v of (await predictionErrorsTotal.get()).values) of(String(v.labels.model)).errors += v.value;
  for (const v of (await predictionSeconds.get()).values) {
    if (v.metricName === 'modelgres_prediction_seconds_sum') of(String(v.labels.model)).seconds += v.value;
    if (v.metricName === 'modelgres_prediction_seconds_count') of(String(v.labels.model)).batches += v.value;
  }
  return out;
}
