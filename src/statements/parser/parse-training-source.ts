import type { Token } from '../../sql/lexer.ts';
import { isSpace } from '../../sql/characters.ts';
import type { TrainingSource } from '../ast/training-source.ts';
import { parseQualifiedName } from './parse-names.ts';
import type { TokenStream } from './token-stream.ts';
import { validateSelectQuery } from './validate-select-query.ts';

/** table_name | ( select_query ) — the query is kept as text, checked by PostgreSQL's parser. */
export function parseTrainingSource(ts: TokenStream): TrainingSource {
  if (!ts.isPunctuation('(')) return { kind: 'Table', table: parseQualifiedName(ts) };
  const open = ts.next();
  const first = ts.peek();
  const close = skipToMatchingParen(ts);
  let start = open.end;
  let end = close.start;
  while (start < end && isSpace(ts.sql.charCodeAt(start))) start++;
  while (end > start && isSpace(ts.sql.charCodeAt(end - 1))) end--;
  validateSelectQuery(ts.sql, start, end, first, close);
  return { kind: 'Query', text: ts.sql.slice(start, end), start };
}

/** Consumes through the `)` that closes the `(` just read; a `;` inside is PostgreSQL's error too. */
function skipToMatchingParen(ts: TokenStream): Token {
  let depth = 1;
  for (;;) {
    const token = ts.peek();
    if (token.kind === 'eof' || (token.kind === 'punctuation' && token.text === ';')) throw ts.fail();
    ts.next();
    if (token.kind !== 'punctuation') continue;
    if (token.text === '(') depth++;
    else if (token.text === ')' && --depth === 0) return token;
  }
}
