import type { InferenceDeps } from '../inference/inference-deps.ts';
import type { FieldDescription } from '../protocol/backend-messages.ts';
import type { StatementContext } from '../session/statement-context.ts';

/** What an ML statement's handler gets: the client's session, the model runtime, and how to answer. */
export interface MlStatementContext extends StatementContext {
  /** The model runtime, for statements that predict (EVALUATE MODEL, SHOW MODEL ... DRIFT). */
  readonly inference: InferenceDeps;
  /**
   * The statement's result columns to send before its rows (simple protocol), or null when
   * Describe has sent them already (extended protocol) or it returns none.
   */
  readonly describeColumns: FieldDescription[] | null;
}
