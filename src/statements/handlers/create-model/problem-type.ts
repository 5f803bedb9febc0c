import { ClientError } from '../../../errors/client-error.ts';
import { SqlState } from '../../../errors/sqlstate.ts';
import { NUMERIC_TYPES } from '../../../catalog/pg-types.ts';
import type { SnapshotColumn } from '../../../snapshot/snapshot-columns.ts';
import type { CreateModel } from '../../ast/create-model.ts';

/**
 * The problem a new version solves: CLUSTERING without a TARGET, the PROBLEM_TYPE written, or the
 * contract's rule: with AUTO OFF the objective decides; otherwise a numeric target is a
 * regression and a bool or text target a binary or multiclass classification by its values.
 * `rows` are the snapshot's COPY lines, the TARGET last.
 */
export function problemTypeOf(statement: CreateModel, target: SnapshotColumn | null, rows: string[]): string {
  if (!target) return 'CLUSTERING';
  if (statement.problemType) return statement.problemType;
  const objective = statement.objective?.toLowerCase();
  if (!statement.auto && objective) {
    if (objective.startsWith('reg:')) return 'REGRESSION';
    if (objective.startsWith('binary:')) return 'BINARY_CLASSIFICATION';
    if (objective.startsWith('multi:')) return 'MULTICLASS_CLASSIFICATION';
  }
  if (NUMERIC_TYPES.has(target.type)) return 'REGRESSION';
  const distinct = new Set<string>();
  for (const row of rows) {
    const value = row.slice(row.lastIndexOf('\t') + 1);
    if (value !== '\\N') distinct.add(value);
    if (distinct.size > 2) return 'MULTICLASS_CLASSIFICATION';
  }
  if (distinct.size < 2) {
    throw new ClientError(SqlState.invalidParameterValue, `target column "${target.name}" has fewer than two distinct values`, {
      hint: 'A classifier needs at least two classes in the training data.',
    });
  }
  return 'BINARY_CLASSIFICATION';
}

/** What the model function returns: a cluster number, a float8 estimate, or a class of the TARGET's type. */
export function returnTypeOf(target: SnapshotColumn | null, problemType: string): string {
  if (!target) return 'int4';
  return problemType === 'REGRESSION' ? 'float8' : target.type;
}
