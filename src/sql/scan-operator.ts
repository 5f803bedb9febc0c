import { isNonMathOperatorChar, isOperatorChar } from './char-classes.ts';
import type { Token } from './token.ts';

/**
 * Scans an operator at `start` the way scan.l does: the longest run of operator characters,
 * cut before an embedded `--` or `/*` (those start comments), and without trailing + or - unless
 * the operator holds a character that SQL's own operators lack (so `=-1` is `=` then `-1`).
 */
export function scanOperator(sql: string, start: number): Token {
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
