import type { OutputTransform } from './objectives.ts';
import { addTreeOutputs } from './flat-ensemble.ts';
import type { Tree } from './tree.ts';

/** A trained boosted ensemble over the base matrix; plain data (structured-clone friendly). */
export interface GbdtModel {
  kind: 'gbdt';
  /** Base-matrix width the trees read. */
  features: number;
  /** 1, or the class count for softmax: the width of the margin. */
  outputs: number;
  /** float32 per output: ONNX base_values. */
  baseMargin: number[];
  trees: Tree[];
  transform: OutputTransform;
}

/**
 * Margins (rows × outputs) exactly as onnxruntime's TreeEnsembleRegressor computes them with
 * float input: leaf values summed in float32 in tree order, then the base value added, all
 * rounded to float32 at each step (ORT's ScoreValue<float>, one intra-op thread).
 */
export function gbdtMargins(model: GbdtModel, x: Float32Array, rows: number): Float64Array {
  const c = model.outputs;
  const out = new Float64Array(rows * c);
  addTreeOutputs(model, x, rows, out);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < c; k++) out[r * c + k] = Math.fround(out[r * c + k] + model.baseMargin[k]);
  }
  return out;
}
