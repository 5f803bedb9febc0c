import { commandComplete, dataRow, rowDescription } from '../../protocol/backend-messages.ts';
import type { MlStatementContext } from '../ml-statement-context.ts';

/**
 * Answers with rows of text values: the statement's declared columns first when the protocol
 * wants them (see RESULT_COLUMNS), then the rows and the command tag.
 */
export function sendRows(context: MlStatementContext, rows: ReadonlyArray<ReadonlyArray<string | null>>, tag: string): void {
  if (context.describeColumns) context.send(rowDescription(context.describeColumns));
  for (const row of rows) context.send(dataRow(row));
  context.send(commandComplete(tag));
}
