import { isSpace } from './char-classes.ts';
import { lexError } from './lex-error.ts';

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
