/**
 * The histogram helper thread (see hist-pool.ts). Waits on the control word, takes the job that
 * came with it from its port, does its share, and reports done. Blocks its own event loop on
 * purpose: it does nothing else.
 */
import { type MessagePort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { listedHistogramRange, moveRowsRange, rootHistogramRange } from './hist-kernels.ts';
import {
  CTRL_COUNT_HELPER, CTRL_COUNT_MAIN, CTRL_DONE, CTRL_HELPER_JOBS, CTRL_MOVED_HELPER, CTRL_MOVED_MAIN, CTRL_READY, CTRL_SEQ, CTRL_STATUS,
  type LevelJob, type HistJob,
} from './hist-protocol.ts';

const { port, ctrl } = workerData as { port: MessagePort; ctrl: Int32Array };

function level(j: LevelJob, seq: number): void {
  const F = j.slot.length;
  const mine = moveRowsRange(j.bins, F, j.inSample, j.position, j.feature, j.tableOffset, j.goesRight, j.leftId, j.smallOffset, j.smallRows, j.half, j.n, j.half);
  Atomics.store(ctrl, CTRL_COUNT_HELPER, mine);
  Atomics.store(ctrl, CTRL_MOVED_HELPER, seq);
  Atomics.notify(ctrl, CTRL_MOVED_HELPER);
  waitFor(CTRL_MOVED_MAIN, seq);
  const theirs = Atomics.load(ctrl, CTRL_COUNT_MAIN);
  listedHistogramRange(j.hist, j.bins, j.slot, j.gh, j.position, j.smallOffset, j.smallRows, 0, theirs, j.f0, j.f1);
  listedHistogramRange(j.hist, j.bins, j.slot, j.gh, j.position, j.smallOffset, j.smallRows, j.half, j.half + mine, j.f0, j.f1);
}

function waitFor(index: number, seq: number): void {
  for (;;) {
    const v = Atomics.load(ctrl, index);
    if (v === seq) return;
    Atomics.wait(ctrl, index, v);
  }
}

let last = 0;
Atomics.store(ctrl, CTRL_READY, 1);
for (;;) {
  Atomics.wait(ctrl, CTRL_SEQ, last);
  const seq = Atomics.load(ctrl, CTRL_SEQ);
  let received = receiveMessageOnPort(port);
  // postMessage has queued the job before the sequence number moved; this is only a safeguard.
  while (received === undefined) {
    Atomics.wait(ctrl, CTRL_SEQ, seq, 1);
    received = receiveMessageOnPort(port);
  }
  const job = received.message as HistJob;
  if (job.kind === 'stop') break;
  let status = 0;
  try {
    if (job.kind === 'root') rootHistogramRange(job.hist, job.bins, job.slot, job.gh, job.inSample, job.n, job.f0, job.f1);
    else level(job, seq);
  } catch {
    status = 1;
    // Never leave the training thread waiting for pass 1.
    Atomics.store(ctrl, CTRL_MOVED_HELPER, seq);
    Atomics.notify(ctrl, CTRL_MOVED_HELPER);
  }
  last = seq;
  if (status === 0) Atomics.add(ctrl, CTRL_HELPER_JOBS, 1);
  Atomics.store(ctrl, CTRL_STATUS, status);
  Atomics.store(ctrl, CTRL_DONE, seq);
  Atomics.notify(ctrl, CTRL_DONE);
}
port.close();
