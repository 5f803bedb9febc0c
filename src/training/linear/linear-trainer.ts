import { fitDesign } from '../mlp/standardised-design.ts';
import type { EncodingPlan } from '../data/feature-encoding.ts';
import type { TrainingBudget } from '../gbdt/gbdt-trainer.ts';
import type { Random } from '../util/random.ts';
import { minimizeLbfgs } from './lbfgs.ts';
import { logisticLoss, softmaxLoss } from './linear-losses.ts';
import { designRow, type LinearModel } from './linear-model.ts';
import { solveRidge } from './ridge-solver.ts';

export type LinearTask = { kind: 'regression' } | { kind: 'binary' } | { kind: 'multiclass'; classCount: number };

/** Design matrix cells kept in memory; above it the linear learner trains on a seeded row sample. */
const MAX_DESIGN_CELLS = 50_000_000;
/** Ridge penalty: tiny, it only has to keep collinear designs solvable and weights finite. */
const RIDGE_PER_ROW = 1e-4;
export const LINEAR_MAX_ITERATIONS = 200;

/**
 * The linear learner: ridge regression in closed form, logistic or softmax regression by L-BFGS,
 * on standardised numeric columns and one-hot category columns. Stops early (keeping the weights
 * so far) when the budget runs out.
 */
export async function trainLinear(
  plan: EncodingPlan,
  x: Float32Array,
  rows: number,
  y: Float64Array,
  task: LinearTask,
  random: Random,
  budget: TrainingBudget,
): Promise<{ model: LinearModel; cutShort: boolean }> {
  const k = plan.columns.length;
  const skeleton = layout(plan, x, rows);
  const d = skeleton.width;
  const sample = sampleRows(rows, d, random);
  const m = sample.length;
  const z = new Float64Array(m * d);
  const row = new Float64Array(d);
  const ys = new Float64Array(m);
  sample.forEach((r, i) => {
    designRow(skeleton, x, r * k, row);
    z.set(row, i * d);
    ys[i] = y[r];
  });
  if (task.kind === 'regression') {
    const { weights, bias } = ridge(z, ys, m, d);
    budget.onRound?.(1, 1);
    return { model: { ...skeleton, outputs: 1, weights: round(weights), bias: round([bias]), transform: 'identity' }, cutShort: false };
  }
  const outputs = task.kind === 'binary' ? 1 : task.classCount;
  const params = new Float64Array(d * outputs + outputs);
  // Start from the class priors so the first steps are spent on the features.
  const counts = new Float64Array(Math.max(2, outputs));
  for (const v of ys) counts[v]++;
  if (task.kind === 'binary') params[d] = Math.log(Math.max(counts[1], 1) / Math.max(counts[0], 1));
  else for (let c = 0; c < outputs; c++) params[d * outputs + c] = Math.log(Math.max(counts[c], 1) / m);
  const loss = task.kind === 'binary' ? logisticLoss(z, ys, m, d) : softmaxLoss(z, ys, m, d, outputs);
  let cutShort = false;
  await minimizeLbfgs(loss, params, {
    maxIterations: LINEAR_MAX_ITERATIONS,
    gradientTolerance: 1e-6,
    onIteration: async (done, total) => {
      budget.onRound?.(done, total);
      await budget.yield();
      if (budget.signal?.aborted || Date.now() > budget.deadline) {
        cutShort = true;
        return false;
      }
      return true;
    },
  });
  return {
    model: {
      ...skeleton,
      outputs,
      weights: round(params.subarray(0, d * outputs)),
      bias: round(params.subarray(d * outputs)),
      transform: task.kind === 'binary' ? 'sigmoid' : 'softmax',
    },
    cutShort,
  };
}

/** Column statistics (float32) and one-hot code lists, fitted as for MLP and KMEANS; weights are filled in later. */
function layout(plan: EncodingPlan, x: Float32Array, rows: number): LinearModel {
  const design = fitDesign(plan, x, rows);
  return { kind: 'linear', ...design, outputs: 1, weights: [], bias: [], transform: 'identity' };
}

function sampleRows(rows: number, d: number, random: Random): Int32Array {
  const cap = Math.max(1, Math.floor(MAX_DESIGN_CELLS / Math.max(1, d)));
  if (rows <= cap) return Int32Array.from({ length: rows }, (_, i) => i);
  const out: number[] = [];
  const p = cap / rows;
  for (let r = 0; r < rows; r++) if (random.next() < p) out.push(r);
  return Int32Array.from(out);
}

/** Ridge on centred data: the intercept is not penalised. */
function ridge(z: Float64Array, y: Float64Array, m: number, d: number): { weights: Float64Array; bias: number } {
  const zMean = new Float64Array(d);
  let yMean = 0;
  for (let i = 0; i < m; i++) {
    yMean += y[i];
    for (let j = 0; j < d; j++) zMean[j] += z[i * d + j];
  }
  yMean /= Math.max(1, m);
  for (let j = 0; j < d; j++) zMean[j] /= Math.max(1, m);
  const a = new Float64Array(d * d);
  const b = new Float64Array(d);
  const c = new Float64Array(d);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < d; j++) c[j] = z[i * d + j] - zMean[j];
    const yc = y[i] - yMean;
    for (let j = 0; j < d; j++) {
      const cj = c[j];
      if (cj === 0) continue;
      b[j] += cj * yc;
      for (let l = 0; l <= j; l++) a[j * d + l] += cj * c[l];
    }
  }
  for (let j = 0; j < d; j++) for (let l = j + 1; l < d; l++) a[j * d + l] = a[l * d + j];
  const weights = solveRidge(a, b, d, RIDGE_PER_ROW * m + 1e-9);
  let bias = yMean;
  for (let j = 0; j < d; j++) bias -= Math.fround(weights[j]) * zMean[j];
  return { weights, bias };
}

function round(values: ArrayLike<number>): number[] {
  return Array.from(values, Math.fround);
}
