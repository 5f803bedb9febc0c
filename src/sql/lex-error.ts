import { ClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import { pgPosition } from './position.ts';

/**
 * A scanner error worded like PostgreSQL's scanner_yyerror: the message, then "at or near" the
 * source from the offending token to `end` (to the end of input for unterminated literals).
 */
export function lexError(sql: string, message: string, start: number, end = sql.length): ClientError {
  const near = start >= sql.length ? 'at end of input' : `at or near "${sql.slice(start, end)}"`;
  return new ClientError(SqlState.syntaxError, `${message} ${near}`, { position: pgPosition(sql, start) });
}
