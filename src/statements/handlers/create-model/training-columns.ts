import { ClientError } from '../../../errors/client-error.ts';
import { SqlState } from '../../../errors/sqlstate.ts';
import { FEATURE_TYPES, TARGET_TYPES } from '../../../catalog/pg-types.ts';
import type { PreprocessorStep } from '../../../catalog/model-spec.ts';
import type { SnapshotColumn } from '../../../snapshot/snapshot-columns.ts';
import type { CreateModel } from '../../ast/create-model.ts';

/** The described columns of the training data, sorted into what the model learns from and of. */
export interface TrainingColumns {
  /** The TARGET column; null for KMEANS, which clusters the rows themselves. */
  target: SnapshotColumn | null;
  /** Every other column, in order: the function's parameters. */
  features: SnapshotColumn[];
  /** The function's parameter types: the declared ones, or the features' own. */
  parameterTypes: string[];
  preprocessors?: PreprocessorStep[];
}

/**
 * Checks the described columns against the statement: the TARGET exists and can be one, every
 * feature has a type a model takes and a name of its own, a declared type list matches the
 * features in count, and PREPROCESSORS names only features. Errors are the contract's 42703/22023.
 */
export function checkTrainingColumns(statement: CreateModel, columns: SnapshotColumn[]): TrainingColumns {
  const target = targetColumn(statement, columns);
  const features = columns.filter((c) => c !== target);
  if (features.length === 0) throw new ClientError(SqlState.invalidParameterValue, 'the training data has no feature columns besides the TARGET');
  for (const f of features) {
    if (!FEATURE_TYPES.has(f.type)) {
      throw new ClientError(SqlState.invalidParameterValue, `feature column "${f.name}" has type ${f.type}, which a model cannot take`, {
        hint: 'Cast it to a number, bool, text, date or timestamp in a FROM (SELECT ...).',
      });
    }
    if (new Set(features.map((x) => x.name)).size !== features.length) {
      throw new ClientError(SqlState.invalidParameterValue, `the training data has two columns named "${f.name}"`);
    }
  }
  return { target, features, parameterTypes: parameterTypes(statement, features), preprocessors: preprocessors(statement, features) };
}

/** KMEANS learns clusters of the rows themselves: every column is a feature, and there is no TARGET. */
function targetColumn(statement: CreateModel, columns: SnapshotColumn[]): SnapshotColumn | null {
  const clustering = statement.modelType === 'KMEANS';
  const target = statement.target;
  if (!target && !clustering) throw new ClientError(SqlState.invalidParameterValue, 'TARGET is required for this model type');
  if (clustering) return null;
  const column = columns.find((c) => c.name === target);
  if (column === undefined) {
    throw new ClientError(SqlState.undefinedColumn, `column "${target}" does not exist in the training data`, {
      hint: `The training data has columns ${columns.map((c) => c.name).join(', ')}.`,
    });
  }
  if (!TARGET_TYPES.has(column.type)) {
    throw new ClientError(SqlState.invalidParameterValue, `target column "${target}" has type ${column.type}, which cannot be a TARGET`, {
      hint: 'Targets are int2, int4, int8, float4, float8, bool, char, varchar or text; cast it in a FROM (SELECT ...).',
    });
  }
  return column;
}

function parameterTypes(statement: CreateModel, features: SnapshotColumn[]): string[] {
  const declared = statement.function.parameterTypes;
  if (declared && declared.length !== features.length) {
    throw new ClientError(
      SqlState.invalidParameterValue,
      `FUNCTION ${statement.function.name.name} declares ${declared.length} parameter types, but the training data has ${features.length} feature columns`,
      { hint: `The features are, in order: ${features.map((f) => `${f.name} ${f.type}`).join(', ')}.` },
    );
  }
  return declared ? declared.map((t) => t.name) : features.map((f) => f.type);
}

function preprocessors(statement: CreateModel, features: SnapshotColumn[]): PreprocessorStep[] | undefined {
  if (statement.preprocessors?.kind !== 'Steps') return undefined;
  const steps = statement.preprocessors.steps.map((step) => ({ columnSet: [...step.columnSet], transformers: [...step.transformers] }));
  for (const step of steps) {
    for (const column of step.columnSet) {
      if (column !== '*' && !features.some((f) => f.name === column)) {
        throw new ClientError(SqlState.invalidParameterValue, `PREPROCESSORS names column "${column}", which is not a feature of the training data`, {
          hint: `The features are ${features.map((f) => f.name).join(', ')}.`,
        });
      }
    }
  }
  return steps;
}
