import type { FieldDescription } from '../protocol/backend-messages.ts';
import type { StatementContext } from '../session/statement-context.ts';

/** The description of a statement the proxy answers in the extended protocol. */
export interface StatementDescription {
  parameterTypes: number[];
  /** null: the statement returns no rows (NoData). */
  fields: FieldDescription[] | null;
}

/** A statement the proxy answers in the extended protocol, prepared at Parse. */
export interface PreparedStatement {
  describe(context: StatementContext): Promise<StatementDescription>;
  /**
   * Sends DataRows and CommandComplete (no RowDescription: Describe sent it), each column in the
   * format Bind asked for: `resultFormats` are its codes (none: all text; see formatAt).
   */
  execute(parameters: ReadonlyArray<string | null>, context: StatementContext, resultFormats: readonly number[]): Promise<void>;
}
