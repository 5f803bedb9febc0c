import { isDigit, isIdentCont, isIdentStart, isOperatorChar, lowerAscii } from './char-classes.ts';
import { foldIdentifier } from './identifier-value.ts';
import { scanDollar } from './scan-dollar.ts';
import { scanNumber } from './scan-number.ts';
import { scanOperator } from './scan-operator.ts';
import { scanQuoted, type QuotedForm } from './scan-quoted.ts';
import { skipTrivia } from './skip-trivia.ts';
import type { Token } from './token.ts';

/**
 * Splits SQL text into tokens by PostgreSQL's lexical rules (manual, "Lexical Structure"),
 * skipping whitespace and comments. The last token is always `eof`. Unterminated literals and
 * comments throw a ClientError 42601 positioned at their start, worded as PostgreSQL words it.
 */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = skipTrivia(sql, 0);
  while (i < sql.length) {
    const token = scanToken(sql, i);
    tokens.push(token);
    i = skipTrivia(sql, token.end);
  }
  tokens.push({ kind: 'eof', text: '', value: '', start: sql.length, end: sql.length });
  return tokens;
}

/** The one token that starts at `i`, which must not be whitespace or a comment. */
export function scanToken(sql: string, i: number): Token {
  const c = sql.charCodeAt(i);
  if (c === 39 /* ' */) return scanQuoted(sql, i, 'plain');
  if (c === 34 /* " */) return scanQuoted(sql, i, 'identifier');
  if (isIdentStart(c)) {
    const form = prefixedForm(sql, i);
    return form ? scanQuoted(sql, i, form) : scanIdentifier(sql, i);
  }
  if (isDigit(c) || (c === 46 && isDigit(sql.charCodeAt(i + 1)))) return scanNumber(sql, i);
  if (c === 36 /* $ */) return scanDollar(sql, i);
  if (c === 58 /* : */) {
    const next = sql.charCodeAt(i + 1);
    if (next === 58) return punctuation(sql, i, 2);
    if (next === 61) return { kind: 'operator', text: ':=', value: ':=', start: i, end: i + 2 };
  }
  if (isOperatorChar(c)) return scanOperator(sql, i);
  // ( ) , ; [ ] . : and any other single character, which only the grammar can reject.
  return punctuation(sql, i, c >= 0xd800 && c <= 0xdbff ? 2 : 1);
}

/** E'..', B'..', X'..', N'..', U&'..', U&".." — a letter prefix glued to a quote. */
function prefixedForm(sql: string, i: number): QuotedForm | null {
  const letter = lowerAscii(sql.charCodeAt(i));
  const next = sql.charCodeAt(i + 1);
  if (next === 39) {
    if (letter === 101) return 'escape';
    if (letter === 98) return 'bit';
    if (letter === 120) return 'hex';
    if (letter === 110) return 'national';
    return null;
  }
  if (letter === 117 && next === 38 /* & */) {
    const quote = sql.charCodeAt(i + 2);
    if (quote === 39) return 'unicode';
    if (quote === 34) return 'unicode-identifier';
  }
  return null;
}

function scanIdentifier(sql: string, start: number): Token {
  let end = start + 1;
  while (end < sql.length && isIdentCont(sql.charCodeAt(end))) end++;
  const text = sql.slice(start, end);
  return { kind: 'identifier', text, value: foldIdentifier(text), start, end };
}

function punctuation(sql: string, start: number, length: number): Token {
  const text = sql.slice(start, start + length);
  return { kind: 'punctuation', text, value: text, start, end: start + length };
}
