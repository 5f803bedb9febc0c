import { deparseSync } from 'pgsql-deparser';
import { ClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import { commandComplete } from '../protocol/backend-messages.ts';
import type { StatementContext } from '../proxy/statement-context.ts';
import type { RawQueryResult } from '../proxy/upstream-link.ts';
import { decodeDataRow } from '../protocol/decode-backend.ts';
import { quoteIdent } from '../sql/identifiers.ts';
import type { InferenceDeps, PreparedInference } from './select-with-model-calls.ts';
import type { PreparedMaterialized } from './materialized-inference.ts';
import { predictBatch, type ClassValue } from './predict-batch.ts';
import { readLeadingColumns } from './row-splicer.ts';
import { interpretVersion, versionQuery } from './resolve-model-version.ts';

const BATCH_ROWS = 8192;
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

interface InsertTree {
  relation: unknown;
  cols?: Array<{ ResTarget: { name: string } }>;
  selectStmt?: unknown;
  onConflictClause?: unknown;
  returningList?: unknown;
  withClause?: unknown;
  override?: string;
}

/** The parts of a plain INSERT ... SELECT, or null when it has more (ON CONFLICT, RETURNING, WITH). */
export function plainInsertSelect(stmt: Record<string, unknown>): { target: string; columns: string[] | null; selectSql: string } | null {
  const insert = stmt.InsertStmt as InsertTree | undefined;
  if (!insert || !insert.selectStmt || insert.onConflictClause || insert.returningList || insert.withClause) return null;
  if (insert.override && insert.override !== 'OVERRIDING_NOT_SET') return null;
  const select = (insert.selectStmt as { SelectStmt?: { valuesLists?: unknown } }).SelectStmt;
  if (!select || select.valuesLists) return null;
  return {
    target: deparseSync({ RangeVar: insert.relation } as never),
    columns: insert.cols ? insert.cols.map((c) => c.ResTarget.name) : null,
    selectSql: deparseSync(insert.selectStmt as never),
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
  const ownTransaction = context.transactionStatus() === 'I';
  const fetch = `FETCH FORWARD ${BATCH_ROWS} FROM ${CURSOR}`;
  const columnList = prepared.columns ? `(${prepared.columns.map((c) => quoteIdent(c)).join(', ')})` : '';
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
    ...(ownTransaction ? [{ sql: 'BEGIN' }] : []),
    { sql: `DECLARE ${CURSOR} NO SCROLL CURSOR FOR ${select.rewritten}`, params },
    { sql: fetch },
  ]).catch(async (error) => {
    if (ownTransaction) await link.query('ROLLBACK').catch(() => {});
    throw error;
  });
  const rows = (i: number) => opened[i].rows.map((b) => decodeDataRow(b).map((v) => (v === null ? null : v.toString('utf8'))));
  const targetColumns = rows(select.calls.length);
  const first = opened.at(-1)!;
  if (!copyMeansInsert(targetColumns, prepared.columns, first, select.extra)) {
    await link.pipeline([{ sql: `CLOSE ${CURSOR}` }, ...(ownTransaction ? [{ sql: 'ROLLBACK' }] : [])]);
    return false;
  }
  let inserted = 0;
  try {
    const models = [];
    for (const [i, call] of select.calls.entries()) {
      const version = interpretVersion(context, call.function, rows(i));
      models.push({ call, version, session: await deps.sessions.get(version.jobName, () => version.loadOnnx()) });
    }
    let batch: RawQueryResult | null = first;
    while (batch && batch.rows.length > 0) {
      if (context.signal.aborted) throw new ClientError(SqlState.queryCanceled, 'canceling statement due to user request');
      const n: number = batch.rows.length;
      const inputs = readLeadingColumns(batch.rows, select.extra);
      const predictions: Array<Array<string | null>> = [];
      let column = 0;
      for (const { call, version, session } of models) {
        const args = inputs.slice(column, column + call.argumentCount);
        predictions.push(await predictBatch(session, call.function, version.classes as ClassValue[] | null, args, n, version.ioPlan));
        deps.capture?.record(call.function, version.version, args, predictions.at(-1)!);
        column += call.argumentCount;
      }
      await link.copyIn(`COPY ${prepared.target} ${columnList} FROM STDIN`, copyLines(batch.rows, select, predictions));
      inserted += n;
      batch = n === BATCH_ROWS ? await link.queryRaw(fetch) : null;
    }
    await link.pipeline([{ sql: `CLOSE ${CURSOR}` }, ...(ownTransaction ? [{ sql: 'COMMIT' }] : [])]);
  } catch (error) {
    if (ownTransaction) await link.query('ROLLBACK').catch(() => {});
    throw error;
  }
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
    const fields = values.map((v, c) => {
      const call = select.callAt[c];
      const text = call !== null ? predictions[call][r] : v === null ? null : v.toString('utf8');
      return text === null ? '\\N' : escapeCopy(text);
    });
    lines[r] = fields.join('\t');
  }
  return Buffer.from(lines.join('\n') + '\n', 'utf8');
}

function escapeCopy(text: string): string {
  return /[\\\t\n\r]/.test(text) ? text.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : text;
}
