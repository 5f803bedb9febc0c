import { TrainingInputError } from '../training-errors.ts';
import type { XgbObjective } from '../spec/objectives.ts';

/** How a margin becomes the model's output; the ONNX output graph implements the same kinds. */
export type OutputTransform = 'identity' | 'sigmoid' | 'exp' | 'softmax' | 'hinge';

/**
 * A training loss in XGBoost's form: first and second derivatives of the loss with respect to the
 * margin, per row. `y` holds targets (regression), 0/1 (binary) or class ids (multiclass).
 */
export interface Objective {
  outputs(classCount: number): number;
  transform: OutputTransform;
  /** Starting margin per output (XGBoost's base_score, in margin space). */
  baseMargin(y: Float64Array, classCount: number): Float64Array;
  /**
   * Fills gh[k] (interleaved g, h per row) for each output k from margins (rows × outputs), rows
   * [r0, r1), each rounded to float32 as XGBoost holds gradient pairs. Rows are independent, so
   * threads may take row ranges.
   */
  gradients(margin: Float64Array, y: Float64Array, gh: Float64Array[], r0: number, r1: number): void;
}

const HUBER_SLOPE = 1;
const TWEEDIE_POWER = 1.5;
const MIN_HESS = 1e-16;

const mean = (y: Float64Array): number => y.reduce((s, v) => s + v, 0) / Math.max(1, y.length);
const logit = (p: number): number => {
  const q = Math.min(Math.max(p, 1e-6), 1 - 1e-6);
  return Math.log(q / (1 - q));
};

function single(
  transform: OutputTransform,
  base: (y: Float64Array) => number,
  /** Writes g to out[j] and h to out[j + 1]; no allocation per row, this runs rows × rounds times. */
  grad: (m: number, y: number, out: Float64Array, j: number) => void,
  check?: (y: Float64Array) => void,
): Objective {
  return {
    outputs: () => 1,
    transform,
    baseMargin: (y) => {
      check?.(y);
      return Float64Array.of(base(y));
    },
    gradients: (margin, y, gh, r0, r1) => {
      const out = gh[0];
      for (let i = r0; i < r1; i++) {
        grad(margin[i], y[i], out, 2 * i);
        out[2 * i] = Math.fround(out[2 * i]);
        out[2 * i + 1] = Math.fround(out[2 * i + 1]);
      }
    },
  };
}

const f32 = Math.fround;
const logistic = single('sigmoid', (y) => logit(mean(y)), (m, y, o, j) => {
  // In float32 operation by operation, as XGBoost's LogisticRegression (1.0f / (1.0f + expf(-x))).
  const p = f32(1 / f32(1 + f32(Math.exp(-m))));
  o[j] = p - y;
  o[j + 1] = Math.max(f32(p * f32(1 - p)), MIN_HESS);
}, (y) => {
  if (y.some((v) => v < 0 || v > 1)) throw new TrainingInputError(`objective reg:logistic needs target values in [0, 1]`);
});

export const OBJECTIVES: Record<XgbObjective, Objective> = {
  'reg:squarederror': single('identity', mean, (m, y, o, j) => {
    o[j] = m - y;
    o[j + 1] = 1;
  }),
  'reg:squaredlogerror': single('identity', mean, (m, y, o, j) => {
    const p = Math.max(m, -1 + 1e-6);
    const r = Math.log1p(p) - Math.log1p(y);
    o[j] = r / (p + 1);
    o[j + 1] = Math.max((1 - r) / ((p + 1) * (p + 1)), 1e-6);
  }, (y) => {
    if (y.some((v) => v <= -1)) throw new TrainingInputError(`objective reg:squaredlogerror needs target values greater than -1`);
  }),
  'reg:logistic': logistic,
  'reg:pseudohubererror': single('identity', median, (m, y, o, j) => {
    const z = m - y;
    const scale = 1 + (z / HUBER_SLOPE) ** 2;
    const s = Math.sqrt(scale);
    o[j] = z / s;
    o[j + 1] = (HUBER_SLOPE * HUBER_SLOPE) / (scale * s);
  }),
  'reg:tweedie': single('exp', (y) => Math.log(Math.max(mean(y), 1e-6)), (m, y, o, j) => {
    const a = Math.exp((1 - TWEEDIE_POWER) * m);
    const b = Math.exp((2 - TWEEDIE_POWER) * m);
    o[j] = -y * a + b;
    o[j + 1] = Math.max(-y * (1 - TWEEDIE_POWER) * a + (2 - TWEEDIE_POWER) * b, MIN_HESS);
  }, (y) => {
    if (y.some((v) => v < 0)) throw new TrainingInputError(`objective reg:tweedie needs non-negative target values`);
  }),
  'binary:logistic': logistic,
  'binary:hinge': single('hinge', () => 0, (m, y, o, j) => {
    const s = 2 * y - 1;
    o[j] = m * s < 1 ? -s : 0;
    o[j + 1] = m * s < 1 ? 1 : MIN_HESS;
  }),
  'multi:softmax': {
    outputs: (c) => c,
    transform: 'softmax',
    baseMargin: (y, c) => {
      // Log class priors: the first round starts from the class frequencies, not from uniform.
      const counts = new Float64Array(c);
      for (const v of y) counts[v]++;
      return counts.map((n) => Math.log(Math.max(n, 1) / y.length));
    },
    gradients: (margin, y, gh, r0, r1) => {
      const c = gh.length;
      const p = new Float64Array(c);
      for (let i = r0; i < r1; i++) {
        let max = -Infinity;
        for (let k = 0; k < c; k++) max = Math.max(max, margin[i * c + k]);
        let sum = 0;
        for (let k = 0; k < c; k++) sum += p[k] = Math.exp(margin[i * c + k] - max);
        for (let k = 0; k < c; k++) {
          const pk = p[k] / sum;
          gh[k][2 * i] = Math.fround(pk - (y[i] === k ? 1 : 0));
          gh[k][2 * i + 1] = Math.fround(Math.max(2 * pk * (1 - pk), MIN_HESS));
        }
      }
    },
  },
};

function median(y: Float64Array): number {
  if (y.length === 0) return 0;
  const s = Float64Array.from(y).sort();
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
