import { parseSync } from 'libpg-query';
import { ClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import { commandComplete, rowDescription, type FieldDescription } from '../protocol/backend-messages.ts';
import type { RawQueryResult } from '../proxy/upstream-link.ts';
import { readLeadingColumns, spliceRows } from './row-splicer.ts';
import type { StatementContext } from '../proxy/statement-context.ts';
import { RelayedError } from '../proxy/relayed-error.ts';
import { featureSelectExpression } from '../snapshot/feature-select-expression.ts';
import { readCallSpan } from './call-span.ts';
import { findModelCalls, type ModelCall } from './find-model-calls.ts';
import type { ModelFunctionRegistry } from './model-function-registry.ts';
import type { OnnxSessionCache } from './onnx-session-cache.ts';
import type { CaptureWriter } from '../monitor/capture-writer.ts';
import { predictBatch, type ClassValue } from './predict-batch.ts';
import { interpretVersion, versionQuery } from './resolve-model-version.ts';
import { decodeDataRow } from '../protocol/decode-backend.ts';
import { executeMaterialized, prepareMaterialized, type PreparedMaterialized } from './materialized-inference.ts';
import { findScopedCalls } from './model-call-scopes.ts';
import { executeWriteBack, plainInsertSelect, type PreparedWriteBack } from './insert-write-back.ts';

/** Rows fetched and predicted at a time. */
const BATCH_ROWS = 8192;
const CURSOR = 'modelgres_inference';

export interface InferenceDeps {
  registry: ModelFunctionRegistry;
  sessions: OnnxSessionCache;
  /** Keeps a sample of predicted rows of models with CAPTURE_PERCENT. */
  capture?: CaptureWriter;
}

/**
 * A SELECT whose model calls each stand as a whole select-list item, rewritten for streaming:
 * each call becomes NULL of its return type (the column keeps its place and type) and its
 * arguments, as model inputs, are selected in front of the other columns.
 */
export interface PreparedInference {
  kind: 'inference';
  rewritten: string;
  calls: ModelCall[];
  /** Argument columns in front of the client's columns. */
  extra: number;
  /** For each client column, the index of the call it holds, or null. */
  callAt: Array<number | null>;
  /** Client columns named after the function (no alias), as PostgreSQL names them. */
  bareCallNames: Array<string | null>;
}

/** Not a model call after all (the name appeared only in a string, say): run it as it is. */
export interface PreparedPassthrough {
  kind: 'passthrough';
  sql: string;
}

export type PreparedModelCalls = PreparedInference | PreparedPassthrough | PreparedMaterialized | PreparedWriteBack;

/**
 * Chooses how to evaluate a statement's model calls: streamed when each is a whole select-list
 * item of a plain SELECT (memory stays flat, rows flow as they come), materialized otherwise.
 */
export function prepareModelCalls(sql: string, registry: ModelFunctionRegistry): PreparedModelCalls {
  let tree: unknown;
  try {
    tree = parseSync(sql);
  } catch {
    // Not valid SQL: PostgreSQL reports the error its own way.
    return { kind: 'passthrough', sql };
  }
  const calls = findModelCalls(tree, (name) => registry.lookup(name));
  if (calls.length === 0) return { kind: 'passthrough', sql };
  const select = selectStatement(tree);
  const plain = select !== null && select.op === 'SETOP_NONE' && !select.distinctClause && !select.lockingClause;
  const targets = (select?.targetList ?? []) as Array<{ ResTarget: { name?: string; location: number; val?: { FuncCall?: { location?: number } } } }>;
  const streamable = plain && calls.every((call) => targets.some((t) => t.ResTarget.val?.FuncCall?.location === call.location));
  const insert = plainInsertSelect((tree as ParseTree).stmts[0]?.stmt ?? {});
  if (insert && (tree as ParseTree).stmts.length === 1) {
    const select = prepareModelCalls(insert.selectSql, registry);
    if (select.kind === 'inference') {
      const fallback = prepareMaterialized(sql, findScopedCalls(tree, (name) => registry.lookup(name)));
      return { kind: 'write-back', sql, target: insert.target, columns: insert.columns, select, fallback };
    }
  }
  if (!streamable) {
    return prepareMaterialized(sql, findScopedCalls(tree, (name) => registry.lookup(name)));
  }
  const callAt = targets.map((t) => {
    const i = calls.findIndex((c) => c.location === t.ResTarget.val?.FuncCall?.location);
    return i < 0 ? null : i;
  });

  // libpg-query gives byte offsets; the text is spliced by UTF-16 index.
  const bytes = Buffer.from(sql, 'utf8');
  const toIndex = (byteOffset: number) => bytes.subarray(0, byteOffset).toString('utf8').length;
  const spans = calls.map((c) => readCallSpan(sql, toIndex(c.location)));
  const argumentColumns: string[] = [];
  calls.forEach((call, i) => {
    spans[i].arguments.forEach((arg, j) => {
      const type = call.function.parameterTypes[j];
      argumentColumns.push(`${featureSelectExpression(`(${sql.slice(arg.start, arg.end)})::${type}`, type)} AS modelgres_arg_${i}_${j}`);
    });
  });
  let text = sql;
  const rightToLeft = spans.map((s, i) => ({ s, i })).sort((a, b) => b.s.start - a.s.start);
  for (const { s, i } of rightToLeft) {
    text = `${text.slice(0, s.start)}(NULL::${calls[i].function.returnType})${text.slice(s.end)}`;
  }
  const selectListStart = toIndex(targets[0].ResTarget.location);
  return {
    kind: 'inference',
    rewritten: `${text.slice(0, selectListStart)}${argumentColumns.join(', ')}, ${text.slice(selectListStart)}`,
    calls,
    extra: argumentColumns.length,
    callAt,
    bareCallNames: targets.map((t, i) => (callAt[i] !== null && !t.ResTarget.name ? calls[callAt[i]!].function.name : null)),
  };
}

/** The client's columns, from the description of the rewritten statement. */
export function clientFields(prepared: PreparedInference, fields: FieldDescription[]): FieldDescription[] {
  return fields.slice(prepared.extra).map((f, i) => (prepared.bareCallNames[i] ? { ...f, name: prepared.bareCallNames[i]! } : f));
}

/**
 * Runs a prepared statement: rows come through a cursor in batches, are predicted by onnxruntime
 * and sent on with the predictions in place. Each model's version is fixed before the first row.
 * `describe` is false in the extended protocol, where Describe already sent the columns.
 */
export async function executeModelCalls(
  prepared: PreparedModelCalls,
  context: StatementContext,
  deps: InferenceDeps,
  options: { params?: ReadonlyArray<string | null>; describe: boolean },
): Promise<void> {
  if (prepared.kind === 'passthrough') {
    const { failed } = await context.upstream.relay(prepared.sql);
    if (failed) throw new RelayedError();
    return;
  }
  if (prepared.kind === 'write-back') {
    if (await executeWriteBack(prepared, context, deps, options.params ?? [])) return;
    prepared = prepared.fallback;
  }
  if (prepared.kind === 'materialized') {
    await executeMaterialized(prepared, context, deps, { params: options.params, extended: !options.describe });
    return;
  }
  const link = context.upstream;
  // A cursor needs a transaction: outside one, the statement gets its own, as PostgreSQL would.
  const ownTransaction = context.transactionStatus() === 'I';
  // One round trip: the models' versions, the transaction, the cursor and its first batch.
  const fetch = `FETCH FORWARD ${BATCH_ROWS} FROM ${CURSOR}`;
  let opened: RawQueryResult[];
  try {
    opened = await link.pipeline([
      ...prepared.calls.map((call) => versionQuery(call.function)),
      ...(ownTransaction ? [{ sql: 'BEGIN' }] : []),
      { sql: `DECLARE ${CURSOR} NO SCROLL CURSOR FOR ${prepared.rewritten}`, params: options.params ?? [] },
      { sql: fetch },
    ]);
  } catch (error) {
    if (ownTransaction) await link.query('ROLLBACK').catch(() => {});
    throw error;
  }
  let rowCount = 0;
  try {
    const models = [];
    for (const [i, call] of prepared.calls.entries()) {
      const version = interpretVersion(context, call.function, decodeRows(opened[i].rows));
      const session = await deps.sessions.get(version.jobName, () => version.loadOnnx());
      models.push({ call, version, session });
    }
    let described = !options.describe;
    // The next batch is fetched while this one is predicted: PostgreSQL and onnxruntime overlap.
    let next: Promise<RawQueryResult> | null = Promise.resolve(opened.at(-1)!);
    try {
      while (next) {
        if (context.signal.aborted) throw new ClientError(SqlState.queryCanceled, 'canceling statement due to user request');
        const batch: RawQueryResult = await next;
        next = null;
        if (!described) {
          context.send(rowDescription(clientFields(prepared, batch.fields)));
          described = true;
        }
        const n = batch.rows.length;
        if (n === 0) break;
        if (n === BATCH_ROWS) next = link.queryRaw(fetch);
        const inputs = readLeadingColumns(batch.rows, prepared.extra);
        const predictions: Array<Array<string | null>> = [];
        let column = 0;
        for (const { call, version, session } of models) {
          const args = inputs.slice(column, column + call.argumentCount);
          column += call.argumentCount;
          predictions.push(await predictBatch(session, call.function, version.classes as ClassValue[] | null, args, n, version.ioPlan));
          deps.capture?.record(call.function, version.version, args, predictions.at(-1)!);
        }
        context.send(spliceRows(batch.rows, prepared.extra, prepared.callAt, predictions));
        rowCount += n;
      }
    } finally {
      // A fetch still under way must end before the session runs anything else.
      await (next as Promise<RawQueryResult> | null)?.catch(() => {});
    }
    await link.pipeline([{ sql: `CLOSE ${CURSOR}` }, ...(ownTransaction ? [{ sql: 'COMMIT' }] : [])]);
  } catch (error) {
    if (ownTransaction) await link.query('ROLLBACK').catch(() => {});
    else if (context.transactionStatus() === 'T') await link.query(`CLOSE ${CURSOR}`).catch(() => {});
    throw error;
  }
  context.send(commandComplete(`SELECT ${rowCount}`));
}

interface ParseTree {
  stmts: Array<{ stmt: Record<string, unknown> }>;
}

function selectStatement(tree: unknown): Record<string, unknown> | null {
  const stmts = (tree as ParseTree).stmts;
  if (stmts.length !== 1) return null;
  return (stmts[0].stmt.SelectStmt as Record<string, unknown> | undefined) ?? null;
}


function decodeRows(rows: Buffer[]): Array<Array<string | null>> {
  return rows.map((body) => decodeDataRow(body).map((v) => (v === null ? null : v.toString('utf8'))));
}
