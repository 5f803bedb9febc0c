import { createRandom, shuffledIndices } from '../util/random.ts';

/** Share of rows held out to measure the validation metric and to choose between AUTO candidates. */
export const HOLDOUT_FRACTION = 0.2;
/** Below this many rows nothing is held out: train and validate on all rows (said in the report). */
export const MIN_ROWS_FOR_HOLDOUT = 10;

/** Seeded split of 0..n-1 into training and validation positions, each ascending. */
export function holdoutSplit(n: number, seed: number): { train: Int32Array; validation: Int32Array; heldOut: boolean } {
  if (n < MIN_ROWS_FOR_HOLDOUT) {
    const all = Int32Array.from({ length: n }, (_, i) => i);
    return { train: all, validation: all, heldOut: false };
  }
  const order = shuffledIndices(n, createRandom(seed ^ 0x5eed));
  const v = Math.max(1, Math.round(n * HOLDOUT_FRACTION));
  return { train: order.slice(v).sort(), validation: order.slice(0, v).sort(), heldOut: true };
}
