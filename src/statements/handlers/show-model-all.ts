import type { StatementContext } from '../../proxy/statement-context.ts';
import type { ShowModelAll } from '../ast/show-model.ts';
import { sendTextRows } from './key-value-rows.ts';

/** SHOW MODEL ALL: the models the current role can use (the catalog view filters them). */
export async function showModelAll(_s: ShowModelAll, _text: string, context: StatementContext): Promise<void> {
  const result = await context.upstream.query(
    'SELECT schema_name, model_name FROM modelgres.models ORDER BY schema_name, model_name',
  );
  sendTextRows(context, ['Schema Name', 'Model Name'], result.rows);
}
