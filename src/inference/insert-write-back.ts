import type { InsertStmt, Node } from '@pgsql/types';
import { deparseSync } from 'pgsql-deparser';
import { commandComplete } from '../protocol/backend-messages.ts';
import { copyText } from '../protocol/copy-text.ts';
import { decodeDataRow, decodeTextRow } from '../protocol/decode-backend.ts';
import { inPipelinedTransaction } from '../session/own-transaction.ts';
import type { StatementContext } from '../session/statement-context.ts';
import type { RawQueryResult } from '../session/upstream-session.ts';
import { quoteIdent } from '../sql/identifiers.ts';
import { BATCH_ROWS, throwIfCanceled, type InferenceDeps } from './inference-deps.ts';
import type { PreparedMaterialized } from './materialized-inference.ts';
import { openCalls, predictCalls } from './opened-calls.ts';
import { versionQuery } from './resolve-model-version.ts';
import type { PreparedInference } from './streamed-inference.ts';

const CURSOR = 'modelgres_write_back';

/**
 * INSERT INTO t [(cols)] SELECT ..., f(...) ... where the SELECT streams: rows are fetched in
 * batches, predicted, and written to t with COPY, batch by batch, in the client's transaction.
 * Used only when COPY means what the INSERT means: every column keeps its type (no assignment
 * casts) and t has no row-level security; otherwise the statement is materialized.
 */
export interface PreparedWriteBack {
  kind: 'write-back';
  sql: string;
  target: string;
  columns: string[] | null;
  select: PreparedInference;
  /** The statement run the general way, when COPY would not mean the same. */
  fallback: PreparedMaterialized;
}

/** The parts of a plain INSERT ... SELECT, or null when it has more (ON CONFLICT, RETURNING, WITH, OVERRIDING). */
export function plainInsertSelect(stmt: Node | undefined): { target: string; columns: string[] | null; selectSql: string } | null {
  const insert: InsertStmt | undefined = stmt && 'InsertStmt' in stmt ? stmt.InsertStmt : undefined;
  if (!insert?.relation || !insert.selectStmt || insert.onConflictClause || insert.returningClause || insert.withClause) return null;
  if (insert.override && insert.override !== 'OVERRIDING_NOT_SET') return null;
  const select = 'SelectStmt' in insert.selectStmt ? insert.selectStmt.SelectStmt : undefined;
  if (!select || select.valuesLists) return null;
  return {
    target: deparseSync({ RangeVar: insert.relation }),
    columns: insert.cols ? insert.cols.flatMap((c) => ('ResTarget' in c ? [c.ResTarget.name ?? ''] : [])) : null,
    selectSql: deparseSync(insert.selectStmt),
  };
}

/** Runs the write-back; false when COPY would not mean the same, and nothing has been done. */
export async function executeWriteBack(
  prepared: PreparedWriteBack,
  context: StatementContext,
  deps: InferenceDeps,
  params: ReadonlyArray<string | null>,
): Promise<boolean> {
  const link = context.upstream;
  const select = prepared.select;
  const fetch = `FETCH FORWARD ${BATCH_ROWS} FROM ${CURSOR}`;
  const columnList = prepared.columns ? `(${prepared.columns.map(quoteIdent).join(', ')})` : '';
  const inserted = await inPipelinedTransaction(link, async (tx) => {
    const opened = await link.pipeline([
      ...select.calls.map((call) => versionQuery(call.function)),
      // The target's columns as COPY would fill them, and whether row-level security is on.
      {
        sql: `SELECT a.attname, a.atttypid::int, c.relrowsecurity
                FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
               WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
               ORDER BY a.attnum`,
        params: [prepared.target],
      },
      ...tx.begin,
      { sql: `DECLARE ${CURSOR} NO SCROLL CURSOR FOR ${select.rewritten}`, params },
      { sql: fetch },
    ]);
    const rows = (i: number) => opened[i].rows.map(decodeTextRow);
    const first = opened.at(-1)!;
    if (!copyMeansInsert(rows(select.calls.length), prepared.columns, first, select.extra)) {
      await link.pipeline([{ sql: `CLOSE ${CURSOR}` }, ...(tx.own ? [{ sql: 'ROLLBACK' }] : [])]);
      return null;
    }
    const models = await openCalls(context, deps, select.calls, rows);
    let count = 0;
    let batch: RawQueryResult | null = first;
    while (batch && batch.rows.length > 0) {
      throwIfCanceled(context.signal);
      const n: number = batch.rows.length;
      const predictions = await predictCalls(models, batch.rows, select.extra, deps);
      await link.copyIn(`COPY ${prepared.target} ${columnList} FROM STDIN`, copyLines(batch.rows, select, predictions));
      count += n;
      batch = n === BATCH_ROWS ? await link.queryRaw(fetch) : null;
    }
    await link.pipeline([{ sql: `CLOSE ${CURSOR}` }, ...tx.commit]);
    return count;
  });
  if (inserted === null) return false;
  context.send(commandComplete(`INSERT 0 ${inserted}`));
  return true;
}

/** COPY assigns no casts: every value must already have its column's type. */
function copyMeansInsert(
  target: Array<Array<string | null>>,
  columns: string[] | null,
  first: RawQueryResult,
  extra: number,
): boolean {
  if (target.length === 0 || target[0][2] === 't') return false;
  const types = new Map(target.map(([name, oid]) => [name!, Number(oid)]));
  const names = columns ?? target.map(([name]) => name!);
  const produced = first.fields.slice(extra);
  if (produced.length !== names.length) return false;
  return names.every((name, i) => types.get(name) === produced[i].typeOid);
}

/** The client's columns of each row, predictions in place, as COPY text. */
function copyLines(rows: Buffer[], select: PreparedInference, predictions: Array<Array<string | null>>): Buffer {
  const lines: string[] = new Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const values = decodeDataRow(rows[r]).slice(select.extra);
    lines[r] = values
      .map((v, c) => {
        const call = select.callAt[c];
        return copyText(call !== null ? predictions[call][r] : v === null ? null : v.toString('utf8'));
      })
      .join('\t');
  }
  return Buffer.from(lines.join('\n') + '\n', 'utf8');
}
