import type { StatementContext } from '../../session/statement-context.ts';
import type { QualifiedName } from '../ast/qualified-name.ts';
import { currentSchema } from './current-schema.ts';

/** [schema, name] of a model as written, unqualified names in the first schema of search_path. */
export async function modelKey(model: QualifiedName, context: StatementContext): Promise<[string, string]> {
  return [model.schema ?? (await currentSchema(context)), model.name];
}

/** Runs a catalog API function as the caller and tells the router when the change committed. */
export async function callCatalog(context: StatementContext, sql: string, params: Array<string | null>): Promise<Array<Array<string | null>>> {
  const r = await context.upstream.query(sql, params);
  if (context.upstream.transactionStatus() === 'I') await context.catalogChanged();
  return r.rows;
}
