import { isDigit, isIdentCont, isIdentStart, isSpace, isTagCont } from './char-classes.ts';
import { dollarTagEnd } from './scan-dollar.ts';
import { RoutineBodyTracker } from './routine-body-tracker.ts';
import { blockCommentEnd } from './skip-trivia.ts';
import { continuationQuote } from './string-continuation.ts';

/** One statement of a multi-statement text: its text without the `;`, and where it lies. */
export interface StatementSpan {
  readonly text: string;
  /** 0-based UTF-16 offsets of `text` in the whole input; text === input.slice(start, end). */
  readonly start: number;
  readonly end: number;
}

/**
 * Splits SQL text at its top-level semicolons, as psql does: semicolons inside quotes of every
 * kind, comments, parentheses and SQL-standard routine bodies (BEGIN ATOMIC ... END) do not
 * split. Whitespace around each statement is trimmed (comments are kept); statements with
 * nothing but whitespace and comments are dropped. Never throws: an unterminated literal runs to the end of the input,
 * and PostgreSQL will report it when the text reaches it.
 *
 * It runs on every simple Query the proxy forwards, so it is one pass over char codes with no
 * allocation per character; quoted runs are skipped with indexOf.
 */
export function splitStatements(sql: string): StatementSpan[] {
  const spans: StatementSpan[] = [];
  const n = sql.length;
  const routine = new RoutineBodyTracker();
  let textStart = -1; // first non-blank character of the current statement (maybe a comment)
  let textEnd = 0; // just after its last non-blank character
  let hasContent = false; // whether it holds more than comments
  let parens = 0;
  let i = 0;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (textStart < 0) textStart = i;
    if (c === 45 /* - */ && sql.charCodeAt(i + 1) === 45) {
      const eol = sql.indexOf('\n', i + 2);
      i = eol < 0 ? n : eol + 1;
      textEnd = eol < 0 ? n : eol;
      continue;
    }
    if (c === 47 /* / */ && sql.charCodeAt(i + 1) === 42 /* * */) {
      const end = blockCommentEnd(sql, i);
      i = textEnd = end < 0 ? n : end;
      continue;
    }
    if (c === 59 /* ; */ && parens === 0 && routine.depth === 0) {
      if (hasContent) spans.push({ text: sql.slice(textStart, textEnd), start: textStart, end: textEnd });
      textStart = -1;
      hasContent = false;
      routine.reset();
      i++;
      continue;
    }
    hasContent = true;
    if (c === 39 /* ' */) {
      i = plainStringEnd(sql, i);
    } else if (c === 34 /* " */) {
      const close = sql.indexOf('"', i + 1);
      i = close < 0 ? n : close + 1;
    } else if (isIdentStart(c)) {
      if ((c === 101 || c === 69) && sql.charCodeAt(i + 1) === 39) {
        i = escapeStringEnd(sql, i + 1);
      } else {
        let end = i + 1;
        while (end < n && isIdentCont(sql.charCodeAt(end))) end++;
        routine.word(sql, i, end, parens);
        i = end;
      }
    } else if (c === 36 /* $ */ && !isDigit(sql.charCodeAt(i + 1))) {
      const tagEnd = dollarTagEnd(sql, i);
      if (tagEnd < 0) {
        i++;
      } else {
        const close = sql.indexOf(sql.slice(i, tagEnd), tagEnd);
        i = close < 0 ? n : close + (tagEnd - i);
      }
    } else if (isDigit(c)) {
      // A number with any letters glued to it, so `1e5` or `0x1F` never looks like a string
      // prefix; `$` is not taken, as PostgreSQL lexes `1$$x$$` as 1 then a dollar quote.
      let end = i + 1;
      while (end < n && isTagCont(sql.charCodeAt(end))) end++;
      i = end;
    } else {
      if (c === 40 /* ( */) parens++;
      else if (c === 41 /* ) */ && parens > 0) parens--;
      i++;
    }
    textEnd = i;
  }
  if (hasContent) spans.push({ text: sql.slice(textStart, textEnd), start: textStart, end: textEnd });
  return spans;
}

/** Standard strings: '' is a quote, backslash is plain, so the next lone quote closes. */
function plainStringEnd(sql: string, open: number): number {
  const close = sql.indexOf("'", open + 1);
  // A doubled quote closes and reopens: the splitter sees two adjacent strings, same boundary.
  return close < 0 ? sql.length : close + 1;
}

/** E'...' strings: a backslash escapes the next character; continuations stay in E mode. */
function escapeStringEnd(sql: string, open: number): number {
  const n = sql.length;
  let i = open + 1;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c === 92 /* \ */) {
      i += 2;
    } else if (c !== 39) {
      i++;
    } else if (sql.charCodeAt(i + 1) === 39) {
      i += 2;
    } else {
      const next = continuationQuote(sql, i + 1);
      if (next < 0) return i + 1;
      i = next + 1;
    }
  }
  return n;
}
