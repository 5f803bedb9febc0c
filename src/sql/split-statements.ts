import { blockCommentEnd, isDigit, isIdentCont, isIdentStart, isSpace, isTagCont, lowerAscii, wordIs } from './characters.ts';
import { dollarTagEnd } from './lexer.ts';
import { continuationQuote } from './string-literals.ts';

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

/**
 * psql's heuristic (psqlscan.l) for SQL-standard routine bodies, which hold top-level semicolons:
 * in a statement that starts CREATE [OR REPLACE] {FUNCTION|PROCEDURE}, BEGIN ... END (with CASE
 * ... END inside) outside parentheses is one block, and a semicolon inside it ends nothing.
 * Following psql keeps our statement boundaries where PostgreSQL's users already expect them.
 */
class RoutineBodyTracker {
  /** First letters of the first four words when they are create/or/replace/function/procedure. */
  private letters = [0, 0, 0, 0];
  private words = 0;
  depth = 0;

  reset(): void {
    this.words = 0;
    this.depth = 0;
    this.letters[0] = this.letters[1] = this.letters[2] = this.letters[3] = 0;
  }

  /** Called for each unquoted word sql[start, end) of the statement, in order. */
  word(sql: string, start: number, end: number, parenDepth: number): void {
    if (this.words < 4) {
      this.letters[this.words] = isRoutineWord(sql, start, end) ? sql.charCodeAt(start) | 32 : 0;
    }
    this.words++;
    if (parenDepth !== 0 || !this.isRoutineDefinition()) return;
    if (wordIs(sql, start, end, 'begin')) this.depth++;
    else if (wordIs(sql, start, end, 'case')) {
      if (this.depth >= 1) this.depth++;
    } else if (wordIs(sql, start, end, 'end')) {
      if (this.depth > 0) this.depth--;
    }
  }

  private isRoutineDefinition(): boolean {
    const l = this.letters;
    return l[0] === 99 /* c */ && (isRoutineLetter(l[1]) || (l[1] === 111 /* o */ && l[2] === 114 /* r */ && isRoutineLetter(l[3])));
  }
}

function isRoutineLetter(x: number): boolean {
  return x === 102 /* f */ || x === 112 /* p */;
}

function isRoutineWord(sql: string, start: number, end: number): boolean {
  return (
    wordIs(sql, start, end, 'create') ||
    wordIs(sql, start, end, 'function') ||
    wordIs(sql, start, end, 'procedure') ||
    wordIs(sql, start, end, 'or') ||
    wordIs(sql, start, end, 'replace')
  );
}

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
