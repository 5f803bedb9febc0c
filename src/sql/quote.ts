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
