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
export type ThreadResult = TrainedModel & { predictionBaseline?: unknown; bodies?: VersionBodies };

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
 * A training thread started ahead of its job, its modules loaded, waiting idle for one 'train'
 * message: starting a thread costs about a second (tsx's loader, then the training modules) and
 * an idle one about 7 MB. One per process; it does not keep the process alive.
 */
let spare: Worker | null = null;

function startThread(): Worker {
  return new Worker(threadCode(new URL('./training-thread.ts', import.meta.url)), { eval: true });
}

/** Starts the spare thread now, if there is none, so that the next training need not wait for one. */
export function prepareTrainingThread(): void {
  if (spare !== null) return;
  const thread = startThread();
  thread.unref();
  // One that fails to start (or is terminated) is not kept; the next training starts its own.
  const drop = () => {
    if (spare === thread) spare = null;
  };
  thread.once('error', drop);
  thread.once('exit', drop);
  spare = thread;
}

/** Ends the spare thread (a worker that stops). */
export async function closeTrainingThreads(): Promise<void> {
  const thread = spare;
  spare = null;
  await thread?.terminate();
}

/**
 * Runs a training in a worker thread of its own: the spare one when there is one, else a new one.
 * The model's timings begin with 'thread start' (how long the job waited for its thread to load
 * its modules) and end with 'baseline' (the prediction baseline) and, given functionTypes,
 * 'compile' (the SQL bodies, then in the result).
 */
export function runTraining(
  features: TrainingColumn[],
  target: TrainingColumn | null,
  spec: TrainingSpec,
  onProgress: (p: Progress) => void,
  functionTypes?: FunctionTypes,
): RunningTraining {
  const askedAt = Date.now();
  const worker = spare ?? startThread();
  spare = null;
  worker.ref();
  // Queued until the thread listens, once its modules are loaded.
  worker.postMessage({ type: 'train', features, target, spec, functionTypes });
  const result = new Promise<ThreadResult>((resolve, reject) => {
    worker.on('message', (m: {
      type: string; progress?: Progress; model?: TrainedModel; predictionBaseline?: unknown; bodies?: VersionBodies; threadStartedAt?: number;
      name?: string; message?: string;
    }) => {
      if (m.type === 'progress') onProgress(m.progress!);
      else if (m.type === 'done') {
        const threadStart = { part: 'thread start', seconds: Math.max(0, (m.threadStartedAt ?? askedAt) - askedAt) / 1000 };
        resolve({ ...m.model!, timings: [threadStart, ...m.model!.timings], predictionBaseline: m.predictionBaseline, bodies: m.bodies });
        void worker.terminate();
      } else if (m.type === 'error') {
        reject(new TrainingFailure(m.name ?? 'Error', m.message ?? 'training failed'));
        void worker.terminate();
      }
    });
    worker.on('error', (e) => reject(new TrainingFailure('Error', e.message)));
    worker.on('exit', (code) => reject(new TrainingFailure('Exit', `training thread exited with code ${code}`)));
  });
  return {
    result,
    stopEarly: () => worker.postMessage('abort'),
    kill: async () => {
      await worker.terminate();
    },
  };
}
