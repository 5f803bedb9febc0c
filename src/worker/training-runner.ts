import { Worker } from 'node:worker_threads';
import type { Progress, TrainedModel, TrainingColumn, TrainingSpec } from '../training/types.ts';
import type { VersionBodies } from '../compile/version-bodies.ts';
import { threadCode } from '../util/thread-code.ts';

/** The model function's parameter and return types: given them, the thread compiles the SQL bodies too. */
export interface FunctionTypes {
  parameterTypes: string[];
  returnType: string;
}

/** What a training thread hands back: the model, its prediction baseline, and its SQL bodies if asked for. */
export type ThreadResult = TrainedModel & { predictionBaseline?: unknown; bodies?: VersionBodies; threadId: number };

export class TrainingFailure extends Error {
  constructor(readonly kind: string, message: string) {
    super(message);
  }
}

export interface RunningTraining {
  result: Promise<ThreadResult>;
  /** Stop between rounds and keep the model so far (MAX_RUNTIME, ALTER MODEL CANCEL keeps nothing). */
  stopEarly(): void;
  /** Stop at once, keeping nothing (the model was dropped). */
  kill(): Promise<void>;
}

/**
 * An idle training thread, its modules loaded, waiting for one 'train' message: starting a thread
 * costs about a second (the training modules, then a warm-up, training-thread.ts) and an idle
 * one some MB. A thread whose job ended well comes back here (its code compiled by then); one
 * per process, and it does not keep the process alive.
 */
let spare: Worker | null = null;
/** Takes the spare's own listeners off it (only ours: terminate() waits on one of its own). */
let releaseSpare = () => {};

/**
 * A thread is kept for the next job only after a job of at most this many cells (rows × columns):
 * an idle thread does not collect its garbage, and a large job's (the GBDT kernels' memory among
 * it) stayed held, some 80 MB after flights-200k's 200,000 × 3. After a larger job a new thread
 * starts and warms up instead.
 */
const REUSE_MAX_CELLS = 250_000;

/** `warmUp`: take a small model through every step before the first job (a thread started ahead of its job). */
function startThread(warmUp: boolean): Worker {
  return new Worker(threadCode(new URL('./training-thread.ts', import.meta.url)), { eval: true, workerData: { warmUp } });
}

/** Makes `thread` the spare, or ends it when there is one already. */
function keepIdle(thread: Worker): void {
  if (spare !== null) {
    void thread.terminate();
    return;
  }
  thread.unref();
  // One that fails (or is terminated) is not kept; the next training starts its own.
  const drop = () => {
    if (spare === thread) spare = null;
  };
  thread.once('error', drop);
  thread.once('exit', drop);
  spare = thread;
  releaseSpare = () => {
    thread.off('error', drop);
    thread.off('exit', drop);
  };
}

/**
 * Starts the spare thread now, if there is none, so that the next training need not wait for one.
 * `warmUp`: it also takes a small model through every step first. Not at the proxy's start: that
 * would be a second of CPU at every start, and a thread closed mid-warm-up (a proxy stopped right
 * after starting) could leave the close waiting on it.
 */
export function prepareTrainingThread(warmUp = true): void {
  if (spare === null) keepIdle(startThread(warmUp));
}

/** Ends the spare thread (a worker that stops). */
export async function closeTrainingThreads(): Promise<void> {
  const thread = spare;
  spare = null;
  await thread?.terminate();
}

/**
 * Runs a training in a worker thread: the spare one when there is one, else a new one; back to
 * spare when the job ends well and was small (REUSE_MAX_CELLS). The model's timings begin with
 * 'thread start' (how long the job waited for its thread to load its modules) and end with
 * 'baseline' (the prediction baseline) and, given functionTypes, 'compile' (the SQL bodies, then
 * in the result).
 */
export function runTraining(
  features: TrainingColumn[],
  target: TrainingColumn | null,
  spec: TrainingSpec,
  onProgress: (p: Progress) => void,
  functionTypes?: FunctionTypes,
): RunningTraining {
  const askedAt = Date.now();
  if (spare !== null) releaseSpare();
  const worker = spare ?? startThread(false);
  spare = null;
  worker.ref();
  const threadId = worker.threadId;
  const cells = (features[0]?.values.length ?? target?.values.length ?? 0) * (features.length + (target ? 1 : 0));
  // Queued until the thread listens, once its modules are loaded.
  worker.postMessage({ type: 'train', features, target, spec, functionTypes });
  /** Until the job ends: then the thread is no longer this job's to stop. */
  let ours = true;
  const result = new Promise<ThreadResult>((resolve, reject) => {
    const settle = (end: () => void, reuse: boolean) => {
      if (!ours) return;
      ours = false;
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      if (reuse && cells <= REUSE_MAX_CELLS) keepIdle(worker);
      else {
        void worker.terminate();
        // Its successor loads and warms up while the model registers.
        if (reuse) prepareTrainingThread();
      }
      end();
    };
    const onMessage = (m: {
      type: string; progress?: Progress; model?: TrainedModel; predictionBaseline?: unknown; bodies?: VersionBodies; threadStartedAt?: number;
      name?: string; message?: string;
    }) => {
      if (m.type === 'progress') onProgress(m.progress!);
      else if (m.type === 'done') {
        const threadStart = { part: 'thread start', seconds: Math.max(0, (m.threadStartedAt ?? askedAt) - askedAt) / 1000 };
        settle(() => resolve({ ...m.model!, timings: [threadStart, ...m.model!.timings], predictionBaseline: m.predictionBaseline, bodies: m.bodies, threadId }), true);
      } else if (m.type === 'error') {
        settle(() => reject(new TrainingFailure(m.name ?? 'Error', m.message ?? 'training failed')), false);
      }
    };
    const onError = (e: Error) => settle(() => reject(new TrainingFailure('Error', e.message)), false);
    const onExit = (code: number) => settle(() => reject(new TrainingFailure('Exit', `training thread exited with code ${code}`)), false);
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
  return {
    result,
    stopEarly: () => {
      if (ours) worker.postMessage('abort');
    },
    kill: async () => {
      if (ours) await worker.terminate();
    },
  };
}
