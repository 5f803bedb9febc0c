import type { EncodingPlan } from '../data/feature-encoding.ts';
import type { FittedModel } from '../model/fitted-model.ts';
import type { ExplanationMethod, ModelExplanation, TrainedProblemType } from '../types.ts';
import type { KmeansModel } from '../kmeans/kmeans-model.ts';
import { betweenClusterShare } from './cluster-variance.ts';
import { coefficientImportance } from './coefficient-importance.ts';
import { type HeldOut, permutationImportance } from './permutation-importance.ts';
import { importanceList } from './source-features.ts';
import { treeShapImportance } from './tree-importance.ts';

/** What explaining a supervised model may read: the data it was trained and validated on. */
export interface ExplainInput {
  plan: EncodingPlan;
  problemType: TrainedProblemType;
  /** Base matrix of the training rows. */
  xTrain: Float32Array;
  trainRows: number;
  heldOut: HeldOut;
  seed: number;
}

type Explainer<K extends FittedModel['kind']> = (model: Extract<FittedModel, { kind: K }>, input: ExplainInput) => Float64Array;

/** Method and importance per model kind; a model kind nobody explains does not compile. */
const EXPLAINERS: { [K in FittedModel['kind']]: { method: ExplanationMethod; importance: Explainer<K> } } = {
  gbdt: { method: 'tree_shap', importance: (m, i) => treeShapImportance(i.plan, m, i.xTrain, i.trainRows, i.seed) },
  linear: { method: 'coefficients', importance: (m, i) => coefficientImportance(i.plan, m, i.xTrain, i.trainRows) },
  mlp: { method: 'permutation', importance: (m, i) => permutationImportance(i.plan, m, i.problemType, i.heldOut, i.seed) },
};

/** The kept model's global feature importance (TrainedModel.explanation; units in types.ts). */
export function explainModel(model: FittedModel, input: ExplainInput): ModelExplanation {
  const explainer = EXPLAINERS[model.kind] as { method: ExplanationMethod; importance: Explainer<FittedModel['kind']> };
  return { method: explainer.method, features: importanceList(input.plan, explainer.importance(model as never, input)) };
}

/**
 * KMEANS: each feature's share of the between-cluster variance of the fitted centres
 * (cluster-variance.ts). There is no target to attribute; what the model knows is where the
 * centres sit apart, and this says along which features.
 */
export function clusterExplanation(plan: EncodingPlan, model: KmeansModel, xTrain: Float32Array, trainRows: number): ModelExplanation {
  return { method: 'between_cluster_variance', features: importanceList(plan, betweenClusterShare(plan, model, xTrain, trainRows)) };
}
