/** Adam (Kingma & Ba 2015) over one flat parameter vector, with the paper's betas and epsilon. */
export interface Adam {
  /** params -= step(grad); grad is read only. */
  step(params: Float64Array, grad: Float64Array): void;
}

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;

export function createAdam(size: number, learningRate: number): Adam {
  const m = new Float64Array(size);
  const v = new Float64Array(size);
  let t = 0;
  return {
    step(params, grad) {
      t++;
      const c1 = 1 - BETA1 ** t;
      const c2 = 1 - BETA2 ** t;
      for (let i = 0; i < size; i++) {
        const g = grad[i];
        m[i] = BETA1 * m[i] + (1 - BETA1) * g;
        v[i] = BETA2 * v[i] + (1 - BETA2) * g * g;
        params[i] -= (learningRate * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + EPSILON);
      }
    },
  };
}
