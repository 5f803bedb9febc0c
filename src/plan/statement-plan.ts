import type { StatementSpan } from '../sql/split-statements.ts';

/**
 * How the proxy treats one statement of a client's message:
 * - passthrough: PostgreSQL runs it as the client wrote it;
 * - ml: an ML statement (CREATE MODEL, SHOW MODEL, ...) that modelgres answers;
 * - model-call: it calls a model function, evaluated by the proxy (streamed, materialized or
 *   written back, chosen when it runs, once earlier statements have run);
 * - sql-prepared: PREPARE of a statement that calls a model, or EXECUTE / DEALLOCATE of one the
 *   proxy keeps for the session (PostgreSQL could not run it).
 */
export type StatementKind = 'passthrough' | 'ml' | 'model-call' | 'sql-prepared';

export interface PlannedStatement extends StatementSpan {
  kind: StatementKind;
}

/** A simple Query message: forwarded as it came, or run statement by statement. */
export type QueryPlan =
  | { kind: 'forward'; sql: string; rewritten: boolean }
  | { kind: 'intercept'; sql: string; statements: PlannedStatement[] };
