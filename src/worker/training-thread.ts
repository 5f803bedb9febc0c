/**
 * Runs one training in a worker thread, so the proxy's event loop keeps serving clients.
 * In: workerData { features, target, spec }. Out: progress messages, then the model or an error.
 * A message 'abort' from the parent stops training between rounds, keeping the model so far.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { train } from '../training/index.ts';
import type { TrainingColumn, TrainingSpec } from '../training/types.ts';

const { features, target, spec } = workerData as { features: TrainingColumn[]; target: TrainingColumn | null; spec: TrainingSpec };
const abort = new AbortController();
parentPort!.on('message', (m) => {
  if (m === 'abort') abort.abort();
});

train(features, target, spec, {
  signal: abort.signal,
  onProgress: (p) => parentPort!.postMessage({ type: 'progress', progress: p }),
}).then(
  (model) => parentPort!.postMessage({ type: 'done', model }),
  (error: Error) => parentPort!.postMessage({ type: 'error', name: error.name, message: error.message }),
);
