/**
 * Runs trainings in a worker thread, one at a time, so the proxy's event loop keeps serving
 * clients. It may be started ahead of its first job (training-runner.ts), and is kept for the
 * next one when a job ends well. A job comes as one message { type: 'train', features, target, spec,
 * functionTypes? }. Out: progress messages, then the model (its timings with the prediction
 * baseline's added), its functions' SQL bodies when the function's types came with the job, and
 * when the job reached the thread; or an error. A message 'abort' from the parent stops the
 * running training between rounds, keeping the model so far.
 */
import { parentPort, Worker, workerData } from 'node:worker_threads';
import { train } from '../training/index.ts';
import type { TrainedModel } from '../training/types.ts';
import { categoricalPredictionBaseline, numericPredictionBaseline, type PredictionBaseline } from '../monitor/prediction-baseline.ts';
import type { TrainingColumn, TrainingSpec } from '../training/types.ts';
import { compileVersionBodies, type VersionBodies, type VersionToCompile } from '../compile/version-bodies.ts';
import { threadCode } from '../util/thread-code.ts';
import type { FunctionTypes } from './training-runner.ts';

type Job = { type: 'train'; features: TrainingColumn[]; target: TrainingColumn | null; spec: TrainingSpec; functionTypes?: FunctionTypes };

/** The running (or waiting) job's: a message 'abort' stops it between rounds. */
let abort = new AbortController();
let running = false;

/**
 * The SQL bodies are compiled in a thread beside this one, from the artifact train() exports
 * before TreeSHAP, so the two overlap (on cars, 100 trees: some 100 ms each). It ends with this
 * thread; one that fails leaves the compiling to this thread.
 */
class BodyCompiler {
  private thread: Worker | null = null;
  private next = 0;
  private readonly waiting = new Map<number, (bodies: VersionBodies | null) => void>();

  constructor() {
    try {
      const thread = new Worker(threadCode(new URL('./compile-thread.ts', import.meta.url)), { eval: true });
      thread.unref();
      thread.on('message', ({ id, bodies }: { id: number; bodies?: VersionBodies }) => this.settle(id, bodies ?? null));
      const gone = () => {
        this.thread = null;
        for (const id of [...this.waiting.keys()]) this.settle(id, null);
      };
      thread.on('error', gone);
      thread.on('exit', gone);
      this.thread = thread;
    } catch {
      this.thread = null;
    }
  }

  /** The bodies, compiled beside this thread, or here when that thread failed. */
  compile(version: VersionToCompile): Promise<VersionBodies> {
    const id = this.next++;
    const arrived = new Promise<VersionBodies | null>((resolve) => this.waiting.set(id, resolve));
    if (this.thread === null) this.settle(id, null);
    else this.thread.postMessage({ id, version });
    return arrived.then((bodies) => bodies ?? compileVersionBodies(version));
  }

  private settle(id: number, bodies: VersionBodies | null): void {
    const done = this.waiting.get(id);
    this.waiting.delete(id);
    done?.(bodies);
  }
}

/** Started at the first compile, not with the thread: an idle spare thread has no thread of its own to end. */
let compiler: BodyCompiler | null = null;
const bodyCompiler = (): BodyCompiler => (compiler ??= new BodyCompiler());

/** The job's own work: training, then what registration needs (baseline, SQL bodies). */
async function finish(job: Job, report: boolean, signal?: AbortSignal): Promise<{ model: TrainedModel; predictionBaseline: PredictionBaseline; bodies?: VersionBodies }> {
  let compiling: Promise<VersionBodies> | undefined;
  const model = await train(job.features, job.target, job.spec, {
    signal,
    onProgress: report ? (p) => parentPort!.postMessage({ type: 'progress', progress: p }) : undefined,
    // Compiled beside this thread while TreeSHAP runs here (a large model's bodies take up to seconds).
    onExported: job.functionTypes && ((onnx, m) => {
      compiling = bodyCompiler().compile({ onnx, ioPlan: null, classes: m.classes ?? null, problemType: m.problemType, ...job.functionTypes! });
    }),
  });
  const baselineStart = performance.now();
  const predictionBaseline = predictionBaselineOf(model);
  const timings = [...model.timings, { part: 'baseline', seconds: (performance.now() - baselineStart) / 1000 }];
  // 'compile': the bodies' time not hidden behind TreeSHAP and the baseline.
  const compileStart = performance.now();
  const bodies = job.functionTypes === undefined ? undefined : await (compiling ?? bodyCompiler().compile({
    onnx: model.onnx, ioPlan: null, classes: model.classes ?? null, problemType: model.problemType, ...job.functionTypes,
  }));
  if (bodies !== undefined) timings.push({ part: 'compile', seconds: (performance.now() - compileStart) / 1000 });
  return { model: { ...model, timings }, predictionBaseline, bodies };
}

function run(job: Job, signal: AbortSignal, threadStartedAt: number): void {
  finish(job, true, signal).then(
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
 * compiled. The compile thread beside it warms up with the same two models.
 */
async function warmUp(signal: AbortSignal): Promise<void> {
  const rows = 400;
  const column = (name: string, f: (i: number) => number): TrainingColumn => ({ name, type: 'float8', values: Array.from({ length: rows }, (_, i) => f(i)) });
  const features = [column('a', (i) => (i * 37) % 101), column('b', (i) => (i * 13) % 7), column('c', (i) => (i % 11 === 0 ? NaN : (i * 7) % 23))];
  const functionTypes = { parameterTypes: ['float8', 'float8', 'float8'], returnType: 'float8' };
  const y = (i: number) => ((i * 37) % 101) / 10 + ((i * 13) % 7) - ((i * 7) % 23) / 5;
  await finish({
    type: 'train', features, target: column('y', y), functionTypes,
    spec: { modelType: 'XGBOOST', hyperparameters: { num_round: '20', max_depth: '6' }, seed: 1 },
  }, false, signal);
  if (signal.aborted) return;
  await finish({
    type: 'train', features, target: { name: 'y', type: 'bool', values: Array.from({ length: rows }, (_, i) => y(i) > 5) },
    functionTypes: { ...functionTypes, returnType: 'bool' },
    spec: { modelType: 'XGBOOST', hyperparameters: { num_round: '10', max_depth: '6' }, seed: 1 },
  }, false, signal);
}

// Only a thread started ahead of its job warms up; a job that comes meanwhile stops the warm-up
// (between its rounds and steps) and runs after it. A warm-up that fails leaves a thread that is
// only slower: the jobs still run.
const warming = new AbortController();
const warm = (workerData as { warmUp?: boolean } | null)?.warmUp ? warmUp(warming.signal).catch(() => {}) : Promise.resolve();
parentPort!.on('message', (m: 'abort' | Job) => {
  if (m === 'abort') abort.abort();
  else if (m.type === 'train' && !running) {
    running = true;
    abort = new AbortController();
    const signal = abort.signal;
    warming.abort();
    // The job waited for the thread until it starts (the 'thread start' part).
    void warm.then(() => run(m, signal, Date.now()));
  }
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
