import { ClientError } from '../../errors/client-error.ts';
import { SqlState } from '../../errors/sqlstate.ts';
import type { StatementContext } from '../../session/statement-context.ts';

/** Where an unqualified model name lives: the first schema of the search_path, as for tables. */
export async function currentSchema(context: StatementContext): Promise<string> {
  const schema = (await context.upstream.query('SELECT current_schema()')).rows[0]?.[0];
  if (!schema) {
    throw new ClientError('3F000', 'no schema has been selected to create in', {
      hint: 'Qualify the model name, or set search_path.',
    });
  }
  return schema;
}
