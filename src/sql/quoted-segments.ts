import { continuationQuote } from './string-continuation.ts';

/** The raw bodies of a quoted literal: one range per continued piece, quotes excluded. */
export interface QuotedSegments {
  readonly segments: ReadonlyArray<readonly [start: number, end: number]>;
  /** Index just after the last closing quote. */
  readonly end: number;
}

/**
 * Finds the end of a literal whose opening quote is at `open`. A doubled quote stands for one;
 * with `backslash`, `\x` never ends the literal (E'' strings). Strings (`'`) may continue across
 * newlines; identifiers (`"`) do not. Returns null when the literal never closes.
 */
export function quotedSegments(sql: string, open: number, backslash: boolean): QuotedSegments | null {
  const quote = sql.charCodeAt(open);
  const segments: Array<[number, number]> = [];
  const n = sql.length;
  let bodyStart = open + 1;
  let i = bodyStart;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c === 92 /* \ */ && backslash) {
      i += 2;
    } else if (c !== quote) {
      i++;
    } else if (sql.charCodeAt(i + 1) === quote) {
      i += 2;
    } else {
      segments.push([bodyStart, i]);
      const next = quote === 39 ? continuationQuote(sql, i + 1) : -1;
      if (next < 0) return { segments, end: i + 1 };
      bodyStart = i = next + 1;
    }
  }
  return null;
}
