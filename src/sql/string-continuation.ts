import { isSpace } from './char-classes.ts';
import { skipLineComment } from './skip-trivia.ts';

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
