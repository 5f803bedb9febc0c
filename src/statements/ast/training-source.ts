import type { QualifiedName } from './qualified-name.ts';

/** FROM table_name | ( select_query ). */
export type TrainingSource = TableSource | QuerySource;

export interface TableSource {
  readonly kind: 'Table';
  readonly table: QualifiedName;
}

/**
 * A parenthesised query, already checked by PostgreSQL's own parser. `text` is the query without
 * the parentheses; `start` is its 0-based UTF-16 offset in the statement text, so errors that
 * PostgreSQL later reports inside the query can be moved to the statement's coordinates.
 */
export interface QuerySource {
  readonly kind: 'Query';
  readonly text: string;
  readonly start: number;
}
