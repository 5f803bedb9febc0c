import { predictionBatchesTotal, predictionErrorsTotal, predictionSeconds, predictionsTotal } from './metrics-registry.ts';

/** The model a batch is predicted for: its schema and name, as the catalog keeps them. */
export interface PredictedModel {
  modelSchema: string;
  modelName: string;
}

/**
 * Runs one batch's prediction and counts it: rows, the batch, its time, or its failure. The
 * inference paths wrap their predictBatch call in it, so every row onnxruntime predicts for a
 * client's statement is counted once.
 */
export async function measurePredictions<T>(model: PredictedModel, version: number, rows: number, predict: () => Promise<T>): Promise<T> {
  const labels = { model: `${model.modelSchema}.${model.modelName}`, version: String(version) };
  const started = process.hrtime.bigint();
  try {
    const result = await predict();
    predictionSeconds.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    predictionBatchesTotal.inc(labels);
    predictionsTotal.inc(labels, rows);
    return result;
  } catch (error) {
    predictionErrorsTotal.inc(labels);
    throw error;
  }
}
