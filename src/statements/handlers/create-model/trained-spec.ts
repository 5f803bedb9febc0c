import type { ModelSpec } from '../../../catalog/model-spec.ts';
import type { CreateModel } from '../../ast/create-model.ts';
import type { TrainingColumns } from './training-columns.ts';

/** The contract's SETTINGS defaults (Redshift's): MAX_CELLS values kept, MAX_RUNTIME seconds. */
export const DEFAULT_MAX_CELLS = 1_000_000;
export const DEFAULT_MAX_RUNTIME = 5400;

/** MAX_CELLS, or Redshift's default: how many values of the training data are kept. */
export function maxCellsOf(statement: CreateModel): number {
  return statement.settings.maxCells ?? DEFAULT_MAX_CELLS;
}

/** The specification a new trained version is stored with, for the worker, SHOW MODEL and RETRAIN. */
export function trainedSpec(statement: CreateModel, columns: TrainingColumns, problemType: string): ModelSpec {
  return {
    auto: statement.auto,
    modelType: statement.auto ? 'AUTO' : statement.modelType,
    problemType,
    objective: statement.objective,
    hyperparameters: statement.hyperparameters?.overrides ?? {},
    hyperparametersDefault: statement.hyperparameters !== undefined,
    maxRuntime: statement.settings.maxRuntime ?? DEFAULT_MAX_RUNTIME,
    maxCells: maxCellsOf(statement),
    iamRole: statement.iamRole ? (statement.iamRole.kind === 'Default' ? 'default' : statement.iamRole.arn) : undefined,
    s3Bucket: statement.settings.s3Bucket,
    kmsKeyId: statement.settings.kmsKeyId,
    s3GarbageCollect: statement.settings.s3GarbageCollect ?? true,
    tags: statement.settings.tags,
    targetType: columns.target?.type,
    preprocessors: columns.preprocessors,
    sourceKind: statement.source.kind,
    sourceTable: statement.source.kind === 'Table' ? statement.source.table : undefined,
  };
}
