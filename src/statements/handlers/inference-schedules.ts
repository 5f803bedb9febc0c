import { ClientError } from '../../errors/client-error.ts';
import { SqlState } from '../../errors/sqlstate.ts';
import { commandComplete } from '../../protocol/backend-messages.ts';
import type { StatementContext } from '../../session/statement-context.ts';
import type { QualifiedName } from '../ast/qualified-name.ts';
import type {
  AlterInferenceSchedule,
  DropInferenceSchedule,
  ShowInferenceExecutions,
  ShowInferenceSchedule,
  ShowInferenceSchedules,
} from '../ast/inference-schedule.ts';
import type { MlStatementContext } from '../ml-statement-context.ts';
import { currentSchema } from './current-schema.ts';
import { sendRows } from './send-rows.ts';

async function scheduleKey(schedule: QualifiedName, context: StatementContext): Promise<[string, string]> {
  return [schedule.schema ?? (await currentSchema(context)), schedule.name];
}

/** ALTER INFERENCE SCHEDULE s { STOP | START | RUN NOW }: the owner's (or a superuser's) to change. */
export async function alterInferenceSchedule(s: AlterInferenceSchedule, _t: string, context: StatementContext): Promise<void> {
  const [schema, name] = await scheduleKey(s.schedule, context);
  await context.upstream.query('SELECT modelgres.alter_inference_schedule(current_user, $1, $2, $3)', [schema, name, s.action]);
  context.send(commandComplete('ALTER INFERENCE SCHEDULE'));
}

/** DROP INFERENCE SCHEDULE [ IF EXISTS ] s: its executions go; the target table is the owner's data and stays. */
export async function dropInferenceSchedule(s: DropInferenceSchedule, _t: string, context: StatementContext): Promise<void> {
  const [schema, name] = await scheduleKey(s.schedule, context);
  await context.upstream.query('SELECT modelgres.drop_inference_schedule(current_user, $1, $2, $3)', [
    schema,
    name,
    s.ifExists ? 'true' : 'false',
  ]);
  context.send(commandComplete('DROP INFERENCE SCHEDULE'));
}

/** SHOW INFERENCE SCHEDULE s: Key/Value rows, as SHOW MODEL. */
export async function showInferenceSchedule(s: ShowInferenceSchedule, _t: string, context: MlStatementContext): Promise<void> {
  const [schema, name] = await scheduleKey(s.schedule, context);
  const r = await context.upstream.query(
    `SELECT schedule_name, schema_name, owner, format('%I.%I', model_schema, model_name), source_kind, source_label,
            key_column, key_type, format('%I.%I', target_schema, target_table), every::text, delay::text, start_at::text,
            state, next_run::text, watermark, watermark_updated_at::text, last_execution_id::text, last_status, created_at::text
       FROM modelgres.inference_schedules WHERE schema_name = $1 AND schedule_name = $2`,
    [schema, name],
  );
  const row = r.rows[0];
  if (!row) throw notFound(name);
  const keys = [
    'Schedule Name', 'Schema Name', 'Owner', 'Model', 'Source', 'Table or Query', 'Key Column', 'Key Type', 'Target Table',
    'Every', 'Delay', 'Start At', 'Status', 'Next Run', 'Last Watermark', 'Watermark Updated', 'Last Execution',
    'Last Execution Status', 'Creation Time',
  ];
  sendRows(context, keys.map((key, i) => [key, row[i] ?? '']), 'SHOW');
}

/** SHOW INFERENCE SCHEDULES: the schedules the role owns (every one for a superuser). */
export async function showInferenceSchedules(_s: ShowInferenceSchedules, _t: string, context: MlStatementContext): Promise<void> {
  const r = await context.upstream.query(
    `SELECT schema_name, schedule_name, format('%I.%I', model_schema, model_name), state, every::text, delay::text,
            next_run, watermark, last_status, owner
       FROM modelgres.inference_schedules ORDER BY schema_name, schedule_name`,
  );
  sendRows(context, r.rows, 'SHOW');
}

/** SHOW INFERENCE EXECUTIONS FOR s [ LIMIT n ]: newest first. */
export async function showInferenceExecutions(s: ShowInferenceExecutions, _t: string, context: MlStatementContext): Promise<void> {
  const [schema, name] = await scheduleKey(s.schedule, context);
  const exists = await context.upstream.query('SELECT 1 FROM modelgres.inference_schedules WHERE schema_name = $1 AND schedule_name = $2', [
    schema,
    name,
  ]);
  if (exists.rows.length === 0) throw notFound(name);
  const r = await context.upstream.query(
    `SELECT execution_id, status, started_by, started_at, finished_at, window_start, window_end, rows_scored, model_version, error
       FROM modelgres.inference_executions WHERE schema_name = $1 AND schedule_name = $2
      ORDER BY execution_id DESC LIMIT $3`,
    [schema, name, s.limit === undefined ? null : String(s.limit)],
  );
  sendRows(context, r.rows, 'SHOW');
}

function notFound(name: string): ClientError {
  return new ClientError(SqlState.undefinedObject, `inference schedule "${name}" does not exist`, {
    hint: 'SHOW INFERENCE SCHEDULES lists the schedules you own.',
  });
}
