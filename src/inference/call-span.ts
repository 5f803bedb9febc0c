import { ClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import { scanToken } from '../sql/lexer.ts';
import { skipTrivia } from '../sql/characters.ts';

export interface TextSpan {
  start: number;
  end: number;
}

/** Where a call stands in the text: the whole call, and each argument, as UTF-16 offsets. */
export interface CallSpan extends TextSpan {
  arguments: TextSpan[];
}

/**
 * Reads `name(arg, ...)` from `start` with PostgreSQL's lexical rules, so commas and parentheses
 * inside strings, nested calls and subqueries are respected. PostgreSQL's parser already
 * accepted the text, so only a shape it cannot have is an error.
 */
export function readCallSpan(sql: string, start: number): CallSpan {
  let i = start;
  // The (possibly qualified) function name, then "(".
  for (;;) {
    const t = scanToken(sql, skipTrivia(sql, i));
    i = t.end;
    if (t.text === '(') break;
    if (t.kind === 'eof' || i >= sql.length) throw unexpected();
  }
  const args: TextSpan[] = [];
  let depth = 0;
  let argStart = skipTrivia(sql, i);
  let lastEnd = argStart;
  for (;;) {
    const at = skipTrivia(sql, i);
    if (at >= sql.length) throw unexpected();
    const t = scanToken(sql, at);
    i = t.end;
    if (t.text === '(' || t.text === '[') depth++;
    else if ((t.text === ')' || t.text === ']') && depth > 0) depth--;
    else if (t.text === ')' ) {
      if (lastEnd > argStart) args.push({ start: argStart, end: lastEnd });
      return { start, end: t.end, arguments: args };
    } else if (t.text === ',' && depth === 0) {
      args.push({ start: argStart, end: lastEnd });
      argStart = skipTrivia(sql, t.end);
      lastEnd = argStart;
      continue;
    }
    lastEnd = t.end;
  }
}

/**
 * libpg-query gives byte offsets into the UTF-8 text; the text is spliced by UTF-16 index.
 * Returns the conversion for one statement.
 */
export function utf16Offsets(sql: string): (byteOffset: number) => number {
  const bytes = Buffer.from(sql, 'utf8');
  return (byteOffset) => bytes.subarray(0, byteOffset).toString('utf8').length;
}

function unexpected(): ClientError {
  return new ClientError(SqlState.internalError, 'modelgres could not read a model function call in the statement');
}
