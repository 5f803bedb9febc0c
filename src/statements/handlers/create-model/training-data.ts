import { ClientError } from '../../../errors/client-error.ts';
import { typeNameOfOid } from '../../../catalog/pg-types.ts';
import type { UpstreamSession } from '../../../session/upstream-session.ts';
import { pgPosition } from '../../../sql/position.ts';
import { quoteQualified } from '../../../sql/identifiers.ts';
import type { SnapshotColumn } from '../../../snapshot/snapshot-columns.ts';
import type { CreateModel } from '../../ast/create-model.ts';
import type { TrainingSource } from '../../ast/training-source.ts';

/** The query that reads a FROM source: every row of the table, or the query as written. */
export function trainingSourceSql(source: TrainingSource): string {
  return source.kind === 'Table' ? `SELECT * FROM ${quoteQualified(source.table)}` : source.text;
}

/**
 * The training data's columns as PostgreSQL describes them, on the caller's session (so it checks
 * SELECT). An error in the FROM query points into the statement, where psql draws its caret.
 */
export async function describeTrainingData(
  link: UpstreamSession,
  statement: Pick<CreateModel, 'source'>,
  statementText: string,
  sourceSql: string,
): Promise<SnapshotColumn[]> {
  const prefix = 'SELECT * FROM (';
  const described = await link.query(`${prefix}${sourceSql}) AS training_data LIMIT 0`).catch((error) => {
    throw placeInStatement(error, statement, statementText, prefix.length);
  });
  return described.fields.map((f) => ({ name: f.name, type: typeNameOfOid(f.typeOid) ?? `oid ${f.typeOid}` }));
}

/** An error PostgreSQL found in the FROM query, moved to where the query stands in the statement. */
function placeInStatement(error: unknown, statement: Pick<CreateModel, 'source'>, statementText: string, prefixLength: number): unknown {
  if (!(error instanceof ClientError) || error.upstreamPosition === undefined) return error;
  // A query the statement did not spell (RETRAIN repeats a stored one) has no place in it.
  if (statement.source.kind === 'Query' && statementText.slice(statement.source.start).startsWith(statement.source.text)) {
    error.position = pgPosition(statementText, statement.source.start) + (error.upstreamPosition - prefixLength - 1);
  }
  return error;
}
