import type { Worker } from 'node:worker_threads';

/** How long a thread may take to finish its runs before it is terminated anyway. */
const CLOSE_GRACE_MS = 60_000;

/**
 * Ends a thread running onnx-thread.ts: asks it to close (it finishes its loads and runs,
 * releases its sessions and ends), and resolves once it has ended. Terminating it outright in the
 * middle of a run would abort the process (see onnx-thread.ts).
 */
export async function closeOnnxThread(worker: Worker): Promise<void> {
  // threadId is -1 once the thread has ended: no 'exit' event would come.
  if (worker.threadId === -1) return;
  const ended = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  // Pool threads are unref'd so they never hold the process open; waiting for one to end must.
  worker.ref();
  worker.postMessage({ id: -1, kind: 'close' });
  const lastResort = setTimeout(() => void worker.terminate(), CLOSE_GRACE_MS);
  lastResort.unref();
  await ended;
  clearTimeout(lastResort);
}
