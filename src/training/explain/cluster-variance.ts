import type { EncodingPlan } from '../data/feature-encoding.ts';
import { kmeansAssign, type KmeansModel } from '../kmeans/kmeans-model.ts';
import { designSources } from './coefficient-importance.ts';

/**
 * KMEANS: each feature's share of the between-cluster sum of squares, in the standardised design
 * space the distances are measured in. Per design column j, with n_c training rows assigned to
 * centre c and the size-weighted mean of the centres m_j:
 *   B_j = sum over c of n_c (centre_cj - m_j)^2
 * A feature's importance is the sum of B_j over its design columns (a standardised number, or
 * one column per one-hot category) divided by the sum over all columns, so the shares add up to
 * 1; all 0 when the centres do not differ (one non-empty cluster).
 */
export function betweenClusterShare(plan: EncodingPlan, model: KmeansModel, x: Float32Array, rows: number): Float64Array {
  const { k, centroids, design } = model;
  const d = design.width;
  const sizes = new Float64Array(k);
  for (const c of kmeansAssign(model, x, rows).labels) sizes[c]++;
  const out = new Float64Array(plan.features.length);
  if (rows === 0) return out;
  let total = 0;
  designSources(plan, design).forEach((feature, j) => {
    let mean = 0;
    for (let c = 0; c < k; c++) mean += sizes[c] * centroids[c * d + j];
    mean /= rows;
    let b = 0;
    for (let c = 0; c < k; c++) b += sizes[c] * (centroids[c * d + j] - mean) ** 2;
    out[feature] += b;
    total += b;
  });
  if (!(total > 0)) return out.fill(0);
  return out.map((b) => b / total);
}
