import { wordIs } from './word-match.ts';

/**
 * psql's heuristic (psqlscan.l) for SQL-standard routine bodies, which hold top-level semicolons:
 * in a statement that starts CREATE [OR REPLACE] {FUNCTION|PROCEDURE}, BEGIN ... END (with CASE
 * ... END inside) outside parentheses is one block, and a semicolon inside it ends nothing.
 * Following psql keeps our statement boundaries where PostgreSQL's users already expect them.
 */
export class RoutineBodyTracker {
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
