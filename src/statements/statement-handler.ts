import { executeModelCalls, prepareModelCalls, type InferenceDeps } from '../inference/select-with-model-calls.ts';
import type { StatementHandler } from '../proxy/statement-context.ts';
import { sqlPreparedStatement } from '../inference/sql-prepared-statements.ts';
import { runMlStatement } from './handlers/ml-statement-handlers.ts';
import { parseMlStatement } from './parser/index.ts';

/** Entry point for every statement the router takes out of the passthrough path (simple query). */
export function createStatementHandler(inference: InferenceDeps): StatementHandler {
  return async (statement, context) => {
    if (statement.kind === 'model-call') {
      let text: string | null = statement.text;
      if (/^\s*(prepare|execute|deallocate)\b/i.test(text)) {
        text = sqlPreparedStatement(text, context.sqlPrepared, context);
        if (text === null) return;
      }
      await executeModelCalls(prepareModelCalls(text, inference.registry), context, inference, { describe: true });
      return;
    }
    await runMlStatement(parseMlStatement(statement.text), statement.text, { ...context, inference });
  };
}
