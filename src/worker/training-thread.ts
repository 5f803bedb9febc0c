/**
 * Runs trainings in a worker thread, one at a time, so the proxy's event loop keeps serving
 * clients. It may be started ahead of its first job (training-runner.ts), and is kept for the
 * next one when a job ends well. A job comes as one message { type: 'train', features, target, spec,
 * functionTypes? }. Out: progress messages, then the model (its timings with the prediction
 * baseline's added), its functions' SQL bodies when the function's types came with the job, and
 * when the job reached the thread; or an error. A message 'abort' from the parent stops the
 * running training between rounds, keeping the model so far.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { train } from '../training/index.ts';
import type { TrainedModel } from '../training/types.ts';
import { categoricalPredictionBaseline, numericPredictionBaseline, type PredictionBaseline } from '../monitor/prediction-baseline.ts';
import type { TrainingColumn, TrainingSpec } from '../training/types.ts';
import { compileVersionBodies, type VersionBodies } from '../compile/version-bodies.ts';
import type { FunctionTypes } from './training-runner.ts';

type Job = { type: 'train'; features: TrainingColumn[]; target: TrainingColumn | null; spec: TrainingSpec; functionTypes?: FunctionTypes };

let abort = new AbortController();
let running = false;

/** The job's own work: training, then what registration needs (baseline, SQL bodies). */
async function finish(job: Job, signal?: AbortSignal): Promise<{ model: TrainedModel; predictionBaseline: PredictionBaseline; bodies?: VersionBodies }> {
  const model = await train(job.features, job.target, job.spec, {
    signal,
    onProgress: signal && ((p) => parentPort!.postMessage({ type: 'progress', progress: p })),
  });
  const baselineStart = performance.now();
  const predictionBaseline = predictionBaselineOf(model);
  const timings = [...model.timings, { part: 'baseline', seconds: (performance.now() - baselineStart) / 1000 }];
  // The SQL bodies too, here rather than on the parent's thread (a proxy's event loop): up to
  // seconds for a large model.
  const compileStart = performance.now();
  const bodies = job.functionTypes === undefined ? undefined : compileVersionBodies({
    onnx: model.onnx, ioPlan: null, classes: model.classes ?? null, problemType: model.problemType, ...job.functionTypes,
  });
  if (bodies !== undefined) timings.push({ part: 'compile', seconds: (performance.now() - compileStart) / 1000 });
  return { model: { ...model, timings }, predictionBaseline, bodies };
}

function run(job: Job, threadStartedAt: number): void {
  running = true;
  abort = new AbortController();
  finish(job, abort.signal).then(
    (done) => parentPort!.postMessage({ type: 'done', ...done, threadStartedAt }),
    (error: Error) => parentPort!.postMessage({ type: 'error', name: error.name, message: error.message }),
  ).finally(() => {
    running = false;
  });
}

/**
 * A small model taken through every step first: a fresh thread runs the steps after boosting
 * (TreeSHAP, export, compile) in V8's interpreter until their functions are compiled, some
 * 200 ms of a 300-row model's 250 ms (cars, 100 trees); after this its first job runs them
 * compiled. Messages wait in the port until the listener below is added.
 */
async function warmUp(): Promise<void> {
  const rows = 400;
  const column = (name: string, f: (i: number) => number): TrainingColumn => ({ name, type: 'float8', values: Array.from({ length: rows }, (_, i) => f(i)) });
  const features = [column('a', (i) => (i * 37) % 101), column('b', (i) => (i * 13) % 7), column('c', (i) => (i % 11 === 0 ? NaN : (i * 7) % 23))];
  const functionTypes = { parameterTypes: ['float8', 'float8', 'float8'], returnType: 'float8' };
  const y = (i: number) => ((i * 37) % 101) / 10 + ((i * 13) % 7) - ((i * 7) % 23) / 5;
  await finish({
    type: 'train', features, target: column('y', y), functionTypes,
    spec: { modelType: 'XGBOOST', hyperparameters: { num_round: '20', max_depth: '6' }, seed: 1 },
  });
  await finish({
    type: 'train', features, target: { name: 'y', type: 'bool', values: Array.from({ length: rows }, (_, i) => y(i) > 5) },
    functionTypes: { ...functionTypes, returnType: 'bool' },
    spec: { modelType: 'XGBOOST', hyperparameters: { num_round: '10', max_depth: '6' }, seed: 1 },
  });
}

// Only a thread started ahead of its job warms up (one started for a waiting job would delay it).
// A warm-up that fails leaves a thread that is only slower: the jobs still run.
if ((workerData as { warmUp?: boolean } | null)?.warmUp) await warmUp().catch(() => {});
parentPort!.on('message', (m: 'abort' | Job) => {
  if (m === 'abort') abort.abort();
  // The job waited for the thread until now (the 'thread start' part).
  else if (m.type === 'train' && !running) run(m, Date.now());
});

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
