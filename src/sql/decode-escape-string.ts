import { ClientError } from '../errors/client-error.ts';
import { isHexDigit } from './char-classes.ts';
import type { QuotedSegments } from './quoted-segments.ts';
import { pgPosition } from './position.ts';

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
