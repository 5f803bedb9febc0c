/**
 * Runs one training in a worker thread, so the proxy's event loop keeps serving clients. It may
 * be started ahead of its job (training-runner.ts): the job comes as one message
 * { type: 'train', features, target, spec, functionTypes? }. Out: progress messages, then the
 * model (its timings with the prediction baseline's added), its functions' SQL bodies when the
 * function's types came with the job, and when the job reached the thread; or an error.
 * A message 'abort' from the parent stops training between rounds, keeping the model so far.
 */
import { parentPort } from 'node:worker_threads';
import { train } from '../training/index.ts';
import type { TrainedModel } from '../training/types.ts';
import { categoricalPredictionBaseline, numericPredictionBaseline, type PredictionBaseline } from '../monitor/prediction-baseline.ts';
import type { TrainingColumn, TrainingSpec } from '../training/types.ts';
import { compileVersionBodies } from '../compile/version-bodies.ts';
import type { FunctionTypes } from './training-runner.ts';

const abort = new AbortController();
let started = false;
type Job = { type: 'train'; features: TrainingColumn[]; target: TrainingColumn | null; spec: TrainingSpec; functionTypes?: FunctionTypes };
parentPort!.on('message', (m: 'abort' | Job) => {
  if (m === 'abort') abort.abort();
  else if (m.type === 'train' && !started) {
    started = true;
    // The job waited for the thread until now (the 'thread start' part).
    run(m, Date.now());
  }
});

function run({ features, target, spec, functionTypes }: Job, threadStartedAt: number): void {
  train(features, target, spec, {
    signal: abort.signal,
    onProgress: (p) => parentPort!.postMessage({ type: 'progress', progress: p }),
  }).then(
    (model) => {
      const baselineStart = performance.now();
      const predictionBaseline = predictionBaselineOf(model);
      const timings = [...model.timings, { part: 'baseline', seconds: (performance.now() - baselineStart) / 1000 }];
      // The SQL bodies too, here rather than on the parent's thread (a proxy's event loop): up to
      // seconds for a large model.
      const compileStart = performance.now();
      const bodies = functionTypes === undefined ? undefined : compileVersionBodies({
        onnx: model.onnx, ioPlan: null, classes: model.classes ?? null, problemType: model.problemType, ...functionTypes,
      });
      if (bodies !== undefined) timings.push({ part: 'compile', seconds: (performance.now() - compileStart) / 1000 });
      parentPort!.postMessage({ type: 'done', model: { ...model, timings }, predictionBaseline, bodies, threadStartedAt });
    },
    (error: Error) => parentPort!.postMessage({ type: 'error', name: error.name, message: error.message }),
  );
}

/**
 * The distribution of the model's own output on its training rows, as the proxy formats it
 * (labels as PostgreSQL text, bool as t/f): the reference for the prediction's drift.
 */
function predictionBaselineOf(model: TrainedModel): PredictionBaseline {
  const out = model.trainingPredictions();
  if (out instanceof Float64Array) return numericPredictionBaseline(out);
  const classes = model.classes ?? [];
  return categoricalPredictionBaseline(
    Array.from(out.labels, (l) => {
      const c = classes[l] ?? l;
      return typeof c === 'boolean' ? (c ? 't' : 'f') : String(c);
    }),
  );
}
