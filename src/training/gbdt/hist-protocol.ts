import type { XgbObjective } from '../spec/objectives.ts';
import type { BinWork } from './bin-matrix.ts';
import type { LeafTables } from './level-pass.ts';

/** Control words and jobs shared by hist-pool.ts and hist-worker.ts (indexes into the shared Int32Array). */
/** Job sequence number, set by the training thread to wake the helper. */
export const CTRL_SEQ = 0;
/** Sequence number of the last job the helper finished. */
export const CTRL_DONE = 1;
/** 0, or 1 when the helper's last job threw. */
export const CTRL_STATUS = 2;
/** 1 once the helper runs. */
export const CTRL_READY = 3;
/** Level jobs: sequence number when the training thread / the helper finished its rows of pass 1, and how many rows each listed. */
export const CTRL_MOVED_MAIN = 4;
export const CTRL_MOVED_HELPER = 5;
export const CTRL_COUNT_MAIN = 6;
export const CTRL_COUNT_HELPER = 7;
/** Jobs the helper finished without error, counted by the helper itself: proof that it ran. */
export const CTRL_HELPER_JOBS = 8;
/** Binning (bin-matrix.ts): the next feature to cut and features cut, the next row chunk to bin and chunks binned; -1 in CUT_DONE when the helper failed. */
export const CTRL_BIN_CUT_NEXT = 9;
export const CTRL_BIN_CUT_DONE = 10;
export const CTRL_BIN_ROW_NEXT = 11;
export const CTRL_BIN_ROW_DONE = 12;
/** Features and row chunks the helper binned, counted by the helper. */
export const CTRL_BIN_HELPER_CLAIMS = 13;
export const CTRL_WORDS = 14;

export interface RootJob {
  kind: 'root';
  hist: Float64Array;
  bins: Uint8Array;
  slot: Int32Array;
  gh: Float64Array;
  inSample: Uint8Array;
  n: number;
  /** The helper's features. */
  f0: number;
  f1: number;
}

export interface LevelJob {
  kind: 'level';
  hist: Float64Array;
  bins: Uint8Array;
  slot: Int32Array;
  gh: Float64Array;
  inSample: Uint8Array;
  position: Uint16Array;
  feature: Int32Array;
  tableOffset: Int32Array;
  goesRight: Uint8Array;
  leftId: Int32Array;
  smallOffset: Int32Array;
  smallRows: Int32Array;
  /** The helper moves rows [half, n) and lists them from smallRows[half]. */
  half: number;
  n: number;
  /** The helper's features in pass 2. */
  f0: number;
  f1: number;
}

/** Binning shared with the helper; it takes part only if it starts before the training thread has done everything. */
export interface BinJob {
  kind: 'bin';
  work: BinWork;
}

/** Gradients of rows [r0, r1) (objectives.ts). */
export interface GradientsJob {
  kind: 'gradients';
  objective: XgbObjective;
  margin: Float64Array;
  y: Float64Array;
  gh: Float64Array[];
  r0: number;
  r1: number;
}

/** The margin update of rows [r0, r1) (level-pass.ts LeafTables). */
export interface LeavesJob extends Omit<LeafTables, 'pool' | 'kernels'> {
  kind: 'leaves';
  r0: number;
  r1: number;
}

export type HistJob = RootJob | LevelJob | BinJob | GradientsJob | LeavesJob | { kind: 'stop' };

/** A job as the port carries it: with its sequence number, which the helper reports done. */
export type PostedJob = HistJob & { seq: number };
