import type { EncodingPlan } from '../data/feature-encoding.ts';

/**
 * The input layer MLP and KMEANS share with the linear learner: numeric base columns standardised
 * (Sub mean, Mul 1/std, both float32; NaN, i.e. missing, becomes 0 = the mean), then each text
 * column one-hot over its most frequent category codes (unseen and missing = all zeros).
 * LinearModel has the same fields and linear-trainer.ts fits them the same way; this is the
 * same fit for models that are not linear. Plain data.
 */
export interface StandardisedDesign {
  /** Base-matrix width k. */
  features: number;
  numeric: Array<{ column: number; mean: number; scale: number }>;
  oneHot: Array<{ column: number; codes: number[] }>;
  /** Design width = numeric.length + all codes. */
  width: number;
}

/** One-hot columns per text feature, as the linear learner: its 100 most frequent categories. */
export const MAX_ONE_HOT = 100;

/** Means and 1/std over the finite values (population std; 0 when constant), one-hot code lists. */
export function fitDesign(plan: EncodingPlan, x: Float32Array, rows: number): StandardisedDesign {
  const k = plan.columns.length;
  const numeric: StandardisedDesign['numeric'] = [];
  const oneHot: StandardisedDesign['oneHot'] = [];
  plan.columns.forEach((col, c) => {
    if (col.kind === 'category') {
      const f = plan.features[col.feature];
      const counts = f.kind === 'category' ? f.counts : [];
      const codes = counts.map((n, code) => ({ n, code }))
        .sort((a, b) => b.n - a.n || a.code - b.code)
        .slice(0, MAX_ONE_HOT)
        .map((e) => e.code)
        .sort((a, b) => a - b);
      if (codes.length > 0) oneHot.push({ column: c, codes });
      return;
    }
    let n = 0;
    let sum = 0;
    for (let r = 0; r < rows; r++) {
      const v = x[r * k + c];
      if (Number.isFinite(v)) {
        n++;
        sum += v;
      }
    }
    const mean = n > 0 ? sum / n : 0;
    let ss = 0;
    for (let r = 0; r < rows; r++) {
      const v = x[r * k + c];
      if (Number.isFinite(v)) ss += (v - mean) ** 2;
    }
    const std = n > 1 ? Math.sqrt(ss / n) : 0;
    numeric.push({ column: c, mean: Math.fround(mean), scale: Math.fround(std > 0 ? 1 / std : 0) });
  });
  // A model needs at least one input column; a constant 0 is harmless.
  if (numeric.length === 0 && oneHot.length === 0) numeric.push({ column: 0, mean: 0, scale: 0 });
  const width = numeric.length + oneHot.reduce((s, h) => s + h.codes.length, 0);
  return { features: k, numeric, oneHot, width };
}

/**
 * One design row as onnxruntime computes it (design-graph.ts): Sub then Mul in float32, each
 * rounded, NaN to 0; one-hot as Equal on the float32 code. Every value written is a float32.
 */
export function designRow(design: StandardisedDesign, x: Float32Array, offset: number, out: Float64Array | Float32Array): void {
  let j = 0;
  for (const c of design.numeric) {
    const z = Math.fround(Math.fround(x[offset + c.column] - c.mean) * c.scale);
    out[j++] = Number.isNaN(z) ? 0 : z;
  }
  for (const h of design.oneHot) {
    const v = x[offset + h.column];
    for (const code of h.codes) out[j++] = v === code ? 1 : 0;
  }
}
