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
export const CTRL_WORDS = 9;

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

export type HistJob = RootJob | LevelJob | { kind: 'stop' };
