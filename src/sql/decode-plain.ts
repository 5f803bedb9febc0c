import type { QuotedSegments } from './quoted-segments.ts';

/**
 * The value of a standard string or quoted identifier: a doubled quote is one quote, and a
 * backslash is an ordinary character (standard_conforming_strings is on, PostgreSQL's default
 * since 9.1; modelgres assumes it).
 */
export function decodePlain(sql: string, quoted: QuotedSegments): string {
  let out = '';
  for (const [start, end] of quoted.segments) {
    const quote = sql.charAt(start - 1);
    out += sql.slice(start, end).replaceAll(quote + quote, quote);
  }
  return out;
}
