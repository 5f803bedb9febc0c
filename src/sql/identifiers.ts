/*
 * Identifiers as PostgreSQL keeps them (unquoted ones folded, all truncated to NAMEDATALEN - 1
 * bytes), and as SQL text that means exactly the stored name.
 */

/** PostgreSQL's NAMEDATALEN - 1: identifiers longer than this many bytes are truncated. */
export const MAX_IDENTIFIER_BYTES = 63;

/** Unquoted identifiers fold to lower case; PostgreSQL folds only ASCII letters in UTF-8. */
export function foldIdentifier(raw: string): string {
  let lower = raw;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c >= 65 && c <= 90) {
      lower = raw.replace(/[A-Z]+/g, (s) => s.toLowerCase());
      break;
    }
  }
  return truncateIdentifier(lower);
}

/**
 * Truncates to 63 UTF-8 bytes at a character boundary, as PostgreSQL's truncate_identifier does
 * (it also sends a NOTICE; modelgres just uses the truncated name, like the server will).
 */
export function truncateIdentifier(name: string): string {
  if (name.length <= MAX_IDENTIFIER_BYTES / 3) return name;
  if (Buffer.byteLength(name, 'utf8') <= MAX_IDENTIFIER_BYTES) return name;
  let bytes = 0;
  let out = '';
  for (const ch of name) {
    const b = Buffer.byteLength(ch, 'utf8');
    if (bytes + b > MAX_IDENTIFIER_BYTES) break;
    bytes += b;
    out += ch;
  }
  return out;
}

/**
 * An identifier as SQL text, always in double quotes (a `"` inside is doubled), so it means
 * exactly the stored name: never a keyword (`left`), never a function (`current_date`), never
 * folded (`Select`). Names given to it are already exact, as the catalog or PostgreSQL's row
 * description spell them, or as the lexer folded them.
 */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `schema.name`, or `name` alone to be found on the search_path; each part quoted. */
export function quoteQualified(name: { schema?: string; name: string }): string {
  return name.schema === undefined ? quoteIdent(name.name) : `${quoteIdent(name.schema)}.${quoteIdent(name.name)}`;
}
