import { commandComplete } from '../../protocol/backend-messages.ts';
import type { StatementContext } from '../../session/statement-context.ts';
import type { AlterModelCancel, AlterModelRollback, AlterModelSetActivation, AlterModelSetActiveVersion } from '../ast/alter-model.ts';
import { callCatalog, modelKey } from './model-target.ts';

/** ALTER MODEL m SET ACTIVE VERSION n: only a READY version (55000 otherwise). */
export async function setActiveVersion(s: AlterModelSetActiveVersion, _t: string, context: StatementContext): Promise<void> {
  const [schema, name] = await modelKey(s.model, context);
  await callCatalog(context, 'SELECT modelgres.activate_version(current_user, $1, $2, $3)', [schema, name, String(s.version)]);
  context.send(commandComplete('ALTER MODEL'));
}

/** ALTER MODEL m SET ACTIVATION { LATEST | BEST | MANUAL }: the rule for versions turning READY. */
export async function setActivation(s: AlterModelSetActivation, _t: string, context: StatementContext): Promise<void> {
  const [schema, name] = await modelKey(s.model, context);
  await callCatalog(context, 'SELECT modelgres.set_activation(current_user, $1, $2, $3)', [schema, name, s.activation]);
  context.send(commandComplete('ALTER MODEL'));
}

/** ALTER MODEL m ROLLBACK: back to the version active before; a second ROLLBACK undoes the first. */
export async function rollbackModel(s: AlterModelRollback, _t: string, context: StatementContext): Promise<void> {
  const [schema, name] = await modelKey(s.model, context);
  await callCatalog(context, 'SELECT modelgres.rollback_model(current_user, $1, $2)', [schema, name]);
  context.send(commandComplete('ALTER MODEL'));
}

/** ALTER MODEL m CANCEL: versions in training become CANCELED; their workers stop. */
export async function cancelTraining(s: AlterModelCancel, _t: string, context: StatementContext): Promise<void> {
  const [schema, name] = await modelKey(s.model, context);
  await callCatalog(context, 'SELECT modelgres.cancel_training(current_user, $1, $2)', [schema, name]);
  context.send(commandComplete('ALTER MODEL'));
}
