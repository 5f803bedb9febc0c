import {
  isDigit,
  isHexDigit,
  isIdentCont,
  isIdentStart,
  isNonMathOperatorChar,
  isOperatorChar,
  isTagCont,
  lexError,
  lowerAscii,
  skipTrivia,
} from './characters.ts';
import { foldIdentifier, truncateIdentifier } from './identifiers.ts';
import {
  decodeEscapeString,
  decodePlain,
  decodeUnicodeEscapes,
  quotedSegments,
  uescapeClause,
  type QuotedSegments,
} from './string-literals.ts';

/**
 * One lexical token of SQL text, following PostgreSQL's "Lexical Structure".
 *
 * `text` is the raw source slice; `value` is what the token means: identifiers folded and
 * truncated as PostgreSQL does, strings with their escapes decoded, numbers without underscores.
 * `start`/`end` are 0-based UTF-16 offsets into the text (use `pgPosition` for ErrorResponse).
 */
export type TokenKind =
  /** Unquoted identifier or keyword; value is lower-cased (ASCII only, as PostgreSQL does). */
  | 'identifier'
  /** "Quoted" or U&"quoted" identifier; value keeps its case. */
  | 'quoted-identifier'
  /** '...', E'...', U&'...', N'...' or $tag$...$tag$; value is the decoded string. */
  | 'string'
  /** B'0101' or X'1F'; value is PostgreSQL's internal form 'b0101' / 'x1F'. */
  | 'bit-string'
  /** Decimal, 0x, 0o or 0b integer; value is its decimal digits. */
  | 'integer'
  /** Decimal with a point and/or an exponent; value is the text without underscores. */
  | 'numeric'
  /** Positional parameter $n; value is n's digits. */
  | 'parameter'
  /** Operator: + - * / < > = ~ ! @ # % ^ & | ` ? and combinations, also => and := . */
  | 'operator'
  /** ( ) , ; [ ] . : and :: */
  | 'punctuation'
  /** End of input: start = end = text length. Always the last token. */
  | 'eof';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

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

/** The forms a quoted literal takes; the prefix letters come before the opening quote. */
type QuotedForm = 'plain' | 'escape' | 'national' | 'bit' | 'hex' | 'unicode' | 'identifier' | 'unicode-identifier';

const PREFIX_LENGTH: Record<QuotedForm, number> = {
  plain: 0, escape: 1, national: 1, bit: 1, hex: 1, unicode: 2, identifier: 0, 'unicode-identifier': 2,
};

const UNTERMINATED: Record<QuotedForm, string> = {
  plain: 'unterminated quoted string',
  escape: 'unterminated quoted string',
  national: 'unterminated quoted string',
  unicode: 'unterminated quoted string',
  bit: 'unterminated bit string literal',
  hex: 'unterminated hexadecimal string literal',
  identifier: 'unterminated quoted identifier',
  'unicode-identifier': 'unterminated quoted identifier',
};

/** Scans a quoted literal of the given form starting at `start` (its prefix, or its quote). */
function scanQuoted(sql: string, start: number, form: QuotedForm): Token {
  const quoted = quotedSegments(sql, start + PREFIX_LENGTH[form], form === 'escape');
  if (!quoted) throw lexError(sql, UNTERMINATED[form], start);
  if (form === 'identifier' || form === 'unicode-identifier') return identifierToken(sql, start, form, quoted);
  if (form === 'unicode') return unicodeStringToken(sql, start, quoted);
  const text = sql.slice(start, quoted.end);
  if (form === 'escape') return { kind: 'string', text, value: decodeEscapeString(sql, quoted), start, end: quoted.end };
  const value = decodePlain(sql, quoted);
  if (form === 'bit') return { kind: 'bit-string', text, value: 'b' + value, start, end: quoted.end };
  if (form === 'hex') return { kind: 'bit-string', text, value: 'x' + value, start, end: quoted.end };
  return { kind: 'string', text, value, start, end: quoted.end };
}

function identifierToken(sql: string, start: number, form: QuotedForm, quoted: QuotedSegments): Token {
  if (quoted.segments[0][0] === quoted.segments[0][1]) {
    throw lexError(sql, 'zero-length delimited identifier', start, quoted.end);
  }
  let escape = '\\';
  let end = quoted.end;
  if (form === 'unicode-identifier') ({ escape, end } = uescapeClause(sql, quoted.end));
  const raw = form === 'identifier' ? decodePlain(sql, quoted) : decodeUnicodeEscapes(sql, quoted, escape);
  return { kind: 'quoted-identifier', text: sql.slice(start, end), value: truncateIdentifier(raw), start, end };
}

function unicodeStringToken(sql: string, start: number, quoted: QuotedSegments): Token {
  const { escape, end } = uescapeClause(sql, quoted.end);
  const value = decodeUnicodeEscapes(sql, quoted, escape);
  return { kind: 'string', text: sql.slice(start, end), value, start, end };
}

/**
 * Scans a numeric constant at `start` (a digit, or '.' followed by a digit), with PostgreSQL 16's
 * rules: 0x/0o/0b integers, '_' between digits, and an error for trailing junk such as `123abc`.
 */
function scanNumber(sql: string, start: number): Token {
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

/**
 * At a `$`: a parameter `$n`, a dollar-quoted string `$tag$ ... $tag$`, or (when neither fits)
 * the lone character `$`, which the grammar then rejects as PostgreSQL's does.
 */
function scanDollar(sql: string, start: number): Token {
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

/**
 * Scans an operator at `start` the way scan.l does: the longest run of operator characters,
 * cut before an embedded `--` or `/*` (those start comments), and without trailing + or - unless
 * the operator holds a character that SQL's own operators lack (so `=-1` is `=` then `-1`).
 */
function scanOperator(sql: string, start: number): Token {
  let end = start;
  while (end < sql.length && isOperatorChar(sql.charCodeAt(end))) {
    const c = sql.charCodeAt(end);
    const next = sql.charCodeAt(end + 1);
    if (end > start && ((c === 45 && next === 45) || (c === 47 && next === 42))) break;
    end++;
  }
  if (end - start > 1) {
    let keepsSign = false;
    for (let i = start; i < end - 1; i++) if (isNonMathOperatorChar(sql.charCodeAt(i))) keepsSign = true;
    if (!keepsSign) {
      while (end - start > 1 && isSign(sql.charCodeAt(end - 1))) end--;
    }
  }
  const text = sql.slice(start, end);
  // PostgreSQL treats != as <> everywhere.
  return { kind: 'operator', text, value: text === '!=' ? '<>' : text, start, end };
}

function isSign(c: number): boolean {
  return c === 43 || c === 45;
}
