import { notSupported } from '../errors/client-error.ts';
import type { StatementHandler } from '../proxy/statement-context.ts';
import { runMlStatement } from './handlers/ml-statement-handlers.ts';
import { parseMlStatement } from './parser/index.ts';

/** Entry point for every statement the router takes out of the passthrough path. */
export const handleStatement: StatementHandler = async (statement, context) => {
  if (statement.kind === 'model-call') {
    throw notSupported('calling a model function is not implemented yet');
  }
  await runMlStatement(parseMlStatement(statement.text), statement.text, context);
};
