import { ClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import { isHexDigit, isIdentCont, isSpace, skipLineComment, skipTrivia } from './characters.ts';
import { pgPosition } from './position.ts';

/*
 * Quoted literals, '...', E'...', U&'...', "..." and U&"...": where their bodies lie (with SQL's
 * string continuation across newlines) and what they mean once escapes are decoded.
 */

/** The raw bodies of a quoted literal: one range per continued piece, quotes excluded. */
export interface QuotedSegments {
  readonly segments: ReadonlyArray<readonly [start: number, end: number]>;
  /** Index just after the last closing quote. */
  readonly end: number;
}

/**
 * Finds the end of a literal whose opening quote is at `open`. A doubled quote stands for one;
 * with `backslash`, `\x` never ends the literal (E'' strings). Strings (`'`) may continue across
 * newlines; identifiers (`"`) do not. Returns null when the literal never closes.
 */
export function quotedSegments(sql: string, open: number, backslash: boolean): QuotedSegments | null {
  const quote = sql.charCodeAt(open);
  const segments: Array<[number, number]> = [];
  const n = sql.length;
  let bodyStart = open + 1;
  let i = bodyStart;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c === 92 /* \ */ && backslash) {
      i += 2;
    } else if (c !== quote) {
      i++;
    } else if (sql.charCodeAt(i + 1) === quote) {
      i += 2;
    } else {
      segments.push([bodyStart, i]);
      const next = quote === 39 ? continuationQuote(sql, i + 1) : -1;
      if (next < 0) return { segments, end: i + 1 };
      bodyStart = i = next + 1;
    }
  }
  return null;
}

/**
 * SQL's string continuation: `'foo'` and `'bar'` separated only by whitespace that holds at
 * least one newline (line comments allowed) are one constant, 'foobar'. Given the index just
 * after a closing quote, returns the index of the continuing opening quote, or -1.
 */
export function continuationQuote(sql: string, i: number): number {
  const n = sql.length;
  let newline = false;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c === 10 || c === 13) {
      newline = true;
      i++;
    } else if (isSpace(c)) {
      i++;
    } else if (c === 45 && sql.charCodeAt(i + 1) === 45) {
      i = skipLineComment(sql, i + 2);
      newline = true;
    } else {
      break;
    }
  }
  return newline && sql.charCodeAt(i) === 39 /* ' */ ? i : -1;
}

/**
 * The value of a standard string or quoted identifier: a doubled quote is one quote, and a
 * backslash is an ordinary character (standard_conforming_strings is on, PostgreSQL's default
 * since 9.1; modelgres assumes it).
 */
export function decodePlain(sql: string, quoted: QuotedSegments): string {
  let out = '';
  for (const [start, end] of quoted.segments) {
    const quote = sql.charAt(start - 1);
    out += sql.slice(start, end).replaceAll(quote + quote, quote);
  }
  return out;
}

const SIMPLE_ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/**
 * The value of an E'...' string (PostgreSQL manual 4.1.2.2): \b \f \n \r \t \v, \ooo octal and
 * \xhh hex bytes, \uXXXX and \UXXXXXXXX code points; any other escaped character is itself.
 * Octal and hex escapes are bytes, so consecutive ones may spell one UTF-8 character.
 */
export function decodeEscapeString(sql: string, quoted: QuotedSegments): string {
  let out = '';
  let bytes: number[] = [];
  const flushBytes = (at: number): void => {
    if (bytes.length === 0) return;
    try {
      out += new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
    } catch {
      const hex = bytes.map((b) => '0x' + b.toString(16).padStart(2, '0')).join(' ');
      throw new ClientError('22021', `invalid byte sequence for encoding "UTF8": ${hex}`, {
        position: pgPosition(sql, at),
      });
    }
    bytes = [];
  };
  for (const [start, end] of quoted.segments) {
    let i = start;
    while (i < end) {
      const c = sql[i];
      if (c === "'") {
        flushBytes(i);
        out += "'";
        i += 2;
        continue;
      }
      if (c !== '\\') {
        flushBytes(i);
        out += c;
        i++;
        continue;
      }
      const e = sql[i + 1];
      if (e >= '0' && e <= '7') {
        let j = i + 1;
        while (j < end && j < i + 4 && sql[j] >= '0' && sql[j] <= '7') j++;
        bytes.push(parseInt(sql.slice(i + 1, j), 8) & 0xff);
        i = j;
      } else if (e === 'x' && isHexDigit(sql.charCodeAt(i + 2))) {
        let j = i + 2;
        while (j < end && j < i + 4 && isHexDigit(sql.charCodeAt(j))) j++;
        bytes.push(parseInt(sql.slice(i + 2, j), 16));
        i = j;
      } else if (e === 'u' || e === 'U') {
        flushBytes(i);
        const digits = e === 'u' ? 4 : 8;
        const hex = sql.slice(i + 2, i + 2 + digits);
        if (hex.length !== digits || ![...hex].every((h) => isHexDigit(h.charCodeAt(0)))) {
          throw invalidUnicodeEscape(sql, i);
        }
        out += codePointText(sql, i, parseInt(hex, 16));
        i += 2 + digits;
      } else {
        flushBytes(i);
        out += SIMPLE_ESCAPES[e] ?? e;
        i += 2;
      }
    }
  }
  flushBytes(quoted.end);
  return joinSurrogates(out);
}

function codePointText(sql: string, at: number, code: number): string {
  if (code === 0 || code > 0x10ffff) {
    throw new ClientError('22025', 'invalid Unicode escape value', { position: pgPosition(sql, at) });
  }
  // A lone surrogate half is kept as a UTF-16 unit; joinSurrogates pairs it with its partner.
  return String.fromCharCode(...(code > 0xffff ? surrogatePair(code) : [code]));
}

function surrogatePair(code: number): [number, number] {
  const v = code - 0x10000;
  return [0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff)];
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** \uD83D\uDE00 is one character; a surrogate half left alone is an error, as in PostgreSQL. */
function joinSurrogates(s: string): string {
  if (LONE_SURROGATE.test(s)) {
    throw new ClientError('22025', 'invalid Unicode surrogate pair');
  }
  return s;
}

function invalidUnicodeEscape(sql: string, at: number): ClientError {
  return new ClientError('22025', 'invalid Unicode escape', {
    hint: 'Unicode escapes must be \\uXXXX or \\UXXXXXXXX.',
    position: pgPosition(sql, at),
  });
}

/**
 * The value of U&'...' or U&"..." (PostgreSQL manual 4.1.2.3): `escape` + 4 hex digits or
 * `escape` + '+' + 6 hex digits is a code point, a doubled escape is the escape itself, and a
 * doubled quote is one quote. `escape` is backslash unless UESCAPE chose another.
 */
export function decodeUnicodeEscapes(sql: string, quoted: QuotedSegments, escape: string): string {
  let out = '';
  let pendingHigh = -1;
  let pendingAt = 0;
  for (const [start, end] of quoted.segments) {
    const quote = sql[start - 1];
    let i = start;
    while (i < end) {
      const c = sql[i];
      let code = -1;
      let width = 1;
      if (c === escape && sql[i + 1] === escape) {
        out += escape;
        width = 2;
      } else if (c === escape) {
        const plus = sql[i + 1] === '+';
        const digits = plus ? 6 : 4;
        const hexStart = i + (plus ? 2 : 1);
        if (hexStart + digits > end || !allHex(sql, hexStart, hexStart + digits)) {
          throw unicodeError(sql, i, 'invalid Unicode escape', 'Unicode escapes must be \\XXXX or \\+XXXXXX.');
        }
        code = parseInt(sql.slice(hexStart, hexStart + digits), 16);
        width = hexStart + digits - i;
      } else if (c === quote) {
        out += quote;
        width = 2;
      } else {
        out += c;
      }
      if (pendingHigh >= 0 && !(code >= 0xdc00 && code <= 0xdfff)) {
        throw unicodeError(sql, pendingAt, 'invalid Unicode surrogate pair');
      }
      if (code >= 0xd800 && code <= 0xdbff) {
        pendingHigh = code;
        pendingAt = i;
      } else if (code >= 0xdc00 && code <= 0xdfff) {
        if (pendingHigh < 0) throw unicodeError(sql, i, 'invalid Unicode surrogate pair');
        out += String.fromCharCode(pendingHigh, code);
        pendingHigh = -1;
      } else if (code >= 0) {
        if (code === 0 || code > 0x10ffff) throw unicodeError(sql, i, 'invalid Unicode escape value');
        out += String.fromCodePoint(code);
      }
      i += width;
    }
  }
  if (pendingHigh >= 0) throw unicodeError(sql, pendingAt, 'invalid Unicode surrogate pair');
  return out;
}

/** UESCAPE may not name a hex digit, '+', a quote or whitespace (it would be ambiguous). */
function isValidEscapeChar(ch: string): boolean {
  return ch.length === 1 && !/[0-9a-fA-F+'"\s]/.test(ch);
}

function allHex(sql: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isHexDigit(sql.charCodeAt(i))) return false;
  return true;
}

function unicodeError(sql: string, at: number, message: string, hint?: string): ClientError {
  return new ClientError(SqlState.syntaxError, message, { hint, position: pgPosition(sql, at) });
}

/** An optional `UESCAPE 'c'` after a U& literal; the token then extends over it. */
export function uescapeClause(sql: string, after: number): { escape: string; end: number } {
  const at = skipTrivia(sql, after);
  const isUescape = sql.slice(at, at + 7).toLowerCase() === 'uescape' && !isIdentCont(sql.charCodeAt(at + 7));
  if (!isUescape) return { escape: '\\', end: after };
  const open = skipTrivia(sql, at + 7);
  const literal = sql.charCodeAt(open) === 39 ? quotedSegments(sql, open, false) : null;
  if (!literal || literal.segments.length !== 1) {
    throw new ClientError(SqlState.syntaxError, 'UESCAPE must be followed by a simple string literal', {
      position: pgPosition(sql, open),
    });
  }
  const escape = decodePlain(sql, literal);
  if (!isValidEscapeChar(escape)) {
    throw new ClientError(SqlState.syntaxError, 'invalid Unicode escape character', {
      position: pgPosition(sql, open),
    });
  }
  return { escape, end: literal.end };
}
