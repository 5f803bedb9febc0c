import { isDigit, isHexDigit, isIdentCont, isIdentStart } from './char-classes.ts';
import { lexError } from './lex-error.ts';
import type { Token } from './token.ts';

/**
 * Scans a numeric constant at `start` (a digit, or '.' followed by a digit), with PostgreSQL 16's
 * rules: 0x/0o/0b integers, '_' between digits, and an error for trailing junk such as `123abc`.
 */
export function scanNumber(sql: string, start: number): Token {
  const prefix = sql.charCodeAt(start) === 48 ? radixOf(sql.charCodeAt(start + 1)) : 0;
  if (prefix !== 0) return scanRadixInteger(sql, start, prefix);

  let i = digitsEnd(sql, start, isDigit);
  let kind: 'integer' | 'numeric' = 'integer';
  // `1..10` is an integer then `..` (PL/pgSQL ranges), as scan.l's numericfail rule says.
  if (sql.charCodeAt(i) === 46 && sql.charCodeAt(i + 1) !== 46) {
    kind = 'numeric';
    i = isDigit(sql.charCodeAt(i + 1)) ? digitsEnd(sql, i + 1, isDigit) : i + 1;
  }
  const e = sql.charCodeAt(i);
  if (e === 101 || e === 69) {
    let j = i + 1;
    const sign = sql.charCodeAt(j);
    if (sign === 43 || sign === 45) j++;
    if (isDigit(sql.charCodeAt(j))) {
      kind = 'numeric';
      i = digitsEnd(sql, j, isDigit);
    } else if (j > i + 1) {
      throw trailingJunk(sql, start, j);
    }
  }
  rejectJunk(sql, start, i);
  const text = sql.slice(start, i);
  return { kind, text, value: text.replaceAll('_', ''), start, end: i };
}

function radixOf(c: number): number {
  if (c === 120 || c === 88) return 16;
  if (c === 111 || c === 79) return 8;
  if (c === 98 || c === 66) return 2;
  return 0;
}

function scanRadixInteger(sql: string, start: number, radix: number): Token {
  const isRadixDigit = (c: number): boolean =>
    radix === 16 ? isHexDigit(c) : radix === 8 ? c >= 48 && c <= 55 : c === 48 || c === 49;
  let first = start + 2;
  if (sql.charCodeAt(first) === 95) first++;
  if (!isRadixDigit(sql.charCodeAt(first))) {
    const name = radix === 16 ? 'hexadecimal' : radix === 8 ? 'octal' : 'binary';
    throw lexError(sql, `invalid ${name} integer`, start, first);
  }
  const end = digitsEnd(sql, first, isRadixDigit);
  rejectJunk(sql, start, end);
  const text = sql.slice(start, end);
  const value = BigInt(text.replaceAll('_', '')).toString();
  return { kind: 'integer', text, value, start, end };
}

/** Digits with single underscores between them: `1_000_000`. */
function digitsEnd(sql: string, i: number, isRadixDigit: (c: number) => boolean): number {
  while (isRadixDigit(sql.charCodeAt(i))) {
    i++;
    if (sql.charCodeAt(i) === 95 && isRadixDigit(sql.charCodeAt(i + 1))) i++;
  }
  return i;
}

function rejectJunk(sql: string, start: number, end: number): void {
  if (!isIdentStart(sql.charCodeAt(end))) return;
  let j = end;
  while (isIdentCont(sql.charCodeAt(j))) j++;
  throw trailingJunk(sql, start, j);
}

function trailingJunk(sql: string, start: number, end: number): Error {
  return lexError(sql, 'trailing junk after numeric literal', start, end);
}
