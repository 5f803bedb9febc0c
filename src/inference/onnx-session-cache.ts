import os from 'node:os';
import { Worker } from 'node:worker_threads';
import ort from 'onnxruntime-node';
import type { ThreadReply, ThreadRequest, WireTensor } from './onnx-thread.ts';
import { closeOnnxThread } from './close-onnx-thread.ts';
import { MicroBatcher } from './micro-batcher.ts';
import { SESSION_OPTIONS } from './session-options.ts';
import { NO_ENDPOINTS, type RemoteEndpoints } from '../remote/endpoints.ts';
import type { RemotePredictor } from '../remote/remote-predictor.ts';
import { threadCode } from '../util/thread-code.ts';

/** What predictBatch needs of a model: its input names, in order, and a way to run a batch. */
export interface ModelRunner {
  readonly inputNames: readonly string[];
  run(feeds: Record<string, ort.Tensor>, fetches?: string[]): Promise<Record<string, ort.Tensor>>;
  /**
   * As run, for a model whose every input and output holds one row per row of the batch along
   * dimension 0 (as trained models' do): a large batch is cut into parts, run at once on idle
   * threads, their outputs joined in order. `feedsOf(from, to)` gives the feeds of rows
   * [from, to); each part is posted before the next one's feeds are made.
   */
  runParts?(
    rows: number,
    feedsOf: (from: number, to: number) => Record<string, ort.Tensor>,
    fetches?: string[],
  ): Promise<Record<string, ort.Tensor>>;
  /** A remote model (CREATE MODEL ... SAGEMAKER): predictBatch sends its rows to the endpoint instead. */
  readonly remote?: RemotePredictor;
}

/** Chooses the runner of an artifact's batches; `shared` is the pool every model uses by default. */
export interface RunnerRouter {
  route(jobName: string, shared: () => Promise<ModelRunner>): Promise<ModelRunner>;
}

/** onnxruntime refused an artifact's bytes: the stored model is damaged (see openVersion). */
export class ArtifactLoadError extends Error {}

/** Rows below which a batch is not cut into parts: posting a part costs more than its share. */
const MIN_PART_ROWS = 1024;

/**
 * Batches of at most this many rows run on the event loop's own thread: a one-row call costs
 * onnxruntime microseconds, less than the round trip to a worker thread and back.
 */
const INLINE_ROWS = 16;

/**
 * onnxruntime sessions for every artifact (its job name), shared by all connections and run on
 * a pool of worker threads: a large scoring query never blocks the event loop that serves the
 * other clients. A batch goes to the least busy thread; each thread loads an artifact once.
 */
export class OnnxSessionCache {
  private readonly threads: PooledThread[];
  private readonly runners = new Map<string, Promise<ModelRunner>>();

  constructor(threadCount = Math.max(1, Math.min(4, os.availableParallelism())), private readonly capacity = 32) {
    this.threads = Array.from({ length: threadCount }, () => new PooledThread());
  }

  /** The artifacts (job names) loaded or loading now. */
  loadedJobs(): string[] {
    return [...this.runners.keys()];
  }

  /** Whether an artifact is loaded or loading now: get then needs no bytes. */
  has(jobName: string): boolean {
    return this.runners.has(jobName);
  }

  /**
   * The runner of an artifact's batches: hosting's (src/hosting) when a router is set, which may
   * hand a hosted model's batches to its own inference units, or refuse the call (55000); else the
   * shared pool's.
   */
  get(jobName: string, load: () => Promise<Uint8Array>): Promise<ModelRunner> {
    return this.router ? this.router.route(jobName, () => this.shared(jobName, load)) : this.shared(jobName, load);
  }

  /** Hosting's router (ALTER MODEL m START), set once at start where hosting is followed. */
  router: RunnerRouter | null = null;

  /** Remote models' endpoints (--endpoint name=URL), set once at start. */
  remoteEndpoints: RemoteEndpoints = NO_ENDPOINTS;

  private shared(jobName: string, load: () => Promise<Uint8Array>): Promise<ModelRunner> {
    let runner = this.runners.get(jobName);
    if (runner) {
      this.runners.delete(jobName);
      this.runners.set(jobName, runner); // most recently used last
      return runner;
    }
    runner = this.open(jobName, load);
    runner.catch(() => this.runners.delete(jobName));
    this.runners.set(jobName, runner);
    if (this.runners.size > this.capacity) this.runners.delete(this.runners.keys().next().value!);
    return runner;
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.close()));
  }

  private async open(jobName: string, load: () => Promise<Uint8Array>): Promise<ModelRunner> {
    const onnx = await load();
    const loaded = await Promise.all(this.threads.map((t) => t.request({ kind: 'load', jobName, onnx })));
    const refused = loaded.find((reply) => !reply.ok);
    if (refused && !refused.ok) throw new ArtifactLoadError(refused.message);
    const inputNames = loaded[0].ok ? (loaded[0].inputNames ?? []) : [];
    const runOn = async (thread: PooledThread, wire: Record<string, WireTensor>, fetches?: string[]): Promise<Record<string, WireTensor>> => {
      const reply = await thread.request({ kind: 'run', jobName, feeds: wire, fetches });
      if (!reply.ok) throw new Error(reply.message);
      return reply.outputs ?? {};
    };
    // Made at the first small batch, from the same bytes and options as the threads' sessions.
    let inline: Promise<ort.InferenceSession> | null = null;
    const runInline = async (feeds: Record<string, ort.Tensor>, fetches?: string[]) => {
      inline ??= ort.InferenceSession.create(onnx, SESSION_OPTIONS);
      const session = await inline;
      return session.run(feeds, fetches ?? session.outputNames);
    };
    // Small batches of a trained model from several clients at once: one run (micro-batcher.ts).
    const batcher = new MicroBatcher((feeds) => runInline(feeds));
    const run = async (feeds: Record<string, ort.Tensor>, fetches?: string[]) => {
      const rows = Object.values(feeds)[0]?.dims[0] ?? 0;
      if (rows <= INLINE_ROWS) return runInline(feeds, fetches);
      const thread = this.threads.reduce((a, b) => (b.busy < a.busy ? b : a));
      const wire: Record<string, WireTensor> = {};
      for (const [name, t] of Object.entries(feeds)) wire[name] = { type: t.type, data: t.data, dims: t.dims };
      return toTensors(await runOn(thread, wire, fetches));
    };
    return {
      inputNames,
      run,
      runParts: async (rows, feedsOf, fetches) => {
        // Only idle threads take a part: a busy one would hold the whole batch up.
        const idle = this.threads.filter((t) => t.busy === 0);
        const parts = Math.min(idle.length, Math.floor(rows / MIN_PART_ROWS));
        if (rows <= INLINE_ROWS && !fetches) return batcher.run(rows, feedsOf(0, rows));
        if (parts < 2) return run(feedsOf(0, rows), fetches);
        const bounds = Array.from({ length: parts + 1 }, (_, p) => Math.round((rows * p) / parts));
        const replies = await Promise.all(
          idle.slice(0, parts).map((thread, p) => {
            const wire: Record<string, WireTensor> = {};
            for (const [name, t] of Object.entries(feedsOf(bounds[p], bounds[p + 1]))) wire[name] = { type: t.type, data: t.data, dims: t.dims };
            return runOn(thread, wire, fetches);
          }),
        );
        const outputs: Record<string, ort.Tensor> = {};
        for (const name of Object.keys(replies[0])) outputs[name] = concatRows(replies.map((r) => r[name]));
        return outputs;
      },
    };
  }
}

function toTensors(wire: Record<string, WireTensor>): Record<string, ort.Tensor> {
  const outputs: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(wire)) outputs[name] = new ort.Tensor(t.type, t.data as never, t.dims);
  return outputs;
}

/** The parts' outputs, one after the other along dimension 0. */
function concatRows(parts: WireTensor[]): ort.Tensor {
  const first = parts[0];
  const rows = parts.reduce((n, p) => n + p.dims[0], 0);
  const dims = [rows, ...first.dims.slice(1)];
  if (Array.isArray(first.data)) return new ort.Tensor(first.type, parts.flatMap((p) => p.data as string[]) as never, dims);
  const Typed = (first.data as unknown as { constructor: new (n: number) => { set(a: ArrayLike<unknown>, o: number): void } }).constructor;
  const length = parts.reduce((n, p) => n + (p.data as unknown as ArrayLike<unknown>).length, 0);
  const data = new Typed(length);
  let o = 0;
  for (const p of parts) {
    const d = p.data as unknown as ArrayLike<unknown>;
    data.set(d, o);
    o += d.length;
  }
  return new ort.Tensor(first.type, data as never, dims);
}

class PooledThread {
  private readonly worker: Worker;
  private next = 0;
  private waiting = new Map<number, (reply: ThreadReply) => void>();
  busy = 0;

  constructor() {
    // From the TypeScript sources, esbuild's synchronous API (under tsx's require) would start a
    // thread of its own unless ESBUILD_WORKER_THREADS is 0.
    this.worker = new Worker(threadCode(new URL('./onnx-thread.ts', import.meta.url), 'require'), {
      eval: true,
      env: { ...process.env, ESBUILD_WORKER_THREADS: '0' },
    });
    this.worker.unref();
    this.worker.on('message', (reply: ThreadReply) => {
      // The answer to close (id -1) ends no request.
      if (reply.id === -1) return;
      this.busy--;
      this.waiting.get(reply.id)?.(reply);
      this.waiting.delete(reply.id);
    });
    this.worker.on('error', (error) => {
      for (const resolve of this.waiting.values()) resolve({ id: -1, ok: false, message: error.message });
      this.waiting.clear();
    });
  }

  request(body: DistributiveOmit<ThreadRequest, 'id'>): Promise<ThreadReply> {
    const id = this.next++;
    this.busy++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.worker.postMessage({ ...body, id });
    });
  }

  async close(): Promise<void> {
    await closeOnnxThread(this.worker);
  }
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
