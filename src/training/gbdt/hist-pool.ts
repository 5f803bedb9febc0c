import { type MessagePort, MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { binChunks, binClaimed, type BinWork, waitUntil } from './bin-matrix.ts';
import type { HistogramKernels } from './hist-kernels.ts';
import {
  CTRL_BIN_HELPER_CLAIMS, CTRL_BIN_ROW_DONE, CTRL_COUNT_HELPER, CTRL_COUNT_MAIN, CTRL_DONE, CTRL_HELPER_JOBS, CTRL_MOVED_HELPER, CTRL_MOVED_MAIN, CTRL_READY, CTRL_SEQ, CTRL_STATUS, CTRL_WORDS,
  type HistJob, type PostedJob,
} from './hist-protocol.ts';
import type { XgbObjective } from '../spec/objectives.ts';
import type { LeafTables, LevelTables } from './level-pass.ts';
import { OBJECTIVES } from './objectives.ts';
import { threadCode } from '../../util/thread-code.ts';

/** Below this many rows a second thread costs more (start-up, hand-offs) than it saves. */
export const PARALLEL_MIN_ROWS = 50_000;

/**
 * Histogram building on two threads: the training thread and one helper thread (hist-worker.ts)
 * read the same SharedArrayBuffer-backed bins, gradients, positions and row lists. Histograms are
 * split by feature (the training thread [0, mid), the helper [mid, features)), so they write
 * disjoint slots and every slot is summed by one thread in ascending row order, exactly as one
 * thread would: the model is bit-for-bit the single-thread one, and the helper may join late
 * (until it has started, the training thread does everything). Moving rows to their children
 * (pass 1 of a level) is split by rows, which involves no sums.
 * Hand-off: the job goes through a MessagePort (typed arrays over shared memory are not copied),
 * then a sequence number in a shared Int32Array wakes the helper (Atomics.notify); the training
 * thread does its share and sleeps on the done word (Atomics.wait). One helper per training,
 * unref'd, and terminated by close(). An exception in the helper fails the training; a helper
 * that dies outright mid-job (out of memory) is not detected and would leave the training waiting.
 * A helper that never starts, or dies between jobs, costs only speed; jobs and helperJobs show it
 * (the helper counts its own jobs in shared memory), and failure keeps why it stopped.
 * Measured and not kept (farm-bench, bench/gbdt-kernels.ts, load 7-13): jobs carrying byte offsets
 * into the kernels' memory instead of posted views (CPU 1.04x, 400k rows); the next round's
 * gradients computed block by block inside the margin update, one pass and one hand-off fewer
 * (CPU 1.03x); a second thread below PARALLEL_MIN_ROWS from dist/ (16k rows: CPU 1.16x, wall
 * 1.23x on the loaded machine, where no core is idle).
 */
export class HistPool {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly ctrl: Int32Array;
  private seq = 0;
  private dead = false;
  private histogramJobs = 0;
  /** Why the helper stopped or never started, if it did not stop by close(). */
  failure: unknown;

  private constructor(private readonly mid: number, private readonly features: number, memory: WebAssembly.Memory | undefined) {
    this.ctrl = new Int32Array(new SharedArrayBuffer(CTRL_WORDS * 4));
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(threadCode(new URL('./hist-worker.ts', import.meta.url)), {
      eval: true,
      workerData: { port: port2, ctrl: this.ctrl, memory },
      transferList: [port2],
    });
    this.worker.unref();
    this.worker.on('error', (error) => {
      this.failure ??= error;
      this.dead = true;
    });
    this.worker.on('exit', (code) => {
      if (!this.dead) this.failure ??= new Error(`GBDT histogram thread exited with code ${code}`);
      this.dead = true;
    });
  }

  /**
   * A pool when two threads pay off (enough rows, at least two features) and can start; else
   * undefined, or, when `required` (tests that must see two threads), an error saying why not.
   * memory: the training's KernelMemory's, when its kernels are WebAssembly (the helper then
   * instantiates them over the same memory).
   */
  static start(rows: number, features: number, required = false, memory?: WebAssembly.Memory): HistPool | undefined {
    if (rows < PARALLEL_MIN_ROWS || features < 2 || typeof SharedArrayBuffer !== 'function') {
      if (required) throw new Error(`GBDT on two threads needs ${PARALLEL_MIN_ROWS} rows, two features and SharedArrayBuffer`);
      return undefined;
    }
    try {
      return new HistPool(features >> 1, features, memory);
    } catch (error) {
      if (required) throw new Error('GBDT histogram thread could not be created', { cause: error });
      return undefined;
    }
  }

  /** Histograms built (root or level) while this pool was open, by one thread or two. */
  get jobs(): number {
    return this.histogramJobs;
  }

  /** Of those, the ones the helper thread did its share of, as the helper itself counted them. */
  get helperJobs(): number {
    return Atomics.load(this.ctrl, CTRL_HELPER_JOBS);
  }

  /** Features and row chunks of the binning the helper did (bin-matrix.ts binClaimed), as it counted them. */
  get helperBinClaims(): number {
    return Atomics.load(this.ctrl, CTRL_BIN_HELPER_CLAIMS);
  }

  /** Resolves once the helper runs (true) or has failed to start (false); for tests that must see both threads work. */
  async started(timeoutMs = 30_000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (!this.ready && !this.dead && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    return this.ready;
  }

  private get ready(): boolean {
    return !this.dead && Atomics.load(this.ctrl, CTRL_READY) === 1;
  }

  private post(job: HistJob): number {
    const seq = ++this.seq;
    this.port.postMessage({ ...job, seq } satisfies PostedJob);
    Atomics.store(this.ctrl, CTRL_SEQ, seq);
    Atomics.notify(this.ctrl, CTRL_SEQ);
    return seq;
  }

  private waitFor(index: number, seq: number): void {
    for (;;) {
      const v = Atomics.load(this.ctrl, index);
      if (v === seq) return;
      Atomics.wait(this.ctrl, index, v);
    }
  }

  /** Waits for the helper to finish job seq; a job that threw there fails the training (its rows are half done). */
  private finish(seq: number): void {
    this.waitFor(CTRL_DONE, seq);
    if (Atomics.load(this.ctrl, CTRL_STATUS) !== 0) {
      this.dead = true;
      const why = receiveMessageOnPort(this.port)?.message as { failed?: string } | undefined;
      this.failure ??= new Error('GBDT histogram thread failed', { cause: why?.failed });
      throw this.failure;
    }
  }

  /**
   * Binning (bin-matrix.ts BinWork) with the helper taking part if it runs before this thread has
   * claimed everything: the job is queued either way, and this thread waits only for the row
   * chunks the helper claimed.
   */
  shareBinning(work: BinWork): void {
    if (!this.dead) this.post({ kind: 'bin', work });
    binClaimed(work, this.ctrl);
    waitUntil(this.ctrl, CTRL_BIN_ROW_DONE, binChunks(work));
  }

  /** The root's histogram, features split between the two threads. */
  rootHistogram(kernels: HistogramKernels, hist: Float64Array, bins: Uint8Array, slot: Int32Array, gh: Float64Array, inSample: Uint8Array, n: number): void {
    const F = this.features;
    this.histogramJobs++;
    if (!this.ready) {
      kernels.root(hist, bins, slot, gh, inSample, n, 0, F);
      return;
    }
    const seq = this.post({ kind: 'root', hist, bins, slot, gh, inSample, n, f0: this.mid, f1: F });
    kernels.root(hist, bins, slot, gh, inSample, n, 0, this.mid);
    this.finish(seq);
  }

  /**
   * One level pass (level-pass.ts) on two threads: pass 1 by rows (this thread the first half,
   * listing from smallRows[0], the helper the rest, listing from smallRows[half]); then pass 2 by
   * features, each thread reading both lists in order, so every slot sees rows ascending.
   * False (nothing done) while the helper is not running yet.
   */
  level(t: LevelTables): boolean {
    this.histogramJobs++;
    if (!this.ready) return false;
    const { bins, slot, gh, inSample, position, feature, tableOffset, goesRight, leftId, smallOffset, hist, smallRows } = t;
    const F = this.features;
    const n = position.length;
    const half = n >> 1;
    const seq = this.post({
      kind: 'level', hist, bins, slot, gh, inSample, position, feature, tableOffset, goesRight, leftId, smallOffset, smallRows,
      half, n, f0: this.mid, f1: F,
    });
    const mine = t.kernels.move(bins, F, inSample, position, feature, tableOffset, goesRight, leftId, smallOffset, smallRows, 0, half, 0);
    Atomics.store(this.ctrl, CTRL_COUNT_MAIN, mine);
    Atomics.store(this.ctrl, CTRL_MOVED_MAIN, seq);
    Atomics.notify(this.ctrl, CTRL_MOVED_MAIN);
    this.waitFor(CTRL_MOVED_HELPER, seq);
    const theirs = Atomics.load(this.ctrl, CTRL_COUNT_HELPER);
    t.kernels.listed(hist, bins, slot, gh, position, smallOffset, smallRows, 0, mine, 0, this.mid);
    t.kernels.listed(hist, bins, slot, gh, position, smallOffset, smallRows, half, half + theirs, 0, this.mid);
    this.finish(seq);
    return true;
  }

  /** A round's gradients (objectives.ts), rows halved between the threads; this thread does all while the helper is not running. */
  gradients(objective: XgbObjective, margin: Float64Array, y: Float64Array, gh: Float64Array[]): void {
    const n = y.length;
    if (!this.ready) {
      OBJECTIVES[objective].gradients(margin, y, gh, 0, n);
      return;
    }
    const half = n >> 1;
    const seq = this.post({ kind: 'gradients', objective, margin, y, gh, r0: half, r1: n });
    OBJECTIVES[objective].gradients(margin, y, gh, 0, half);
    this.finish(seq);
  }

  /** A tree's margin update (level-pass.ts addLeafValues), rows halved between the threads; false (nothing done) while the helper is not running. */
  leaves(t: LeafTables): boolean {
    if (!this.ready) return false;
    const n = t.position.length;
    const half = n >> 1;
    const { pool: _, kernels, ...tables } = t;
    const seq = this.post({ kind: 'leaves', ...tables, r0: half, r1: n });
    kernels.leaves(t.margin, t.outputs, t.output, t.value, t.bins, t.features, t.position, t.feature, t.tableOffset, t.goesRight, t.leftId, 0, half);
    this.finish(seq);
    return true;
  }

  close(): void {
    if (!this.dead) {
      this.post({ kind: 'stop' });
    }
    this.dead = true;
    this.port.close();
    this.worker.terminate().catch(() => undefined);
  }
}
