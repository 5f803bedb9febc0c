import { commandComplete } from '../../protocol/backend-messages.ts';
import type { StatementContext } from '../../session/statement-context.ts';
import type { DropModel } from '../ast/drop-model.ts';
import { currentSchema } from './current-schema.ts';

/**
 * DROP MODEL [IF EXISTS] m [CASCADE]: every version, function, snapshot and job goes, in the
 * caller's transaction; a worker training it sees its job vanish and stops. Views, indexes and
 * functions that use the model's functions stop it (2BP01) unless CASCADE drops them too.
 */
export async function dropModel(statement: DropModel, _text: string, context: StatementContext): Promise<void> {
  const schema = statement.model.schema ?? (await currentSchema(context));
  await context.upstream.query('SELECT modelgres.drop_model(current_user, $1, $2, $3, $4)', [
    schema,
    statement.model.name,
    statement.ifExists ? 'true' : 'false',
    statement.cascade ? 'true' : 'false',
  ]);
  // Outside a transaction block the change is committed: the router learns it now.
  if (context.upstream.transactionStatus() === 'I') await context.catalogChanged();
  context.send(commandComplete('DROP MODEL'));
}
