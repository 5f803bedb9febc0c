import { ClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import { isHexDigit } from './char-classes.ts';
import type { QuotedSegments } from './quoted-segments.ts';
import { pgPosition } from './position.ts';

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
export function isValidEscapeChar(ch: string): boolean {
  return ch.length === 1 && !/[0-9a-fA-F+'"\s]/.test(ch);
}

function allHex(sql: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isHexDigit(sql.charCodeAt(i))) return false;
  return true;
}

function unicodeError(sql: string, at: number, message: string, hint?: string): ClientError {
  return new ClientError(SqlState.syntaxError, message, { hint, position: pgPosition(sql, at) });
}
