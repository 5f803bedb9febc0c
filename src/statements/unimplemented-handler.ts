import { notSupported } from '../errors/client-error.ts';
import { firstWords } from '../sql/first-words.ts';
import type { StatementHandler } from '../proxy/statement-context.ts';

/**
 * Answers every intercepted statement with 0A000 until its handler is built, so a client gets a
 * clear sentence rather than a fake result.
 */
export const unimplementedHandler: StatementHandler = async (statement) => {
  if (statement.kind === 'model-call') {
    throw notSupported('calling a model function is not implemented yet');
  }
  const words = firstWords(statement.text, 4).map((w) => w.toUpperCase());
  const modelAt = words.indexOf('MODEL');
  const name = modelAt >= 0 ? words.slice(0, modelAt + 1).join(' ') : words.join(' ');
  throw notSupported(`${name} is not implemented yet`);
};
