/**
 * PostgreSQL reports an error position as a 1-based count of characters (code points, not bytes
 * and not UTF-16 units), so psql can draw its caret. Offsets in this codebase are UTF-16 indexes.
 */
export function pgPosition(text: string, offset: number): number {
  let chars = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    // A surrogate pair is one character: count only its high half.
    if (c < 0xdc00 || c > 0xdfff) chars++;
  }
  return chars + 1;
}

/** The UTF-16 offset of the code point whose 0-based index is `codePoints`, counted from `from`. */
export function offsetOfCodePoint(text: string, codePoints: number, from = 0): number {
  let i = from;
  let n = 0;
  while (i < text.length && n < codePoints) {
    const c = text.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? 2 : 1;
    n++;
  }
  return i;
}

/**
 * Moves a position reported for one statement (1-based characters in its own text) into the
 * whole query string it was split from, which is how PostgreSQL numbers positions in a
 * multi-statement simple Query.
 */
export function positionInWhole(whole: string, statementStart: number, position: number): number {
  return pgPosition(whole, statementStart) - 1 + position;
}
