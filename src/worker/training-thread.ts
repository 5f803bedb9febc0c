/**
 * Runs one training in a worker thread, so the proxy's event loop keeps serving clients. It may
 * be started ahead of its job (training-runner.ts): the job comes as one message
 * { type: 'train', features, target, spec }. Out: progress messages, then the model (its timings
 * with the prediction baseline's added) and when the job reached the thread, or an error.
 * A message 'abort' from the parent stops training between rounds, keeping the model so far.
 */
import { parentPort } from 'node:worker_threads';
import { train } from '../training/index.ts';
import type { TrainedModel } from '../training/types.ts';
import { categoricalPredictionBaseline, numericPredictionBaseline, type PredictionBaseline } from '../monitor/prediction-baseline.ts';
import type { TrainingColumn, TrainingSpec } from '../training/types.ts';

const abort = new AbortController();
let started = false;
parentPort!.on('message', (m: 'abort' | { type: 'train'; features: TrainingColumn[]; target: TrainingColumn | null; spec: TrainingSpec }) => {
  if (m === 'abort') abort.abort();
  else if (m.type === 'train' && !started) {
    started = true;
    // The job waited for the thread until now (the 'thread start' part).
    run(m.features, m.target, m.spec, Date.now());
  }
});

function run(features: TrainingColumn[], target: TrainingColumn | null, spec: TrainingSpec, threadStartedAt: number): void {
  train(features, target, spec, {
    signal: abort.signal,
    onProgress: (p) => parentPort!.postMessage({ type: 'progress', progress: p }),
  }).then(
    (model) => {
      const baselineStart = performance.now();
      const predictionBaseline = predictionBaselineOf(model, features);
      const timings = [...model.timings, { part: 'baseline', seconds: (performance.now() - baselineStart) / 1000 }];
      parentPort!.postMessage({ type: 'done', model: { ...model, timings }, predictionBaseline, threadStartedAt });
    },
    (error: Error) => parentPort!.postMessage({ type: 'error', name: error.name, message: error.message }),
  );
}

/**
 * The distribution of the model's own output on its training rows, as the proxy formats it
 * (labels as PostgreSQL text, bool as t/f): the reference for the prediction's drift.
 */
function predictionBaselineOf(model: TrainedModel, features: TrainingColumn[]): PredictionBaseline {
  const out = model.predict(features);
  if (out instanceof Float64Array) return numericPredictionBaseline(out);
  const classes = model.classes ?? [];
  return categoricalPredictionBaseline(
    Array.from(out.labels, (l) => {
      const c = classes[l] ?? l;
      return typeof c === 'boolean' ? (c ? 't' : 'f') : String(c);
    }),
  );
}
