import { commandComplete, dataRow, rowDescription } from '../../protocol/backend-messages.ts';
import { TypeOid } from '../../catalog/pg-types.ts';
import type { StatementContext } from '../../proxy/statement-context.ts';

/** Sends a result of text columns, the way SHOW statements answer. */
export function sendTextRows(context: StatementContext, columns: string[], rows: Array<Array<string | null>>, tag = 'SHOW'): void {
  context.send(rowDescription(columns.map((name) => ({ name, typeOid: TypeOid.text }))));
  for (const row of rows) context.send(dataRow(row));
  context.send(commandComplete(tag === 'SELECT' ? `SELECT ${rows.length}` : tag));
}
