/**
 * Bring-your-own-model artifacts (CREATE MODEL ... FROM 'path/to/model.onnx'): read the file
 * safely, check it fits the declared FUNCTION, feed it and read its answers. Rules in
 * imported-models.md.
 */
export { readModelFile } from './read-model-file.ts';
export { planImportedModel } from './plan-imported-model.ts';
export { convertXgboostFile } from './xgboost-file.ts';
export { buildFeeds } from './build-feeds.ts';
export { readOutputs } from './read-outputs.ts';
export { outputNamesOf } from './output-names.ts';
export type { InputElementType, IoPlan, OutputPlan } from './io-plan.ts';
