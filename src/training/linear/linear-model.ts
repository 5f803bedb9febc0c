import { designRow } from '../mlp/standardised-design.ts';
/**
 * A linear model over the base matrix: standardised numeric columns (NaN -> 0, i.e. the mean)
 * followed by one-hot blocks of category codes, times weights, plus bias. Plain data.
 * All constants are float32 so the ONNX graph holds exactly these numbers.
 */
export interface LinearModel {
  kind: 'linear';
  features: number;
  numeric: Array<{ column: number; mean: number; scale: number }>;
  oneHot: Array<{ column: number; codes: number[] }>;
  /** Design width d = numeric.length + sum of codes lengths. */
  width: number;
  outputs: number;
  /** Row-major d × outputs. */
  weights: number[];
  bias: number[];
  transform: 'identity' | 'sigmoid' | 'softmax';
}

/** The design row as onnxruntime computes it: the same as for MLP and KMEANS. */
export { designRow };

/**
 * Margins (rows × outputs): MatMul then Add, rounded to float32 like onnxruntime's results. The
 * dot product itself is summed in float64 here; ORT's float32 GEMM differs in the last bits.
 */
export function linearMargins(model: LinearModel, x: Float32Array, rows: number): Float64Array {
  const out = new Float64Array(rows * model.outputs);
  const z = new Float64Array(model.width);
  for (let r = 0; r < rows; r++) {
    designRow(model, x, r * model.features, z);
    for (let k = 0; k < model.outputs; k++) {
      let s = 0;
      for (let j = 0; j < model.width; j++) s += z[j] * model.weights[j * model.outputs + k];
      out[r * model.outputs + k] = Math.fround(Math.fround(s) + model.bias[k]);
    }
  }
  return out;
}
