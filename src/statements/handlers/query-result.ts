import { commandComplete, dataRow, rowDescription } from '../../protocol/backend-messages.ts';
import type { StatementContext } from '../../proxy/statement-context.ts';
import type { QueryResult } from '../../proxy/upstream-link.ts';

/** Sends a result PostgreSQL computed, columns typed as PostgreSQL typed them. */
export function sendQueryResult(context: StatementContext, result: QueryResult, tag: string): void {
  context.send(rowDescription(result.fields.map((f) => ({ ...f, tableOid: 0, columnNumber: 0 }))));
  for (const row of result.rows) context.send(dataRow(row));
  context.send(commandComplete(tag));
}
