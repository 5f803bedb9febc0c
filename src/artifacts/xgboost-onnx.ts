import { GraphBuilder } from '../training/onnx/graph-builder.ts';
import { treeEnsembleRegressor } from '../training/onnx/tree-ensemble-graph.ts';
import { outputHead } from '../training/onnx/output-head.ts';
import type { XgboostModel } from './xgboost-model.ts';

/**
 * An XGBoost model as the ONNX graph modelgres's own boosted trees export (training/onnx): one
 * float32 input [N, features], an ai.onnx.ml TreeEnsembleRegressor of margins (BRANCH_LT on
 * XGBoost's float32 thresholds, missing values to each node's default branch, base_score's margin
 * as base_values), then the same output head: 'variable' [N, 1] for reg:squarederror, and for
 * classifiers 'label' (class index) with 'probabilities' [N, C], so f returns the class and
 * f_probabilities what XGBoost's predict() gives (p for binary:logistic is the second column).
 */
export function xgboostToOnnx(model: XgboostModel): Uint8Array {
  const g = new GraphBuilder();
  const features = g.input('input', 'float32', model.featureCount);
  const margin = treeEnsembleRegressor(g, model, features);
  if (model.objective === 'reg:squarederror') outputHead(g, 'identity', false, 1, margin);
  else if (model.objective === 'binary:logistic') outputHead(g, 'sigmoid', true, 2, margin);
  else outputHead(g, 'softmax', true, model.outputs, margin);
  return g.encode({ xgboost_objective: model.objective }, `converted by modelgres from an XGBoost ${model.objective} model`);
}
