import type { EncodingPlan } from '../data/feature-encoding.ts';
import type { FeatureImportance } from '../types.ts';

/** Source feature (train()'s column index) of each base-matrix column. */
export function sourceOfColumns(plan: EncodingPlan): Int32Array {
  return Int32Array.from(plan.columns, (c) => c.feature);
}

/**
 * The public list: one entry per feature column in train()'s order. A value that is not finite
 * and positive becomes 0, so the list always holds the promise importance >= 0 (it would take a
 * model with non-finite weights to get here).
 */
export function importanceList(plan: EncodingPlan, perFeature: Float64Array): FeatureImportance[] {
  return plan.features.map((f, i) => {
    const v = perFeature[i];
    return { feature: f.name, importance: Number.isFinite(v) && v > 0 ? v : 0 };
  });
}
