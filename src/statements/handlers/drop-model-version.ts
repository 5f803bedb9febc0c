import { commandComplete } from '../../protocol/backend-messages.ts';
import type { StatementContext } from '../../session/statement-context.ts';
import type { DropModelVersion } from '../ast/drop-model.ts';
import { callCatalog, modelKey } from './model-target.ts';

/** DROP MODEL m VERSION n [CASCADE]: never the active version (55000); its number is not given again. */
export async function dropModelVersion(s: DropModelVersion, _t: string, context: StatementContext): Promise<void> {
  const [schema, name] = await modelKey(s.model, context);
  await callCatalog(context, 'SELECT modelgres.drop_model_version(current_user, $1, $2, $3, $4, $5)', [
    schema,
    name,
    String(s.version),
    s.ifExists ? 'true' : 'false',
    s.cascade ? 'true' : 'false',
  ]);
  context.send(commandComplete('DROP MODEL'));
}
