import type { TrainingSource } from '../ast/training-source.ts';

/** What labelling needs of the client's session: one query with text parameters and text results. */
export interface LabelQueryRunner {
  query(sql: string, params?: ReadonlyArray<string | null>): Promise<{ rows: Array<Array<string | null>> }>;
}

/**
 * A FROM source as SHOW MODEL lists it: a table's name quoted only where it must be, by
 * PostgreSQL's own quote_ident (which knows every keyword), e.g. `sales.history` or
 * `public."Left"`; a query's text as written. A label for people, never run as SQL.
 */
export async function sourceLabel(link: LabelQueryRunner, source: TrainingSource): Promise<string> {
  if (source.kind === 'Query') return source.text.trim();
  const r = await link.query('SELECT concat_ws(\'.\', quote_ident($1::text), quote_ident($2::text))', [
    source.table.schema ?? null,
    source.table.name,
  ]);
  return r.rows[0][0]!;
}
