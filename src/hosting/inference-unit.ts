import { Worker } from 'node:worker_threads';
import type { ThreadReply, ThreadRequest, WireTensor } from '../inference/onnx-thread.ts';
import { closeOnnxThread } from '../inference/close-onnx-thread.ts';
import { threadCode } from '../util/thread-code.ts';

/**
 * One inference unit: an onnxruntime session of one artifact, loaded and kept warm on a thread of
 * its own (the inference pool's thread program, src/inference/onnx-thread.ts), running one batch
 * at a time: a fixed slice of throughput. `onExit` is called once if the thread dies unasked.
 */
export class InferenceUnit {
  private readonly worker: Worker;
  private next = 0;
  private readonly waiting = new Map<number, (reply: ThreadReply) => void>();
  private ended = false;
  busy = false;
  /** When the unit last finished a batch (or was made): the scaling policy's idle clock. */
  lastUsed = Date.now();
  inputNames: readonly string[] = [];

  constructor(
    private readonly jobName: string,
    onExit: (unit: InferenceUnit, reason: string) => void,
  ) {
    this.worker = new Worker(threadCode(new URL('../inference/onnx-thread.ts', import.meta.url)), { eval: true });
    this.worker.unref();
    this.worker.on('message', (reply: ThreadReply) => {
      this.waiting.get(reply.id)?.(reply);
      this.waiting.delete(reply.id);
    });
    const die = (reason: string) => {
      const asked = this.ended;
      this.ended = true;
      for (const resolve of this.waiting.values()) resolve({ id: -1, ok: false, message: `inference unit stopped: ${reason}` });
      this.waiting.clear();
      if (!asked) onExit(this, reason);
    };
    this.worker.on('error', (error) => die(error.message));
    this.worker.on('exit', (code) => die(`its thread exited (code ${code})`));
  }

  get alive(): boolean {
    return !this.ended;
  }

  /** Loads the artifact into the unit's session; throws when onnxruntime cannot. */
  async load(onnx: Uint8Array): Promise<void> {
    const reply = await this.request({ kind: 'load', jobName: this.jobName, onnx });
    if (!reply.ok) throw new Error(reply.message);
    this.inputNames = reply.inputNames ?? [];
  }

  async run(feeds: Record<string, WireTensor>, fetches?: string[]): Promise<Record<string, WireTensor>> {
    const reply = await this.request({ kind: 'run', jobName: this.jobName, feeds, fetches });
    if (!reply.ok) throw new Error(reply.message);
    return reply.outputs ?? {};
  }

  /** Ends the thread when asked (scaling down, stopping), once the batch it runs, if any, is done. */
  async terminate(): Promise<void> {
    this.ended = true;
    await closeOnnxThread(this.worker);
  }

  /**
   * Ends the thread as a crash would: the pool sees the unit die and replaces it. Only for an
   * idle unit: a thread terminated in the middle of a run aborts the process (onnx-thread.ts).
   */
  async kill(): Promise<void> {
    await this.worker.terminate();
  }

  private request(body: DistributiveOmit<ThreadRequest, 'id'>): Promise<ThreadReply> {
    if (this.ended) return Promise.resolve({ id: -1, ok: false, message: 'inference unit stopped' });
    const id = this.next++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.worker.postMessage({ ...body, id });
    });
  }
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
