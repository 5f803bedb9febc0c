import { notSupported } from '../../errors/client-error.ts';
import { pgPosition } from '../../sql/position.ts';
import type { Token } from '../../sql/lexer.ts';

/**
 * Redshift ML features modelgres does not have yet get 0A000 with a sentence, not a syntax
 * error: their statements follow other grammars (a FORECAST model has no FUNCTION clause), so
 * they are found by scanning the statement's top level first.
 */
export function rejectUnsupported(sql: string, tokens: readonly Token[]): void {
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.kind === 'punctuation' && token.text === '(') depth++;
    else if (token.kind === 'punctuation' && token.text === ')') depth--;
    if (depth !== 0 || token.kind !== 'identifier') continue;
    const next = tokens[i + 1];
    if (token.value === 'model_type' && next?.kind === 'identifier' && next.value === 'forecast') {
      throw at(sql, next, 'MODEL_TYPE FORECAST is not supported yet', 'Forecasting models are planned; use XGBOOST, MLP, LINEAR_LEARNER or KMEANS.');
    }
  }
}

function at(sql: string, token: Token, message: string, hint: string) {
  const error = notSupported(message, hint);
  error.position = pgPosition(sql, token.start);
  return error;
}
