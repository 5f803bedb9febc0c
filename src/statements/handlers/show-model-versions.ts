import { ClientError } from '../../errors/client-error.ts';
import { SqlState } from '../../errors/sqlstate.ts';
import type { MlStatementContext } from '../ml-statement-context.ts';
import type { ShowModelVersions } from '../ast/show-model.ts';
import { modelKey } from './model-target.ts';
import { sendRows } from './send-rows.ts';

/** SHOW MODEL m VERSIONS: one row a version, typed, oldest first. */
export async function showModelVersions(s: ShowModelVersions, _t: string, context: MlStatementContext): Promise<void> {
  const [schema, name] = await modelKey(s.model, context);
  const result = await context.upstream.query(
    `SELECT version, state, active, source, job_name, created_at, training_started_at, training_finished_at,
            training_rows, metric, metric_value, failure_reason
       FROM modelgres.model_versions WHERE schema_name = $1 AND model_name = $2 ORDER BY version`,
    [schema, name],
  );
  if (result.rows.length === 0) throw new ClientError(SqlState.undefinedObject, `model "${name}" does not exist`);
  sendRows(context, result.rows, 'SHOW');
}
