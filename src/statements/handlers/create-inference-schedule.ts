import { ClientError } from '../../errors/client-error.ts';
import { SqlState } from '../../errors/sqlstate.ts';
import { commandComplete } from '../../protocol/backend-messages.ts';
import { inOwnTransaction } from '../../session/own-transaction.ts';
import type { StatementContext } from '../../session/statement-context.ts';
import { quoteIdent, quoteQualified } from '../../sql/identifiers.ts';
import type { CreateInferenceSchedule } from '../ast/inference-schedule.ts';
import type { TrainingSource } from '../ast/training-source.ts';
import { currentSchema } from './current-schema.ts';
import { modelKey } from './model-target.ts';

/** KEY types an execution can compare with a watermark: numbers count up, times go forward. */
const NUMBER_KEYS = new Set(['int2', 'int4', 'int8', 'numeric']);
const TIME_KEYS = new Set(['date', 'timestamp', 'timestamptz']);

/**
 * CREATE INFERENCE SCHEDULE: checked as the caller, in the caller's transaction: the source is
 * read (SELECT), the KEY and the model's features must be columns of it, the target is created
 * with the model function's return type when missing (or must have the columns the executions
 * write), and the catalog keeps the schedule with the caller as its owner.
 */
export async function createInferenceSchedule(s: CreateInferenceSchedule, _t: string, context: StatementContext): Promise<void> {
  const link = context.upstream;
  await inOwnTransaction(link, async () => {
    const schema = s.schedule.schema ?? (await currentSchema(context));
    const [modelSchema, modelName] = await modelKey(s.model, context);
    // 42704 for a model that is not there, 42501 without EXECUTE on it.
    const model = (await link.query('SELECT * FROM modelgres.schedule_model(current_user, $1, $2)', [modelSchema, modelName])).rows[0];
    const features = JSON.parse(model[0]!) as string[];
    const returnType = model[1]!;
    const source = await sourceOf(s.source, context);
    // PostgreSQL's own errors for a source the caller cannot read or that lacks a column.
    const described = await link.query(
      `SELECT ${[s.key, ...features].map(quoteIdent).join(', ')} FROM (${source.sql}) AS scheduled_source LIMIT 0`,
    );
    const keyType = (await link.query('SELECT typname FROM pg_type WHERE oid = $1', [String(described.fields[0].typeOid)])).rows[0]?.[0] ?? '';
    if (!NUMBER_KEYS.has(keyType) && !TIME_KEYS.has(keyType)) {
      throw new ClientError(SqlState.datatypeMismatch, `KEY column "${s.key}" is of type ${keyType}`, {
        hint: 'The KEY must only grow: a number (an id) or a date or timestamp.',
      });
    }
    if (s.delay !== undefined && NUMBER_KEYS.has(keyType)) {
      throw new ClientError(SqlState.invalidParameterValue, 'DELAY needs a KEY of a date or timestamp type', {
        hint: `"${s.key}" is a number: each execution scores the rows above the last one scored.`,
      });
    }
    const target = { schema: s.target.schema ?? (await currentSchema(context)), name: s.target.name };
    await prepareTarget(context, target, s.key, keyType, returnType);
    const searchPath = (await link.query("SELECT current_setting('search_path')")).rows[0][0];
    await link.query(
      `SELECT modelgres.create_inference_schedule(current_user, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
      [
        schema, s.schedule.name, modelSchema, modelName, s.source.kind, source.label, source.sql, searchPath,
        s.key, keyType, target.schema, target.name, s.every, s.delay ?? null, s.startAt ?? null,
      ],
    );
  });
  context.send(commandComplete('CREATE INFERENCE SCHEDULE'));
}

/** The SELECT an execution reads: a table by its schema-qualified name, so the worker's search_path cannot change it. */
async function sourceOf(source: TrainingSource, context: StatementContext): Promise<{ sql: string; label: string }> {
  if (source.kind === 'Query') return { sql: source.text, label: source.text };
  const r = await context.upstream.query(
    `SELECT n.nspname, c.relname, format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.oid = to_regclass($1)`,
    [quoteQualified(source.table)],
  );
  const found = r.rows[0];
  if (!found) throw new ClientError(SqlState.undefinedTable, `relation "${quoteQualified(source.table)}" does not exist`);
  const name = { schema: found[0]!, name: found[1]! };
  return { sql: `SELECT * FROM ${quoteQualified(name)}`, label: found[2]! };
}

/** The target keeps (key, prediction, model_version, execution_id); created as the caller when missing. */
async function prepareTarget(
  context: StatementContext,
  target: { schema: string; name: string },
  key: string,
  keyType: string,
  returnType: string,
): Promise<void> {
  const link = context.upstream;
  const exists = (await link.query('SELECT to_regclass($1) IS NOT NULL', [quoteQualified(target)])).rows[0][0] === 't';
  if (exists) {
    // PostgreSQL's 42703 when a column the executions write is missing.
    await link.query(`SELECT ${quoteIdent(key)}, prediction, model_version, execution_id FROM ${quoteQualified(target)} LIMIT 0`);
    return;
  }
  await link.query(
    `CREATE TABLE ${quoteQualified(target)} (${quoteIdent(key)} ${keyType}, prediction ${returnType}, model_version integer, execution_id bigint)`,
  );
}
