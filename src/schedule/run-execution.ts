import type pg from 'pg';
import { ClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import type { OnnxSessionCache } from '../inference/onnx-session-cache.ts';
import { openModel, scoreSource } from '../monitor/score-source.ts';
import { copyText } from '../protocol/copy-text.ts';
import { PgClientSession } from '../session/pg-client-session.ts';
import type { StatementContext } from '../session/statement-context.ts';
import { quoteIdent, quoteQualified } from '../sql/identifiers.ts';
import { windowEndSql, windowSql } from './execution-window.ts';

/** A schedule claimed for one execution: its settings and the watermark it starts from. */
export interface ClaimedSchedule {
  schedule_id: string;
  schema_name: string;
  schedule_name: string;
  owner: string;
  model_schema: string;
  model_name: string;
  source_sql: string;
  search_path: string;
  key_column: string;
  key_type: string;
  target_schema: string;
  target_table: string;
  delay: string;
  run_requested: boolean;
  watermark: string | null;
}

export interface ExecutionResult {
  windowStart: string | null;
  windowEnd: string | null;
  rows: number;
}

/**
 * Scores the schedule's window and writes it, on `client`, inside the transaction that holds the
 * schedule's watermark locked: as the owner (SET LOCAL ROLE, so PostgreSQL checks SELECT on the
 * source, INSERT on the target and EXECUTE on the model), with the version fixed when the
 * execution began. Predictions go into the target with COPY; the caller commits them together with
 * the new watermark, so a failure leaves neither. `window` is filled in as each end becomes known,
 * so a failed execution still reports the window it tried.
 */
export async function runExecution(
  client: pg.ClientBase,
  schedule: ClaimedSchedule,
  execution: { id: string; version: number },
  sessions: OnnxSessionCache,
  signal: AbortSignal,
  window: { start: string | null; end: string | null },
): Promise<ExecutionResult> {
  const session = new PgClientSession(client);
  await session.query(`SET LOCAL ROLE ${quoteIdent(schedule.owner)}`);
  await session.query(`SELECT set_config('search_path', $1, true)`, [schedule.search_path]);
  const start = schedule.watermark;
  window.start = start;
  const end = (await session.query(windowEndSql(schedule.key_type, schedule.key_column, schedule.source_sql), [schedule.delay])).rows[0]?.[0] ?? null;
  window.end = end;
  let rows = 0;
  // Nothing past the watermark: the window is empty and the watermark stays where it is.
  const empty = end === null || (start !== null && (await isNotAfter(session, end, start, schedule.key_type)));
  if (!empty) {
    const context: StatementContext = {
      user: schedule.owner,
      database: '',
      upstream: session,
      send: () => {},
      catalogChanged: async () => {},
      signal,
      settings: { modelDir: '', maxModelBytes: 0 },
    };
    const model = await openModel(context, sessions, schedule.model_schema, schedule.model_name, execution.version).catch((error: unknown) => {
      // The model exists (DROP MODEL takes its schedules along): hidden from the owner means no EXECUTE.
      if (error instanceof ClientError && error.code === SqlState.undefinedObject) {
        throw new ClientError(SqlState.insufficientPrivilege, `permission denied for model ${schedule.model_name}: the schedule's owner ${schedule.owner} may not execute it`);
      }
      throw error;
    });
    const target = quoteQualified({ schema: schedule.target_schema, name: schedule.target_table });
    const copy = `COPY ${target} (${quoteIdent(schedule.key_column)}, prediction, model_version, execution_id) FROM STDIN`;
    const tail = `\t${execution.version}\t${execution.id}\n`;
    const source = windowSql(schedule.source_sql, schedule.key_column, schedule.key_type, start, end);
    await scoreSource(context, model, source, schedule.key_column, async (_args, predictions, keys) => {
      let text = '';
      for (let i = 0; i < predictions.length; i++) text += `${copyText(keys[i])}\t${copyText(predictions[i])}${tail}`;
      await session.copyIn(copy, Buffer.from(text, 'utf8'));
      rows += predictions.length;
    });
  }
  await session.query('RESET ROLE');
  await session.query('RESET search_path');
  return { windowStart: start, windowEnd: empty ? start : end, rows };
}

/** Whether the window's end is not past its start (nothing new can be in it). */
async function isNotAfter(session: PgClientSession, end: string, start: string, keyType: string): Promise<boolean> {
  const r = await session.query(`SELECT $1::${keyType} <= $2::${keyType}`, [end, start]);
  return r.rows[0][0] === 't';
}
