import type { ShowModelAll } from '../ast/show-model.ts';
import type { MlStatementContext } from '../ml-statement-context.ts';
import { sendRows } from './send-rows.ts';

/** SHOW MODEL ALL: the models the current role can use (the catalog view filters them). */
export async function showModelAll(_s: ShowModelAll, _text: string, context: MlStatementContext): Promise<void> {
  const result = await context.upstream.query(
    'SELECT schema_name, model_name FROM modelgres.models ORDER BY schema_name, model_name',
  );
  sendRows(context, result.rows, 'SHOW');
}
