import { Counter, Gauge, Registry } from 'prom-client';
import { CLIENTS } from './client-stats.ts';
import { ModelCells, ModelCounter, ModelHistogram } from './model-metrics.ts';
import { PlainHistogram } from './plain-histogram.ts';

/**
 * The process's counters, in one prom-client registry that /metrics serves. One per process (as
 * prom-client's own default registry): the proxy's sessions, the inference paths and the HTTP
 * listener meet here without being handed a object through every layer.
 */
export const METRICS_REGISTRY = new Registry();

/** Seconds: one row is ~10 µs, a batch of 8,192 ~10 ms, a slow imported model seconds. */
const PREDICTION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds: a point lookup through the proxy is ~0.1 ms, a report minutes. */
const QUERY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30];

/** The inference paths' counts by model and version; not in the registry: /metrics appends them (see metricsText). */
export const MODEL_CELLS = new ModelCells(PREDICTION_BUCKETS);

export const predictionsTotal = new ModelCounter(
  'modelgres_predictions_total',
  'Rows predicted by onnxruntime in this proxy, by model (schema.name) and version.',
  MODEL_CELLS,
);

export const predictionBatchesTotal = new ModelCounter('modelgres_prediction_batches_total', 'Batches handed to onnxruntime, by model and version.', MODEL_CELLS);

export const predictionErrorsTotal = new ModelCounter('modelgres_prediction_errors_total', 'Batches whose prediction failed, by model and version.', MODEL_CELLS);

export const predictionSeconds = new ModelHistogram(
  'modelgres_prediction_seconds',
  'Time onnxruntime took for one batch, by model and version.',
  PREDICTION_BUCKETS,
  MODEL_CELLS,
);

/** Not in the registry: /metrics appends it (see metricsText). */
export const passthroughSeconds = new PlainHistogram(
  'modelgres_passthrough_seconds',
  "From a forwarded simple Query to PostgreSQL's ReadyForQuery, as the proxy saw it.",
  QUERY_BUCKETS,
);

/** The whole scrape: the registry's metrics, the models' counts and the plain histograms. */
export async function metricsText(): Promise<string> {
  const appended = [predictionsTotal, predictionBatchesTotal, predictionErrorsTotal, predictionSeconds, passthroughSeconds];
  return (await METRICS_REGISTRY.metrics()) + appended.map((f) => f.text()).join('');
}

export const upstreamConnectionErrorsTotal = new Counter({
  name: 'modelgres_upstream_connection_errors_total',
  help: 'Client connections the proxy could not connect to PostgreSQL.',
  registers: [METRICS_REGISTRY],
});

// Session counters are plain numbers on each session (see client-stats.ts), summed at scrape time:
// the passthrough path adds to a field, never walks prom-client's label maps.
new Gauge({
  name: 'modelgres_client_connections',
  help: 'Client connections open now.',
  registers: [METRICS_REGISTRY],
  collect() {
    this.set(CLIENTS.open().length);
  },
});

const totals = [
  ['modelgres_client_connections_total', 'Client connections accepted since start.', 'connections'],
  ['modelgres_transactions_total', 'Transactions clients finished through the proxy (a statement outside BEGIN counts as one).', 'transactions'],
  ['modelgres_queries_total', 'Query and Sync messages clients sent.', 'queries'],
  ['modelgres_client_bytes_received_total', 'Bytes received from clients.', 'bytesReceived'],
  ['modelgres_client_bytes_sent_total', 'Bytes sent to clients.', 'bytesSent'],
] as const;
for (const [name, help, field] of totals) {
  new Counter({
    name,
    help,
    registers: [METRICS_REGISTRY],
    collect() {
      this.reset();
      this.inc(CLIENTS.total(field));
    },
  });
}

// Read from the catalog at each scrape (src/http/catalog-gauges.ts): they hold for every process
// on the same PostgreSQL, not for this one.
export const trainingJobs = new Gauge({
  name: 'modelgres_training_jobs',
  help: 'Training jobs in the catalog\'s queue by state (queued, running, done).',
  labelNames: ['state'] as const,
  registers: [METRICS_REGISTRY],
});

export const modelVersions = new Gauge({
  name: 'modelgres_model_versions',
  help: 'Model versions in the catalog by state (TRAINING, READY, FAILED, ...).',
  labelNames: ['state'] as const,
  registers: [METRICS_REGISTRY],
});

export const lastTrainingSeconds = new Gauge({
  name: 'modelgres_last_training_seconds',
  help: 'How long the latest finished training of each model took, and its version.',
  labelNames: ['model', 'version'] as const,
  registers: [METRICS_REGISTRY],
});

export const driftValue = new Gauge({
  name: 'modelgres_drift_value',
  help: 'The last drift measured in this process (SHOW MODEL m DRIFT or a scheduled check) per feature: PSI or L-infinity.',
  labelNames: ['model', 'feature', 'metric'] as const,
  registers: [METRICS_REGISTRY],
});

export const inferenceUnits = new Gauge({
  name: 'modelgres_inference_units',
  help: 'Inference units of hosted models (ALTER MODEL m START) summed over the proxies: desired and in service.',
  labelNames: ['model', 'units'] as const,
  registers: [METRICS_REGISTRY],
});

export const scheduleExecutions = new Gauge({
  name: 'modelgres_inference_schedule_executions',
  help: 'Executions of inference schedules in the catalog by status (IN_PROGRESS, SUCCESS, FAILED).',
  labelNames: ['status'] as const,
  registers: [METRICS_REGISTRY],
});
