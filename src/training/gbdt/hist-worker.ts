/**
 * The histogram helper thread (see hist-pool.ts). Waits on the control word, takes the job that
 * came with it from its port, does its share, and reports done. Blocks its own event loop on
 * purpose: it does nothing else.
 */
import { type MessagePort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { binClaimed } from './bin-matrix.ts';
import { OBJECTIVES } from './objectives.ts';
import { histogramKernels } from './wasm/wasm-kernels.ts';
import {
  CTRL_BIN_CUT_DONE, CTRL_BIN_HELPER_CLAIMS, CTRL_BIN_ROW_DONE, CTRL_COUNT_HELPER, CTRL_COUNT_MAIN, CTRL_DONE, CTRL_HELPER_JOBS, CTRL_MOVED_HELPER, CTRL_MOVED_MAIN, CTRL_READY, CTRL_SEQ, CTRL_STATUS,
  type LevelJob, type PostedJob,
} from './hist-protocol.ts';

const { port, ctrl, memory } = workerData as { port: MessagePort; ctrl: Int32Array; memory: WebAssembly.Memory | undefined };
/** The training thread's kind of kernels, over the same memory when WebAssembly. */
const kernels = histogramKernels(memory);

function level(j: LevelJob, seq: number): void {
  const F = j.slot.length;
  const mine = kernels.move(j.bins, F, j.inSample, j.position, j.feature, j.tableOffset, j.goesRight, j.leftId, j.smallOffset, j.smallRows, j.half, j.n, j.half);
  Atomics.store(ctrl, CTRL_COUNT_HELPER, mine);
  Atomics.store(ctrl, CTRL_MOVED_HELPER, seq);
  Atomics.notify(ctrl, CTRL_MOVED_HELPER);
  waitFor(CTRL_MOVED_MAIN, seq);
  const theirs = Atomics.load(ctrl, CTRL_COUNT_MAIN);
  kernels.listed(j.hist, j.bins, j.slot, j.gh, j.position, j.smallOffset, j.smallRows, 0, theirs, j.f0, j.f1);
  kernels.listed(j.hist, j.bins, j.slot, j.gh, j.position, j.smallOffset, j.smallRows, j.half, j.half + mine, j.f0, j.f1);
}

function waitFor(index: number, seq: number): void {
  for (;;) {
    const v = Atomics.load(ctrl, index);
    if (v === seq) return;
    Atomics.wait(ctrl, index, v);
  }
}

/** Runs one job; false for stop. A job that throws is reported in CTRL_STATUS, and never leaves the training thread waiting. */
function run(job: PostedJob): boolean {
  if (job.kind === 'stop') return false;
  const seq = job.seq;
  let status = 0;
  try {
    if (job.kind === 'root') kernels.root(job.hist, job.bins, job.slot, job.gh, job.inSample, job.n, job.f0, job.f1);
    else if (job.kind === 'level') level(job, seq);
    else if (job.kind === 'gradients') OBJECTIVES[job.objective].gradients(job.margin, job.y, job.gh, job.r0, job.r1);
    else if (job.kind === 'leaves') {
      kernels.leaves(job.margin, job.outputs, job.output, job.value, job.bins, job.features, job.position, job.feature, job.tableOffset, job.goesRight, job.leftId, job.r0, job.r1);
    } else binClaimed(job.work, ctrl, CTRL_BIN_HELPER_CLAIMS);
  } catch (error) {
    status = 1;
    // Why, for the training thread's error (before DONE moves, so it is queued when that is seen).
    port.postMessage({ failed: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    if (job.kind === 'level') {
      Atomics.store(ctrl, CTRL_MOVED_HELPER, seq);
      Atomics.notify(ctrl, CTRL_MOVED_HELPER);
    } else if (job.kind === 'bin') {
      for (const word of [CTRL_BIN_CUT_DONE, CTRL_BIN_ROW_DONE]) {
        Atomics.store(ctrl, word, -1);
        Atomics.notify(ctrl, word);
      }
    }
  }
  // Only histograms count: trainGbdt reports how many the helper did its share of.
  if (status === 0 && (job.kind === 'root' || job.kind === 'level')) Atomics.add(ctrl, CTRL_HELPER_JOBS, 1);
  Atomics.store(ctrl, CTRL_STATUS, status);
  Atomics.store(ctrl, CTRL_DONE, seq);
  Atomics.notify(ctrl, CTRL_DONE);
  return true;
}

// Jobs come in order through the port, each posted before the sequence number moves; a binning
// job may still be queued behind when the helper starts (the training thread does not wait for
// it), so every queued job is run with its own sequence number.
let last = 0;
Atomics.store(ctrl, CTRL_READY, 1);
loop: for (;;) {
  Atomics.wait(ctrl, CTRL_SEQ, last);
  const seq = Atomics.load(ctrl, CTRL_SEQ);
  while (last < seq) {
    const received = receiveMessageOnPort(port);
    // postMessage has queued the job before the sequence number moved; this is only a safeguard.
    if (received === undefined) {
      Atomics.wait(ctrl, CTRL_SEQ, seq, 1);
      continue;
    }
    const job = received.message as PostedJob;
    last = job.seq;
    if (!run(job)) break loop;
  }
}
port.close();
