/**
 * Character classes of PostgreSQL's scanner (scan.l), on UTF-16 code units. PostgreSQL counts
 * every byte >= 0x80 as an identifier character; every non-ASCII code unit is the same here.
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
