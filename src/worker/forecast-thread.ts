/**
 * Trains one forecast model in a worker thread, so the proxy's event loop keeps serving clients.
 * In: workerData { rows, spec }. Out: progress messages, then the fitted forecast or an error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { fitForecast, type ForecastSpec } from '../forecast/fit-forecast.ts';
import type { ForecastRows } from '../forecast/series.ts';

const { rows, spec } = workerData as { rows: ForecastRows; spec: ForecastSpec };
const abort = new AbortController();
parentPort!.on('message', (m) => {
  if (m === 'abort') abort.abort();
});

fitForecast(rows, spec, {
  signal: abort.signal,
  onProgress: (p) => parentPort!.postMessage({ type: 'progress', progress: p }),
}).then(
  (forecast) => parentPort!.postMessage({ type: 'done', forecast }),
  (error: Error) => parentPort!.postMessage({ type: 'error', name: error.name, message: error.message }),
);
