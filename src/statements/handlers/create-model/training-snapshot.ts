import { ClientError } from '../../../errors/client-error.ts';
import { SqlState } from '../../../errors/sqlstate.ts';
import type { UpstreamSession } from '../../../session/upstream-session.ts';
import { quoteIdent } from '../../../sql/identifiers.ts';
import { featureSelectExpression } from '../../../snapshot/feature-select-expression.ts';
import { Reservoir } from '../../../snapshot/reservoir.ts';
import type { SnapshotColumn } from '../../../snapshot/snapshot-columns.ts';

/** The training rows as kept in the catalog: COPY text lines, features first and the TARGET last. */
export interface TrainingSnapshot {
  columns: SnapshotColumn[];
  rows: string[];
  /** More rows than MAX_CELLS allows were read, and these are a uniform sample of them. */
  sampled: boolean;
}

/**
 * Reads the training data as the caller, with COPY, each value as the model will see it at
 * inference (featureSelectExpression). Rows beyond `capacity` are sampled down, uniformly and
 * seeded, so the same data always gives the same snapshot.
 */
export async function readTrainingSnapshot(
  link: UpstreamSession,
  sourceSql: string,
  columns: SnapshotColumn[],
  capacity: number,
): Promise<TrainingSnapshot> {
  const reservoir = new Reservoir<string>(capacity);
  const selectList = columns.map((c) => featureSelectExpression(quoteIdent(c.name), c.type)).join(', ');
  await link.copyOut(`COPY (SELECT ${selectList} FROM (${sourceSql}) AS training_data) TO STDOUT`, (line) => reservoir.add(line));
  if (reservoir.rows.length === 0) {
    throw new ClientError(SqlState.invalidParameterValue, 'the training data has no rows');
  }
  return { columns: columns.map((c) => ({ name: c.name, type: c.type })), rows: reservoir.rows, sampled: reservoir.sampled };
}
