import { commandComplete } from '../../protocol/backend-messages.ts';
import type { StatementContext } from '../../session/statement-context.ts';
import type { AlterModelSetInference, AlterModelStart, AlterModelStop } from '../ast/alter-model.ts';
import { callCatalog, modelKey } from './model-target.ts';

/**
 * ALTER MODEL m START [ ( MIN_INFERENCE_UNITS a, MAX_INFERENCE_UNITS b ) ]: the catalog says the
 * model is STARTING; every proxy loads `a` units (src/hosting) and the first to have them all
 * serving makes it HOSTED. Returns at once, as the status shows in SHOW MODEL.
 */
export async function startModel(s: AlterModelStart, _t: string, context: StatementContext): Promise<void> {
  const [schema, name] = await modelKey(s.model, context);
  await callCatalog(context, 'SELECT modelgres.start_model(current_user, $1, $2, $3, $4)', [
    schema,
    name,
    s.minInferenceUnits === undefined ? null : String(s.minInferenceUnits),
    s.maxInferenceUnits === undefined ? null : String(s.maxInferenceUnits),
  ]);
  context.send(commandComplete('ALTER MODEL'));
}

/** ALTER MODEL m STOP: STOPPING while calls in flight finish on the units, then STOPPED. */
export async function stopModel(s: AlterModelStop, _t: string, context: StatementContext): Promise<void> {
  const [schema, name] = await modelKey(s.model, context);
  await callCatalog(context, 'SELECT modelgres.stop_model(current_user, $1, $2)', [schema, name]);
  context.send(commandComplete('ALTER MODEL'));
}

/** ALTER MODEL m SET INFERENCE ( REQUIRE_START { ON | OFF } ): ON refuses calls to a stopped model (55000). */
export async function setInference(s: AlterModelSetInference, _t: string, context: StatementContext): Promise<void> {
  const [schema, name] = await modelKey(s.model, context);
  await callCatalog(context, 'SELECT modelgres.set_inference_options(current_user, $1, $2, $3)', [schema, name, s.requireStart ? 'true' : 'false']);
  context.send(commandComplete('ALTER MODEL'));
}
