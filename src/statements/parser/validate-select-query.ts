import { loadModule, parseSync } from 'libpg-query';
import { ClientError } from '../../errors/client-error.ts';
import { SqlState } from '../../errors/sqlstate.ts';
import { offsetOfCodePoint, pgPosition } from '../../sql/position.ts';
import { tokenize, type Token } from '../../sql/lexer.ts';
import { syntaxError } from './syntax-error.ts';

// The WebAssembly parser loads once, when this module is first imported.
await loadModule();

/**
 * Checks `sql[start, end)` — the inside of FROM ( ... ) — with PostgreSQL's own parser. A syntax
 * error is reported at its position in the whole statement; PostgreSQL's "at end of input" means
 * the query stopped short, which in the statement is the closing parenthesis.
 */
export function validateSelectQuery(sql: string, start: number, end: number, first: Token, close: Token): void {
  const query = sql.slice(start, end);
  // `FROM ()`: PostgreSQL's grammar fails at the `)`; libpg-query refuses empty input outright.
  if (query.trim() === '') throw syntaxError(sql, close);
  let statements: readonly { stmt?: unknown }[];
  try {
    statements = parseSync(query).stmts ?? [];
  } catch (error) {
    throw relocate(sql, start, close, error);
  }
  if (statements.length === 0) throw syntaxError(sql, close);
  const stmt = statements[0].stmt;
  if (typeof stmt !== 'object' || stmt === null || !('SelectStmt' in stmt)) {
    throw syntaxError(sql, first, { hint: 'FROM takes a table name or a parenthesised SELECT query.' });
  }
  // An ML statement takes no parameters: a $n would reach PostgreSQL in the proxy's own Bind, whose
  // error names a protocol detail (08P01, "bind message supplies 0 parameters"). PostgreSQL's words
  // for $n in a statement without parameters instead:
  const parameter = tokenize(query).find((t) => t.kind === 'parameter');
  if (parameter) {
    throw new ClientError(SqlState.undefinedParameter, `there is no parameter ${parameter.text}`, { position: pgPosition(sql, start + parameter.start) });
  }
}

function relocate(sql: string, start: number, close: Token, error: unknown): ClientError {
  const details = (error as { sqlDetails?: { message?: unknown; cursorPosition?: unknown } }).sqlDetails;
  const message = typeof details?.message === 'string' ? details.message : String(error);
  const cursor = typeof details?.cursorPosition === 'number' ? details.cursorPosition : 0;
  if (message.endsWith('at end of input')) {
    return syntaxError(sql, close);
  }
  // cursorPosition counts code points from 0 within the query.
  const offset = offsetOfCodePoint(sql, cursor, start);
  return new ClientError(SqlState.syntaxError, message, { position: pgPosition(sql, offset) });
}
