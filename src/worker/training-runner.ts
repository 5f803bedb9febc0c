import { Worker } from 'node:worker_threads';
import type { Progress, TrainedModel, TrainingColumn, TrainingSpec } from '../training/types.ts';

export class TrainingFailure extends Error {
  constructor(readonly kind: string, message: string) {
    super(message);
  }
}

export interface RunningTraining {
  result: Promise<TrainedModel & { predictionBaseline?: unknown }>;
  /** Stop between rounds and keep the model so far (MAX_RUNTIME, ALTER MODEL CANCEL keeps nothing). */
  stopEarly(): void;
  /** Stop at once, keeping nothing (the model was dropped). */
  kill(): Promise<void>;
}

/**
 * Starts a training in a worker thread of its own. The model's timings begin with 'thread start'
 * (loading the thread's modules) and end with 'baseline' (the prediction baseline).
 */
export function runTraining(
  features: TrainingColumn[],
  target: TrainingColumn | null,
  spec: TrainingSpec,
  onProgress: (p: Progress) => void,
): RunningTraining {
  // The sources are TypeScript: the thread registers tsx's loader, then loads them.
  const entry = new URL('./training-thread.ts', import.meta.url).href;
  const spawnedAt = Date.now();
  const worker = new Worker(
    `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`,
    { eval: true, workerData: { features, target, spec } },
  );
  const result = new Promise<TrainedModel & { predictionBaseline?: unknown }>((resolve, reject) => {
    worker.on('message', (m: {
      type: string; progress?: Progress; model?: TrainedModel; predictionBaseline?: unknown; threadStartedAt?: number; name?: string; message?: string;
    }) => {
      if (m.type === 'progress') onProgress(m.progress!);
      else if (m.type === 'done') {
        const threadStart = { part: 'thread start', seconds: Math.max(0, (m.threadStartedAt ?? spawnedAt) - spawnedAt) / 1000 };
        resolve({ ...m.model!, timings: [threadStart, ...m.model!.timings], predictionBaseline: m.predictionBaseline });
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
