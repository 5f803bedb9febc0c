/**
 * modelgres training engine: CREATE MODEL's trainers and their ONNX export.
 *
 *   train(features, target, spec, opts?) -> Promise<TrainedModel>
 *   train(features, null, { modelType: 'KMEANS', hyperparameters: { k: '5' } }) for KMEANS
 *
 * - features: the FROM columns other than TARGET, in order (the model function's parameters).
 *   Values as node-postgres gives them after normalising: numbers (int8/numeric too) as number,
 *   bool as boolean, text as string, date/timestamp/timestamptz as Date (UTC), time as
 *   'HH:MM:SS[.ffffff]', NULL as null. NULL means missing and never fails a row. Text features
 *   are categorical; the empty string counts as missing too (see onnx-contract.md for why).
 * - target: int2/4/8, float4/8, bool or text. Rows whose target is NULL are dropped. null exactly
 *   for KMEANS (a target with KMEANS, or null with any other type, is a TrainingInputError).
 * - spec.modelType: 'XGBOOST' | 'LINEAR_LEARNER' | 'MLP' | 'KMEANS' | 'AUTO' (tries LINEAR_LEARNER,
 *   XGBOOST and a quick MLP, keeps the best on the held-out rows by the metric objective; a tie
 *   keeps the earlier. The MLP gets at most 30 epochs on a seeded sample of at most 20,000
 *   training rows, within a quarter of MAX_RUNTIME: see spec/resolve-spec.ts). Every candidate's
 *   score is in TrainedModel.candidates, and where the time went in TrainedModel.timings.
 * - MLP: one hidden ReLU layer of 64 by default, mini-batch Adam on the linear learner's
 *   standardised design (standardised numbers, NULL = the mean, one-hot text), early stopping on
 *   a seeded 10% of the training rows (patience 10 epochs; the best epoch's weights are kept).
 *   REGRESSION (squared error), BINARY (logistic), MULTICLASS (softmax); OBJECTIVE may be a metric
 *   or reg:squarederror / binary:logistic / multi:softmax. Its own optional hyperparameters:
 *   hidden_layers [1,4] 1, hidden_units [1,1024] 64, epochs [1,10000] 200, learning_rate
 *   [1e-6,1] 0.001, mini_batch_size [1,65536] 64, weight_decay [0,1] 0.001, patience [1,10000] 10.
 * - KMEANS: hyperparameter K required (integer in [1, 10000] and at most the training rows);
 *   init_method 'kmeans++' (default, greedy k-means++) | 'random'; local_lloyd_max_iter [1,10000]
 *   300; local_lloyd_tol [0,1] 1e-4 (× the mean feature variance). Redshift's epochs,
 *   mini_batch_size, extra_center_factor, half_life_time_size, eval_metrics,
 *   local_lloyd_num_trials, local_lloyd_init_method are accepted and have no effect. No
 *   PROBLEM_TYPE or OBJECTIVE. Lloyd's iterations on the same standardised design as MLP. Result:
 *   modelType 'KMEANS', problemType 'CLUSTERING', objective 'msd', validation {metric: 'msd'}
 *   (mean squared distance of the held-out rows to their nearest centre, standardised units),
 *   no classes; predict() gives {labels: cluster ids, probabilities: []}.
 * - spec.problemType: inferred when absent (SQL-SURFACE.md section 1): an XGBoost objective
 *   decides it; else a numeric target is REGRESSION, bool/text BINARY with 2 values, MULTICLASS
 *   with more. A contradiction is a TrainingInputError.
 * - spec.objective: XGBoost objective (reg:squarederror, reg:squaredlogerror, reg:logistic,
 *   reg:pseudohubererror, reg:tweedie, binary:logistic, binary:hinge, multi:softmax — all
 *   implemented), or a metric objective MSE | Accuracy | F1 | F1Macro | AUC (case-insensitive).
 *   Defaults: reg:squarederror / binary:logistic / multi:softmax to train, metric MSE / F1 /
 *   Accuracy to validate. Other real XGBoost objectives throw NotSupportedError (0A000).
 * - spec.hyperparameters: the contract's XGBoost keys as strings; unknown keys, non-numbers and
 *   values out of range throw TrainingInputError (22023) naming key, value and range. num_class
 *   is required with an explicit 'multi:softmax' and must be >= the distinct target values.
 *   max_depth 0 = no depth limit, grown level by level up to 256 leaves.
 * - spec.maxRuntimeSeconds (default 5400) and opts.signal: checked between boosting rounds /
 *   L-BFGS iterations / MLP epochs / Lloyd iterations; training then stops, keeps the model so far
 *   (at least one round; for MLP the best epoch so far) and reports cutShort: true. KMEANS'
 *   initialisation runs to its end before the first check. The trainer yields to the event loop between rounds so an abort can
 *   land; everything else runs in the caller's thread (put it in a worker), except that GBDT
 *   histograms from 50k rows up are shared with one helper worker thread (gbdt/hist-pool.ts).
 *   AUTO trains LINEAR_LEARNER first (cheap), then XGBOOST, then the MLP; if time is up or the
 *   signal aborted before a candidate starts, it keeps the best so far (cutShort: true). The
 *   MLP's own quarter of MAX_RUNTIME running out cuts the model short only if the MLP is kept.
 * - spec.preprocessors (PREPROCESSORS): [{columnSet, transformers}] run in order on the base
 *   matrix, fitted on the training rows, exported into the graph before the model; semantics in
 *   onnx-contract.md ("Preprocessors"). Bad names or combinations throw TrainingInputError.
 * - spec.seed (default 1): every random choice is seeded; same data + spec = same ONNX bytes.
 * - opts.onProgress({done, total, unit}) after every round ('rounds' for XGBOOST, 'iterations'
 *   for LINEAR_LEARNER and KMEANS, 'epochs' for MLP, 'steps' for AUTO where total is the sum of
 *   both). When MLP stops early or Lloyd converges, the last report jumps to done = total.
 *
 * Validation: a seeded 20% of the rows (nothing held out below 10 rows: the metric is then the
 * training metric) is held out; every candidate trains on the other 80% and is scored on it.
 * The kept model is the candidate as trained on those 80% (no retraining on all rows: it would
 * double the time under MAX_RUNTIME, and the reported metric then describes the stored model).
 * trainingRows counts those training rows. validation.metric is lower case: mse, accuracy, f1,
 * f1macro, auc, msd (KMEANS).
 *
 * Explanation (EXPLAIN_MODEL), computed by train() after the model is chosen:
 *   explanation: { method: 'tree_shap' | 'coefficients' | 'permutation' | 'between_cluster_variance';
 *                  features: Array<{ feature: string; importance: number }> }
 * One entry per feature column, in the features' order (the function's parameters), named as given
 * (not the ONNX input name). importance >= 0, not normalised (it keeps its method's units):
 * - XGBOOST 'tree_shap': mean |SHAP value| of the raw margin (log-odds for binary:logistic) over
 *   a seeded sample of the training rows (at most 10,000; fewer for big ensembles so it costs about
 *   a second, at least 200), by exact TreeSHAP (Lundberg et al. 2018, Algorithm 2) with cover
 *   weights; a date's parts add their SHAP values per row before the absolute value; multiclass
 *   sums the classes' mean |SHAP|.
 * - LINEAR_LEARNER 'coefficients': per feature, sum over its design columns (standardised number,
 *   one-hot category) of |weight| × that column's std over the training rows (classes summed).
 * - MLP 'permutation': increase of the mean held-out loss (squared error; log loss for
 *   classification) when the feature is shuffled across at most 10,000 held-out rows, mean of 3
 *   seeded shuffles, floored at 0.
 * - KMEANS 'between_cluster_variance': each feature's share of the centres' between-cluster sum of
 *   squares, sum over clusters of (rows assigned) × (centre - weighted mean of centres)², in the
 *   standardised space the distances use; shares add up to 1.
 * Deterministic for the same data and spec. Details in explain/ and types.ts (ModelExplanation).
 *
 * TrainedModel is structured-clone friendly: predict is a non-enumerable property, so
 * postMessage drops it and the rest crosses threads. predict(columns) gives the trainer's own
 * predictions (Float64Array for regression; {labels, probabilities} for classification), which
 * the tests hold equal to onnxruntime's outputs for the exported model.
 *
 * The ONNX contract (inputs, outputs, metadata) is in onnx-contract.md next to this file;
 * toOnnxInput() builds an input tensor from a column exactly as training read it.
 */
export { train } from './train-model.ts';
export { NotSupportedError, TrainingInputError } from './training-errors.ts';
export { type OnnxInput, inputKindOf, toOnnxInput, timeOfDaySeconds } from './data/input-values.ts';
export { METADATA_KEY, type ModelMetadata } from './onnx/export-model.ts';
export type {
  CandidateReport, CellValue, ClassValue, ExplanationMethod, FeatureImportance, FeatureType, MetricName, ModelExplanation, MetricObjective, ModelType, Predictions, ProblemType, Progress, TimePart,
  TrainedModel, TrainedProblemType, TrainingColumn, TrainingSpec, TrainOptions, ValidationMetric,
} from './types.ts';
