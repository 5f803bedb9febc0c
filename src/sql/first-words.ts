import { isIdentCont, isIdentStart, isSpace, lowerAscii } from './char-classes.ts';
import { blockCommentEnd } from './skip-trivia.ts';

/**
 * The first `n` unquoted words of a statement, lower-cased, skipping whitespace and comments;
 * fewer if something other than a word (a quote, a symbol, the end) comes first. The router uses
 * it to classify statements cheaply: ['create', 'model'], ['wait', 'for', 'model'], ...
 */
export function firstWords(statementText: string, n: number): string[] {
  const sql = statementText;
  const words: string[] = [];
  let i = 0;
  while (words.length < n && i < sql.length) {
    const c = sql.charCodeAt(i);
    if (isSpace(c)) {
      i++;
    } else if (c === 45 && sql.charCodeAt(i + 1) === 45) {
      const eol = sql.indexOf('\n', i + 2);
      i = eol < 0 ? sql.length : eol + 1;
    } else if (c === 47 && sql.charCodeAt(i + 1) === 42) {
      i = blockCommentEnd(sql, i);
      if (i < 0) break;
    } else if (isIdentStart(c)) {
      let end = i + 1;
      let word = '';
      while (end < sql.length && isIdentCont(sql.charCodeAt(end))) end++;
      // A letter glued to a quote is a string prefix (E'..', U&'..'), not a word.
      const next = sql.charCodeAt(end);
      if (next === 39 || (next === 38 && end === i + 1)) break;
      for (let k = i; k < end; k++) word += String.fromCharCode(lowerAscii(sql.charCodeAt(k)));
      words.push(word);
      i = end;
    } else {
      break;
    }
  }
  return words;
}
