import type { OutputTransform } from '../gbdt/objectives.ts';
import type { Predictions } from '../types.ts';

/**
 * Margins to predictions exactly as output-head.ts computes them in the graph: every step rounded
 * to float32, ArgMax taking the first of equal values. Transcendentals (exp) are computed in
 * float64 and then rounded, so they may differ from onnxruntime's float32 kernels in the last bit.
 */
export function applyOutput(transform: OutputTransform, classification: boolean, margins: Float64Array, rows: number, outputs: number): Predictions {
  if (!classification) {
    const out = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      const m = margins[r];
      out[r] = transform === 'sigmoid' ? logistic(-m) : transform === 'exp' ? Math.fround(Math.exp(m)) : m;
    }
    return out;
  }
  const labels = new Int32Array(rows);
  const probabilities: Float64Array[] = [];
  for (let r = 0; r < rows; r++) {
    let p: Float64Array;
    if (transform === 'softmax') {
      p = new Float64Array(outputs);
      let max = -Infinity;
      for (let k = 0; k < outputs; k++) max = Math.max(max, margins[r * outputs + k]);
      let sum = 0;
      for (let k = 0; k < outputs; k++) sum += p[k] = Math.exp(margins[r * outputs + k] - max);
      for (let k = 0; k < outputs; k++) p[k] = Math.fround(p[k] / sum);
    } else {
      const m = margins[r];
      p = transform === 'hinge'
        ? Float64Array.of(m > 0 ? 0 : 1, m > 0 ? 1 : 0)
        : Float64Array.of(logistic(m), logistic(-m));
    }
    let best = 0;
    for (let k = 1; k < p.length; k++) if (p[k] > p[best]) best = k;
    labels[r] = best;
    probabilities.push(p);
  }
  return { labels, probabilities };
}

/** As the graph computes it: Exp, then Add and Div, each rounded to float32. */
function logistic(negated: number): number {
  return Math.fround(1 / Math.fround(1 + Math.fround(Math.exp(negated))));
}
