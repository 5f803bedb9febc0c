/**
 * Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, algorithms 7.4 and 7.5) with a
 * backtracking Armijo line search. Deterministic: no randomness, fixed iteration order.
 */
export interface LbfgsOptions {
  maxIterations: number;
  /** Stop when the gradient's max-norm falls below this. */
  gradientTolerance: number;
  /** Called after each iteration; returning false stops (budget exhausted). */
  onIteration?(done: number, total: number): Promise<boolean>;
}

export async function minimizeLbfgs(
  lossAndGradient: (w: Float64Array, grad: Float64Array) => number,
  w: Float64Array,
  opts: LbfgsOptions,
): Promise<{ iterations: number; stoppedEarly: boolean }> {
  const n = w.length;
  const memory = 10;
  const sList: Float64Array[] = [];
  const yList: Float64Array[] = [];
  const rho: number[] = [];
  const grad = new Float64Array(n);
  const nextGrad = new Float64Array(n);
  const next = new Float64Array(n);
  const dir = new Float64Array(n);
  let loss = lossAndGradient(w, grad);
  for (let it = 0; it < opts.maxIterations; it++) {
    if (maxAbs(grad) < opts.gradientTolerance) return { iterations: it, stoppedEarly: false };
    // Two-loop recursion: dir = -H * grad.
    dir.set(grad);
    const alpha: number[] = [];
    for (let i = sList.length - 1; i >= 0; i--) {
      const a = rho[i] * dot(sList[i], dir);
      alpha[i] = a;
      axpy(-a, yList[i], dir);
    }
    if (sList.length > 0) {
      const last = sList.length - 1;
      const gamma = dot(sList[last], yList[last]) / dot(yList[last], yList[last]);
      for (let i = 0; i < n; i++) dir[i] *= gamma;
    }
    for (let i = 0; i < sList.length; i++) {
      const b = rho[i] * dot(yList[i], dir);
      axpy(alpha[i] - b, sList[i], dir);
    }
    for (let i = 0; i < n; i++) dir[i] = -dir[i];
    let slope = dot(grad, dir);
    if (!(slope < 0)) {
      // Not a descent direction (curvature lost): restart from steepest descent.
      sList.length = 0;
      yList.length = 0;
      rho.length = 0;
      for (let i = 0; i < n; i++) dir[i] = -grad[i];
      slope = dot(grad, dir);
    }
    let step = sList.length === 0 ? Math.min(1, 1 / Math.max(1e-12, Math.sqrt(-slope))) : 1;
    let nextLoss = Infinity;
    for (let tries = 0; tries < 40; tries++) {
      for (let i = 0; i < n; i++) next[i] = w[i] + step * dir[i];
      nextLoss = lossAndGradient(next, nextGrad);
      if (nextLoss <= loss + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(nextLoss <= loss)) return { iterations: it, stoppedEarly: false };
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = next[i] - w[i];
      y[i] = nextGrad[i] - grad[i];
    }
    const sy = dot(s, y);
    if (sy > 1e-12) {
      if (sList.length === memory) {
        sList.shift();
        yList.shift();
        rho.shift();
      }
      sList.push(s);
      yList.push(y);
      rho.push(1 / sy);
    }
    w.set(next);
    grad.set(nextGrad);
    const improvement = loss - nextLoss;
    loss = nextLoss;
    if (opts.onIteration && !(await opts.onIteration(it + 1, opts.maxIterations))) return { iterations: it + 1, stoppedEarly: true };
    if (improvement < 1e-12 * Math.max(1, Math.abs(loss))) return { iterations: it + 1, stoppedEarly: false };
  }
  return { iterations: opts.maxIterations, stoppedEarly: false };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i] += a * x[i];
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
