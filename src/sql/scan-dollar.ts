import { isDigit, isIdentCont, isIdentStart, isTagCont } from './char-classes.ts';
import { lexError } from './lex-error.ts';
import type { Token } from './token.ts';

/**
 * At a `$`: a parameter `$n`, a dollar-quoted string `$tag$ ... $tag$`, or (when neither fits)
 * the lone character `$`, which the grammar then rejects as PostgreSQL's does.
 */
export function scanDollar(sql: string, start: number): Token {
  if (isDigit(sql.charCodeAt(start + 1))) return scanParameter(sql, start);
  const tagEnd = dollarTagEnd(sql, start);
  if (tagEnd < 0) return { kind: 'punctuation', text: '$', value: '$', start, end: start + 1 };
  const tag = sql.slice(start, tagEnd);
  const close = sql.indexOf(tag, tagEnd);
  if (close < 0) throw lexError(sql, 'unterminated dollar-quoted string', start);
  const end = close + tag.length;
  return { kind: 'string', text: sql.slice(start, end), value: sql.slice(tagEnd, close), start, end };
}

/** Index just after the opening `$tag$` at `start`, or -1 if there is none. */
export function dollarTagEnd(sql: string, start: number): number {
  let i = start + 1;
  if (isIdentStart(sql.charCodeAt(i))) {
    i++;
    while (isTagCont(sql.charCodeAt(i))) i++;
  }
  return sql.charCodeAt(i) === 36 ? i + 1 : -1;
}

function scanParameter(sql: string, start: number): Token {
  let i = start + 1;
  while (isDigit(sql.charCodeAt(i)) || (sql.charCodeAt(i) === 95 && isDigit(sql.charCodeAt(i + 1)))) i++;
  if (isIdentStart(sql.charCodeAt(i))) {
    let j = i;
    while (isIdentCont(sql.charCodeAt(j))) j++;
    throw lexError(sql, 'trailing junk after parameter', start, j);
  }
  const text = sql.slice(start, i);
  return { kind: 'parameter', text, value: text.slice(1).replaceAll('_', ''), start, end: i };
}
