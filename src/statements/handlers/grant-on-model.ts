import { commandComplete } from '../../protocol/backend-messages.ts';
import type { StatementContext } from '../../session/statement-context.ts';
import type { GrantOnModel, RevokeOnModel } from '../ast/grant-on-model.ts';
import { callCatalog, modelKey } from './model-target.ts';

/**
 * GRANT / REVOKE EXECUTE ON MODEL m TO role: the EXECUTE privilege of the model's functions, so
 * PostgreSQL itself enforces it. GRANT / REVOKE CREATE MODEL: superusers only.
 */
export async function grantOnModel(s: GrantOnModel | RevokeOnModel, _t: string, context: StatementContext): Promise<void> {
  const revoke = s.kind === 'RevokeOnModel' ? 'true' : 'false';
  const grantees = s.grantees.map((g) => (g.kind === 'Public' ? 'public' : g.name));
  if (s.privilege.kind === 'CreateModel') {
    for (const grantee of grantees) {
      await callCatalog(context, 'SELECT modelgres.grant_create_model(current_user, $1, $2)', [grantee, revoke]);
    }
  } else {
    for (const model of s.privilege.models) {
      const [schema, name] = await modelKey(model, context);
      for (const grantee of grantees) {
        await callCatalog(context, 'SELECT modelgres.grant_model(current_user, $1, $2, $3, $4)', [schema, name, grantee, revoke]);
      }
    }
  }
  context.send(commandComplete(s.kind === 'RevokeOnModel' ? 'REVOKE' : 'GRANT'));
}
