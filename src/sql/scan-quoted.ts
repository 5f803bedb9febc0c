import { ClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import { isIdentCont } from './char-classes.ts';
import { decodeEscapeString } from './decode-escape-string.ts';
import { decodePlain } from './decode-plain.ts';
import { decodeUnicodeEscapes, isValidEscapeChar } from './decode-unicode-escapes.ts';
import { truncateIdentifier } from './identifier-value.ts';
import { lexError } from './lex-error.ts';
import { pgPosition } from './position.ts';
import { quotedSegments, type QuotedSegments } from './quoted-segments.ts';
import { skipTrivia } from './skip-trivia.ts';
import type { Token } from './token.ts';

/** The forms a quoted literal takes; the prefix letters come before the opening quote. */
export type QuotedForm = 'plain' | 'escape' | 'national' | 'bit' | 'hex' | 'unicode' | 'identifier' | 'unicode-identifier';

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
export function scanQuoted(sql: string, start: number, form: QuotedForm): Token {
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

/** An optional `UESCAPE 'c'` after a U& literal; the token then extends over it. */
function uescapeClause(sql: string, after: number): { escape: string; end: number } {
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
