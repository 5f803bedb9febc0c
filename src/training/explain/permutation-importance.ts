import type { EncodingPlan } from '../data/feature-encoding.ts';
import { type FittedModel, marginsOf } from '../model/fitted-model.ts';
import type { TrainedProblemType } from '../types.ts';
import { createRandom, shuffledIndices } from '../util/random.ts';
import { explainRows } from './row-sample.ts';

/** Shuffles per feature; their mean increase is reported, so one unlucky shuffle matters less. */
export const PERMUTATION_REPEATS = 3;

export interface HeldOut {
  /** Base matrix of the held-out rows. */
  x: Float32Array;
  rows: number;
  /** Target as trained: values, or class ids. */
  y: Float64Array;
}

/**
 * Per feature column: mean held-out loss with the feature's values shuffled across the rows
 * (all its base columns moved together, so a date keeps its parts consistent) minus the loss
 * as is, averaged over PERMUTATION_REPEATS seeded shuffles, floored at 0 (a shuffle that happens
 * to help says the feature is useless, not harmful). The loss is the training loss read from
 * the margin: squared error for regression, log loss of sigmoid(margin) for binary, of
 * softmax(margins) for multiclass. At most MAX_EXPLAIN_ROWS held-out rows (seeded sample).
 */
export function permutationImportance(
  plan: EncodingPlan, model: FittedModel, problemType: TrainedProblemType, heldOut: HeldOut, seed: number,
): Float64Array {
  const k = plan.columns.length;
  const sample = explainRows(heldOut.rows, seed);
  const n = sample.length;
  const x = new Float32Array(n * k);
  const y = new Float64Array(n);
  sample.forEach((r, i) => {
    x.set(heldOut.x.subarray(r * k, (r + 1) * k), i * k);
    y[i] = heldOut.y[r];
  });
  const base = meanLoss(problemType, marginsOf(model, x, n), y, n, model.outputs);
  const random = createRandom(seed ^ 0x9e71);
  const shuffled = new Float32Array(x.length);
  return Float64Array.from(plan.features, (_, f) => {
    const columns = plan.columns.flatMap((c, j) => (c.feature === f ? [j] : []));
    let increase = 0;
    for (let rep = 0; rep < PERMUTATION_REPEATS; rep++) {
      const order = shuffledIndices(n, random);
      shuffled.set(x);
      for (let i = 0; i < n; i++) for (const c of columns) shuffled[i * k + c] = x[order[i] * k + c];
      increase += meanLoss(problemType, marginsOf(model, shuffled, n), y, n, model.outputs) - base;
    }
    return Math.max(0, increase / PERMUTATION_REPEATS);
  });
}

function meanLoss(problemType: TrainedProblemType, margins: Float64Array, y: Float64Array, n: number, outputs: number): number {
  let loss = 0;
  if (problemType === 'REGRESSION') {
    for (let r = 0; r < n; r++) loss += (margins[r] - y[r]) ** 2;
  } else if (outputs === 1) {
    for (let r = 0; r < n; r++) {
      const s = margins[r];
      // softplus(s) - y s without overflow.
      loss += (s > 0 ? s + Math.log1p(Math.exp(-s)) : Math.log1p(Math.exp(s))) - y[r] * s;
    }
  } else {
    for (let r = 0; r < n; r++) {
      let max = -Infinity;
      for (let c = 0; c < outputs; c++) max = Math.max(max, margins[r * outputs + c]);
      let sum = 0;
      for (let c = 0; c < outputs; c++) sum += Math.exp(margins[r * outputs + c] - max);
      loss += max + Math.log(sum) - margins[r * outputs + y[r]];
    }
  }
  return loss / Math.max(1, n);
}
