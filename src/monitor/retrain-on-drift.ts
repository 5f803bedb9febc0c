import type pg from 'pg';
import type { StatementContext } from '../proxy/statement-context.ts';
import type { UpstreamLink } from '../proxy/upstream-link.ts';
import { retrainModel } from '../statements/handlers/retrain-model.ts';
import { sqlRunnerOf } from './sql-runner.ts';

/**
 * RETRAIN_ON_DRIFT ON: the drift check starts ALTER MODEL m RETRAIN itself, on the scheduler's
 * connection while it acts as the model's owner (SET LOCAL ROLE), so the training data is read
 * with the owner's privileges, exactly as the owner's own RETRAIN would. Commits with the check.
 */
export async function retrainAfterDrift(client: pg.ClientBase, schema: string, model: string): Promise<void> {
  const context = {
    user: '',
    database: '',
    upstream: linkOver(client),
    send: () => {},
    transactionStatus: () => 'T' as const,
    catalogChanged: async () => {},
    signal: new AbortController().signal,
    settings: { modelDir: '', maxModelBytes: 0 },
    sqlPrepared: new Map(),
  } as unknown as StatementContext;
  await retrainModel({ kind: 'AlterModelRetrain', model: { schema, name: model }, settings: {} }, '', context);
}

/** The part of UpstreamLink that RETRAIN uses, over a pg connection (values kept as PostgreSQL's text). */
function linkOver(client: pg.ClientBase): Pick<UpstreamLink, 'query' | 'copyOut'> {
  const runner = sqlRunnerOf(client);
  return {
    query: (sql, params = []) => runner.query(sql, params),
    // COPY (query) TO STDOUT, as rows of COPY text: the query's rows, escaped the same way.
    async copyOut(copySql, onRow) {
      const inner = /^COPY \(([\s\S]*)\) TO STDOUT$/.exec(copySql);
      if (!inner) throw new Error(`unexpected COPY statement: ${copySql.slice(0, 60)}`);
      const { rows } = await runner.query(inner[1]);
      for (const row of rows) onRow(row.map(copyText).join('\t'));
      return rows.length;
    },
  };
}

function copyText(value: string | null): string {
  if (value === null) return '\\N';
  return value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}
