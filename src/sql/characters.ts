import { ClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import { pgPosition } from './position.ts';

/*
 * The text between and under the tokens: the character classes of PostgreSQL's scanner (scan.l),
 * on UTF-16 code units (PostgreSQL counts every byte >= 0x80 as an identifier character; every
 * non-ASCII code unit is the same here), whitespace and comments, and scanner errors.
 */

export function isSpace(c: number): boolean {
  // space, \t, \n, \v, \f, \r
  return c === 32 || (c >= 9 && c <= 13);
}

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 128;
}

/** Identifiers continue with digits and `$` too, so `a$$b` is one identifier, not a dollar quote. */
export function isIdentCont(c: number): boolean {
  return isIdentStart(c) || isDigit(c) || c === 36;
}

/** A dollar-quote tag is an identifier without `$`. */
export function isTagCont(c: number): boolean {
  return isIdentStart(c) || isDigit(c);
}

export function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

const OPERATOR_TABLE = new Uint8Array(128);
for (const ch of '~!@#^&|`?+-*/%<>=') OPERATOR_TABLE[ch.charCodeAt(0)] = 1;

export function isOperatorChar(c: number): boolean {
  return c < 128 && OPERATOR_TABLE[c] === 1;
}

/** Chars whose presence lets a multi-char operator end in + or - (scan.l's "other" rule). */
export function isNonMathOperatorChar(c: number): boolean {
  // ~ ! @ # ^ & | ` ? %
  return c === 126 || c === 33 || c === 64 || c === 35 || c === 94 || c === 38 || c === 124 || c === 96 || c === 63 || c === 37;
}

export function lowerAscii(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** Whether sql[start, end) spells `lowerWord` ignoring ASCII case, without allocating. */
export function wordIs(sql: string, start: number, end: number, lowerWord: string): boolean {
  if (end - start !== lowerWord.length) return false;
  for (let i = 0; i < lowerWord.length; i++) {
    if (lowerAscii(sql.charCodeAt(start + i)) !== lowerWord.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * Skips whitespace, `-- line` comments and `/* nested /* block *\/ comments *\/` from `i` and
 * returns the index of the next significant character (or the text length).
 */
export function skipTrivia(sql: string, i: number): number {
  const n = sql.length;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (isSpace(c)) {
      i++;
    } else if (c === 45 /* - */ && sql.charCodeAt(i + 1) === 45) {
      i = skipLineComment(sql, i + 2);
    } else if (c === 47 /* / */ && sql.charCodeAt(i + 1) === 42 /* * */) {
      i = skipBlockComment(sql, i);
    } else {
      break;
    }
  }
  return i;
}

/** From just after `--`, to just after the end of the line (or the end of input). */
export function skipLineComment(sql: string, i: number): number {
  const n = sql.length;
  while (i < n) {
    const c = sql.charCodeAt(i++);
    if (c === 10 || c === 13) break;
  }
  return i;
}

/** From a `/*`, to just after its matching `*\/`. Block comments nest in PostgreSQL. */
export function skipBlockComment(sql: string, start: number): number {
  const end = blockCommentEnd(sql, start);
  if (end < 0) throw lexError(sql, 'unterminated /* comment', start);
  return end;
}

/** Index just after the comment that opens at `start`, or -1 if it never closes. */
export function blockCommentEnd(sql: string, start: number): number {
  const n = sql.length;
  let depth = 1;
  let i = start + 2;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c === 47 && sql.charCodeAt(i + 1) === 42) {
      depth++;
      i += 2;
    } else if (c === 42 && sql.charCodeAt(i + 1) === 47) {
      i += 2;
      if (--depth === 0) return i;
    } else {
      i++;
    }
  }
  return -1;
}

/**
 * A scanner error worded like PostgreSQL's scanner_yyerror: the message, then "at or near" the
 * source from the offending token to `end` (to the end of input for unterminated literals).
 */
export function lexError(sql: string, message: string, start: number, end = sql.length): ClientError {
  const near = start >= sql.length ? 'at end of input' : `at or near "${sql.slice(start, end)}"`;
  return new ClientError(SqlState.syntaxError, `${message} ${near}`, { position: pgPosition(sql, start) });
}
