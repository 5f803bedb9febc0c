/** What the network's output layer is trained for; its width is 1, 1 or classCount. */
export type MlpTask = { kind: 'regression' } | { kind: 'binary' } | { kind: 'multiclass'; classCount: number };

export function outputWidth(task: MlpTask): number {
  return task.kind === 'multiclass' ? task.classCount : 1;
}

/**
 * Summed loss over a batch of outputs (rows × width) and its gradient with respect to them,
 * divided by `divisor` (the batch size, so the step follows the mean loss):
 * regression ½(o - y)², binary log loss of sigmoid(o), multiclass cross-entropy of softmax(o).
 */
export function outputLoss(task: MlpTask, out: Float64Array, y: Float64Array, rows: number, divisor: number, grad: Float64Array): number {
  let loss = 0;
  if (task.kind === 'regression') {
    for (let r = 0; r < rows; r++) {
      const e = out[r] - y[r];
      loss += 0.5 * e * e;
      grad[r] = e / divisor;
    }
    return loss;
  }
  if (task.kind === 'binary') {
    for (let r = 0; r < rows; r++) {
      const s = out[r];
      // softplus(s) - y s without overflow.
      loss += (s > 0 ? s + Math.log1p(Math.exp(-s)) : Math.log1p(Math.exp(s))) - y[r] * s;
      grad[r] = (1 / (1 + Math.exp(-s)) - y[r]) / divisor;
    }
    return loss;
  }
  const c = task.classCount;
  for (let r = 0; r < rows; r++) {
    let max = -Infinity;
    for (let k = 0; k < c; k++) max = Math.max(max, out[r * c + k]);
    let sum = 0;
    for (let k = 0; k < c; k++) sum += Math.exp(out[r * c + k] - max);
    const lse = max + Math.log(sum);
    loss += lse - out[r * c + y[r]];
    for (let k = 0; k < c; k++) grad[r * c + k] = (Math.exp(out[r * c + k] - lse) - (y[r] === k ? 1 : 0)) / divisor;
  }
  return loss;
}
