import type { EncodingPlan } from '../data/feature-encoding.ts';
import { designRow, type LinearModel } from '../linear/linear-model.ts';

/**
 * Per feature column: sum over its design columns of |weight| (summed over outputs) × the design
 * column's population standard deviation over the training rows. A standardised number has std
 * near 1 (below 1 when values are missing: they sit at 0, the mean); a one-hot column has
 * sqrt(p(1 - p)). So each term is the margin change of a typical (one-std) move of that column.
 */
export function coefficientImportance(plan: EncodingPlan, model: LinearModel, x: Float32Array, rows: number): Float64Array {
  const d = model.width;
  const sum = new Float64Array(d);
  const sumSquares = new Float64Array(d);
  const z = new Float64Array(d);
  for (let r = 0; r < rows; r++) {
    designRow(model, x, r * model.features, z);
    for (let j = 0; j < d; j++) {
      sum[j] += z[j];
      sumSquares[j] += z[j] * z[j];
    }
  }
  const out = new Float64Array(plan.features.length);
  designSources(plan, model).forEach((feature, j) => {
    const mean = sum[j] / Math.max(1, rows);
    const std = Math.sqrt(Math.max(0, sumSquares[j] / Math.max(1, rows) - mean * mean));
    let w = 0;
    for (let o = 0; o < model.outputs; o++) w += Math.abs(model.weights[j * model.outputs + o]);
    out[feature] += w * std;
  });
  return out;
}

/** Source feature of each design column, in designRow's order: numeric columns, then one-hot codes. */
export function designSources(plan: EncodingPlan, model: Pick<LinearModel, 'numeric' | 'oneHot'>): number[] {
  return [
    ...model.numeric.map((c) => plan.columns[c.column].feature),
    ...model.oneHot.flatMap((h) => h.codes.map(() => plan.columns[h.column].feature)),
  ];
}
