import { designRow, type StandardisedDesign } from './standardised-design.ts';

/** One dense layer: row-major weights (inputs × outputs) and a bias per output, all float32 values. */
export interface MlpLayer {
  inputs: number;
  outputs: number;
  weights: number[];
  bias: number[];
}

/**
 * A trained feed-forward network over the standardised design: dense layers with ReLU between
 * them (none after the last), margins out. Plain data (structured-clone friendly); the ONNX graph
 * (mlp-graph.ts) holds exactly these float32 numbers.
 */
export interface MlpModel {
  kind: 'mlp';
  design: StandardisedDesign;
  layers: MlpLayer[];
  /** Width of the margin: 1 (regression, binary) or the class count. */
  outputs: number;
  transform: 'identity' | 'sigmoid' | 'softmax';
}

/**
 * Margins (rows × outputs) as onnxruntime computes them: each MatMul result and each Add rounded
 * to float32, Relu exact. The dot products are summed in float64 here; ORT's float32 GEMM sums in
 * another order and differs in the last bits.
 */
export function mlpMargins(model: MlpModel, x: Float32Array, rows: number): Float64Array {
  const out = new Float64Array(rows * model.outputs);
  const widest = Math.max(model.design.width, ...model.layers.map((l) => l.outputs));
  let a = new Float64Array(widest);
  let b = new Float64Array(widest);
  for (let r = 0; r < rows; r++) {
    designRow(model.design, x, r * model.design.features, a);
    model.layers.forEach((layer, l) => {
      const last = l === model.layers.length - 1;
      for (let o = 0; o < layer.outputs; o++) {
        let s = 0;
        for (let i = 0; i < layer.inputs; i++) s += a[i] * layer.weights[i * layer.outputs + o];
        const v = Math.fround(Math.fround(s) + layer.bias[o]);
        b[o] = last || v > 0 ? v : 0;
      }
      [a, b] = [b, a];
    });
    for (let o = 0; o < model.outputs; o++) out[r * model.outputs + o] = a[o];
  }
  return out;
}
