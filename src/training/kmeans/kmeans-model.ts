import { designRow, type StandardisedDesign } from '../mlp/standardised-design.ts';

/**
 * Trained k-means: K centres in the standardised design space (the linear learner's input layer:
 * standardised numbers with missing = the mean, one-hot text). Plain data; the centres are
 * float32 values, exactly what the ONNX graph (kmeans-graph.ts) holds.
 */
export interface KmeansModel {
  kind: 'kmeans';
  design: StandardisedDesign;
  k: number;
  /** Row-major k × design.width. */
  centroids: number[];
}

/**
 * Nearest centre per row, computed as the graph does, bit for bit: per design column j in order,
 * d = z_j - c_j, then acc = acc + d * d, every step a float32 operation (Math.fround of an exact
 * float64 result is the IEEE float32 result). ArgMin keeps the first of equal distances, as
 * onnxruntime's ArgMin does. Also returns each row's squared distance to its centre.
 */
export function kmeansAssign(model: KmeansModel, x: Float32Array, rows: number): { labels: Int32Array; distances: Float64Array } {
  const { design, k, centroids } = model;
  const d = design.width;
  const z = new Float64Array(d);
  const acc = new Float64Array(k);
  const labels = new Int32Array(rows);
  const distances = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    designRow(design, x, r * design.features, z);
    for (let j = 0; j < d; j++) {
      for (let c = 0; c < k; c++) {
        const diff = Math.fround(z[j] - centroids[c * d + j]);
        const sq = Math.fround(diff * diff);
        acc[c] = j === 0 ? sq : Math.fround(acc[c] + sq);
      }
    }
    let best = 0;
    for (let c = 1; c < k; c++) if (acc[c] < acc[best]) best = c;
    labels[r] = best;
    distances[r] = acc[best];
  }
  return { labels, distances };
}
