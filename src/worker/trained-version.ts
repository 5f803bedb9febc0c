import type { ModelSpec } from '../catalog/model-spec.ts';
import { compileVersionBodies, type VersionBodies } from '../compile/version-bodies.ts';
import { decodeSnapshot } from '../snapshot/snapshot-codec.ts';
import type { SnapshotColumn } from '../snapshot/snapshot-columns.ts';
import type { TrainedModel, TrainingColumn, TrainingSpec } from '../training/types.ts';
import type { Logger } from '../util/logger.ts';

/**
 * A version to train and register, as the catalog keeps it: the worker reads it for a claimed
 * job, WAIT FOR MODEL for a job its own transaction queued (modelgres.own_training_job).
 */
export interface VersionToTrain {
  jobName: string;
  modelId: string;
  version: number;
  spec: ModelSpec;
  columns: SnapshotColumn[];
  data: Uint8Array;
  parameterTypes: string[];
  returnType: string;
}

/** The snapshot as training input: features, the TARGET (the last column; KMEANS has none), the spec. */
export function trainingInput(v: VersionToTrain): { features: TrainingColumn[]; target: TrainingColumn | null; spec: TrainingSpec } {
  const features = decodeSnapshot(v.data, v.columns);
  const target = v.spec.modelType === 'KMEANS' ? null : features.pop()!;
  const spec: TrainingSpec = {
    modelType: (v.spec.modelType ?? 'AUTO') as TrainingSpec['modelType'],
    problemType: v.spec.problemType === 'CLUSTERING' ? undefined : (v.spec.problemType as TrainingSpec['problemType']),
    objective: v.spec.objective,
    hyperparameters: v.spec.hyperparameters ?? {},
    maxRuntimeSeconds: v.spec.maxRuntime,
    preprocessors: v.spec.preprocessors,
    seed: 1,
  };
  return { features, target, spec };
}

/**
 * Runs one statement with text parameters, in the caller's transaction, and returns the first
 * column of its first row as text: a worker's pg client, or the client's own session.
 */
export type CatalogQuery = (sql: string, params: Array<string | null>) => Promise<string | null | undefined>;

/**
 * The SQL bodies of a trained version's functions, so PostgreSQL can evaluate it too (views,
 * triggers, direct calls). CPU work of up to a second for a large model: done before
 * registerTrainedVersion, outside any transaction or job lock.
 */
export function compileTrainedVersion(v: VersionToTrain, model: TrainedModel, log?: Logger): VersionBodies {
  const compileStart = performance.now();
  const bodies = compileVersionBodies({
    onnx: model.onnx,
    ioPlan: null,
    classes: model.classes ?? null,
    problemType: model.problemType,
    parameterTypes: v.parameterTypes,
    returnType: v.returnType,
  });
  log?.debug(`compiled ${v.jobName} to SQL in ${(performance.now() - compileStart).toFixed(0)} ms: ${JSON.stringify(bodies.value).length} bytes`);
  return bodies;
}

/**
 * Makes a trained version READY (modelgres.register_trained_version: artifact, metrics, compiled
 * SQL bodies, pinned function, activation, job done) in the caller's transaction. False when the
 * version left TRAINING meanwhile (dropped, cancelled).
 */
export async function registerTrainedVersion(
  query: CatalogQuery,
  v: VersionToTrain,
  model: TrainedModel & { predictionBaseline?: unknown },
  bodies: VersionBodies,
): Promise<boolean> {
  const registered = await query(
    `SELECT modelgres.register_trained_version($1, decode($2, 'base64'), $3, $4, $5, $6, $7::float8, $8::jsonb, $9::boolean,
                                               $10::jsonb, $11::jsonb, $12::jsonb, $13::jsonb)::text AS registered`,
    [
      v.jobName,
      Buffer.from(model.onnx).toString('base64'),
      model.modelType,
      model.problemType,
      model.objective,
      model.validation.metric,
      String(model.validation.value),
      model.classes ? JSON.stringify(model.classes) : null,
      String(model.cutShort),
      JSON.stringify(model.explanation),
      JSON.stringify(model.predictionBaseline ?? null),
      JSON.stringify(bodies.value),
      bodies.probabilities ? JSON.stringify(bodies.probabilities) : null,
    ],
  );
  return registered === 'true';
}
