import { TypeOid } from '../catalog/pg-types.ts';
import { Backend } from '../protocol/message-codes.ts';
import { clientFields, executeModelCalls, prepareModelCalls, type InferenceDeps } from '../inference/select-with-model-calls.ts';
import type { FieldDescription } from '../protocol/backend-messages.ts';
import type {
  ExtendedStatementHandler,
  PreparedStatement,
  StatementContext,
  StatementDescription,
} from '../proxy/statement-context.ts';
import type { MlStatement } from './ast/ml-statement.ts';
import { runMlStatement } from './handlers/ml-statement-handlers.ts';
import { parseMlStatement } from './parser/index.ts';

const text = (name: string): FieldDescription => ({ name, typeOid: TypeOid.text });

/** Columns of the ML statements that return rows; the others return none (NoData). */
function mlResultColumns(statement: MlStatement): FieldDescription[] | null {
  switch (statement.kind) {
    case 'ShowModelAll':
      return [text('Schema Name'), text('Model Name')];
    case 'ShowModel':
    case 'ShowModelVersion':
      return [text('Key'), text('Value')];
    case 'EvaluateModel':
      return [text('metric'), { name: 'value', typeOid: TypeOid.float8 }, { name: 'detail', typeOid: TypeOid.jsonb }];
    case 'ShowModelEvaluations':
      return [
        { name: 'version', typeOid: TypeOid.int4 },
        { name: 'evaluated_at', typeOid: TypeOid.timestamptz },
        text('evaluated_by'),
        text('source'),
        { name: 'row_count', typeOid: TypeOid.int8 },
        { name: 'metrics', typeOid: TypeOid.jsonb },
      ];
    case 'ShowModelDrift':
      return [
        text('feature'), text('kind'), text('metric'),
        { name: 'value', typeOid: TypeOid.float8 }, { name: 'threshold', typeOid: TypeOid.float8 },
        { name: 'drifted', typeOid: TypeOid.bool }, { name: 'baseline_count', typeOid: TypeOid.int8 },
        { name: 'current_count', typeOid: TypeOid.int8 }, text('check'),
      ];
    case 'WaitForModel':
      return [{ name: 'version', typeOid: TypeOid.int4 }, text('state')];
    case 'ShowModelVersions':
      return [
        { name: 'version', typeOid: TypeOid.int4 },
        text('state'),
        { name: 'active', typeOid: TypeOid.bool },
        text('source'),
        text('job_name'),
        { name: 'created_at', typeOid: TypeOid.timestamptz },
        { name: 'training_started_at', typeOid: TypeOid.timestamptz },
        { name: 'training_finished_at', typeOid: TypeOid.timestamptz },
        { name: 'training_rows', typeOid: TypeOid.int8 },
        text('metric'),
        { name: 'metric_value', typeOid: TypeOid.float8 },
        text('failure_reason'),
      ];
    default:
      return null;
  }
}

/** In Execute the columns were given by Describe already: a handler's RowDescription is dropped. */
function withoutRowDescription(context: StatementContext): StatementContext {
  return { ...context, send: (m) => (m[0] === Backend.RowDescription ? undefined : context.send(m)) };
}

export function createExtendedStatementHandler(inference: InferenceDeps): ExtendedStatementHandler {
  return {
    async prepare(statement, parameterTypes) {
      if (statement.kind === 'ml') {
        const parsed = parseMlStatement(statement.text);
        const columns = mlResultColumns(parsed);
        return {
          describe: async () => ({
            parameterTypes: [],
            fields: columns,
          }),
          execute: (_params, context) => runMlStatement(parsed, statement.text, { ...withoutRowDescription(context), inference }),
        } satisfies PreparedStatement;
      }
      const prepared = prepareModelCalls(statement.text, inference.registry);
      if (prepared.kind === 'passthrough') return null;
      return {
        async describe(context): Promise<StatementDescription> {
          if (prepared.kind === 'materialized' || prepared.kind === 'write-back') {
            // The model functions exist in PostgreSQL with their real signatures: it describes the statement as is.
            return context.upstream.describe(prepared.sql, parameterTypes);
          }
          const d = await context.upstream.describe(prepared.rewritten, parameterTypes);
          return { parameterTypes: d.parameterTypes, fields: d.fields ? clientFields(prepared, d.fields) : null };
        },
        execute: (params, context) =>
          executeModelCalls(prepared, withoutRowDescription(context), inference, { params, describe: false }),
      } satisfies PreparedStatement;
    },
  };
}
