/**
 * Loss-and-gradient closures for L-BFGS over a dense design matrix z (m × d, row-major). The
 * intercepts are not penalised; the small L2 penalty keeps separable data from driving the
 * weights to infinity.
 */
const L2_CLASSIFICATION = 1e-4;

/** Mean log loss of sigmoid(z·w + b) plus (λ/2)|w|²; params are w (d) then b. */
export function logisticLoss(z: Float64Array, y: Float64Array, m: number, d: number) {
  return (w: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    let loss = 0;
    const bias = w[d];
    for (let i = 0; i < m; i++) {
      let s = bias;
      for (let j = 0; j < d; j++) s += z[i * d + j] * w[j];
      // softplus(s) - y*s, computed without overflow.
      loss += (s > 0 ? s + Math.log1p(Math.exp(-s)) : Math.log1p(Math.exp(s))) - y[i] * s;
      const e = 1 / (1 + Math.exp(-s)) - y[i];
      for (let j = 0; j < d; j++) grad[j] += e * z[i * d + j];
      grad[d] += e;
    }
    let penalty = 0;
    for (let j = 0; j < d; j++) {
      grad[j] = grad[j] / m + L2_CLASSIFICATION * w[j];
      penalty += w[j] * w[j];
    }
    grad[d] /= m;
    return loss / m + 0.5 * L2_CLASSIFICATION * penalty;
  };
}

/** Mean cross-entropy of softmax(z·W + b) plus (λ/2)|W|²; params are W (d × c, row-major) then b (c). */
export function softmaxLoss(z: Float64Array, y: Float64Array, m: number, d: number, c: number) {
  const score = new Float64Array(c);
  return (w: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    let loss = 0;
    const b0 = d * c;
    for (let i = 0; i < m; i++) {
      for (let k = 0; k < c; k++) score[k] = w[b0 + k];
      for (let j = 0; j < d; j++) {
        const v = z[i * d + j];
        if (v === 0) continue;
        for (let k = 0; k < c; k++) score[k] += v * w[j * c + k];
      }
      let max = -Infinity;
      for (let k = 0; k < c; k++) max = Math.max(max, score[k]);
      let sum = 0;
      for (let k = 0; k < c; k++) sum += Math.exp(score[k] - max);
      const lse = max + Math.log(sum);
      loss += lse - score[y[i]];
      for (let k = 0; k < c; k++) {
        const e = Math.exp(score[k] - lse) - (y[i] === k ? 1 : 0);
        grad[b0 + k] += e;
        for (let j = 0; j < d; j++) {
          const v = z[i * d + j];
          if (v !== 0) grad[j * c + k] += e * v;
        }
      }
    }
    let penalty = 0;
    for (let j = 0; j < d * c; j++) {
      grad[j] = grad[j] / m + L2_CLASSIFICATION * w[j];
      penalty += w[j] * w[j];
    }
    for (let k = 0; k < c; k++) grad[b0 + k] /= m;
    return loss / m + 0.5 * L2_CLASSIFICATION * penalty;
  };
}
