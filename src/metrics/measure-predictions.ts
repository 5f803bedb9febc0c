import { MODEL_CELLS, predictionBatchesTotal, predictionErrorsTotal, predictionSeconds, predictionsTotal } from './metrics-registry.ts';

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
  const cell = MODEL_CELLS.of(`${model.modelSchema}.${model.modelName}`, version);
  const started = performance.now();
  try {
    const result = await predict();
    predictionSeconds.observe(cell, (performance.now() - started) / 1e3);
    predictionBatchesTotal.inc(cell);
    predictionsTotal.inc(cell, rows);
    return result;
  } catch (error) {
    predictionErrorsTotal.inc(cell);
    throw error;
  }
}
