import { ClientError } from '../../errors/client-error.ts';
import { SqlState } from '../../errors/sqlstate.ts';
import type { StatementContext } from '../../session/statement-context.ts';
import type { MlStatement, MlStatementKind } from '../ast/ml-statement.ts';
import type { QualifiedName } from '../ast/qualified-name.ts';
import { currentSchema } from './current-schema.ts';

/**
 * Statements about calling a model function, which a FORECAST model does not have (its forecast
 * is stored rows): scoring, drift, capture, hosting and schedules. Named as the user wrote them.
 */
const NOT_FOR_FORECAST: Partial<Record<MlStatementKind, string>> = {
  EvaluateModel: 'EVALUATE MODEL',
  ShowModelDrift: 'SHOW MODEL ... DRIFT',
  AlterModelSetMonitoring: 'ALTER MODEL ... SET MONITORING',
  AlterModelStart: 'ALTER MODEL ... START',
  AlterModelSetInference: 'ALTER MODEL ... SET INFERENCE',
  CreateInferenceSchedule: 'CREATE INFERENCE SCHEDULE',
};

/** 42809 for a statement above naming a FORECAST model; nothing for any other. */
export async function refuseForecastModel(statement: MlStatement, context: StatementContext): Promise<void> {
  const what = NOT_FOR_FORECAST[statement.kind];
  if (!what || !('model' in statement)) return;
  const model = statement.model as QualifiedName;
  const schema = model.schema ?? (await currentSchema(context));
  const r = await context.upstream.query(
    `SELECT 1 FROM modelgres.models WHERE schema_name = $1 AND model_name = $2 AND problem_type = 'FORECAST'`,
    [schema, model.name],
  );
  if (r.rows.length > 0) {
    throw new ClientError(SqlState.wrongObjectType, `${what} does not apply to FORECAST model "${model.name}"`, {
      hint: 'A FORECAST model has no function to call: its forecast is computed at training and read with SELECT FORECAST(m).',
    });
  }
}
