import { ClientError, type ClientErrorFields } from '../../errors/client-error.ts';
import { SqlState } from '../../errors/sqlstate.ts';
import { pgPosition } from '../../sql/position.ts';
import type { Token } from '../../sql/lexer.ts';

/**
 * 'syntax error at or near "X"' (or 'at end of input'), positioned at the token the way
 * PostgreSQL's parser reports it, so psql draws its caret under it.
 */
export function syntaxError(sql: string, token: Token, fields: Omit<ClientErrorFields, 'position'> = {}): ClientError {
  const near = token.kind === 'eof' ? 'at end of input' : `at or near "${token.text}"`;
  return new ClientError(SqlState.syntaxError, `syntax error ${near}`, {
    ...fields,
    position: pgPosition(sql, token.start),
  });
}

/** An error of another SQLSTATE about a value in the statement, pointing at that value. */
export function valueError(
  sql: string,
  token: Token,
  code: string,
  message: string,
  fields: Omit<ClientErrorFields, 'position'> = {},
): ClientError {
  return new ClientError(code, message, { ...fields, position: pgPosition(sql, token.start) });
}
