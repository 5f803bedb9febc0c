import { parseSync } from 'libpg-query';
import { ClientError, notSupported } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import { commandComplete, dataRow, rowDescription, type FieldDescription } from '../protocol/backend-messages.ts';
import type { InterceptedStatement, StatementContext } from '../proxy/statement-context.ts';
import { featureSelectExpression } from '../snapshot/feature-select-expression.ts';
import { readCallSpan, type CallSpan } from './call-span.ts';
import { describeConstruct, findModelCalls, type ModelCall } from './find-model-calls.ts';
import type { ModelFunctionRegistry } from './model-function-registry.ts';
import type { OnnxSessionCache } from './onnx-session-cache.ts';
import { predictBatch, type ClassValue } from './predict-batch.ts';
import { resolveModelVersion } from './resolve-model-version.ts';
import { RelayedError } from '../proxy/relayed-error.ts';

/** Rows fetched and predicted at a time. */
const BATCH_ROWS = 8192;
const CURSOR = 'modelgres_inference';

export interface InferenceDeps {
  registry: ModelFunctionRegistry;
  sessions: OnnxSessionCache;
}

/**
 * A statement that calls model functions. Supported now: a SELECT whose model calls each stand
 * as a whole select-list item. The call is replaced by a typed NULL and its arguments are selected
 * in front of the other columns; rows come through a cursor in batches, are predicted by
 * onnxruntime and sent on with the predictions in place. Other placements answer 0A000.
 */
export async function runStatementWithModelCalls(
  statement: InterceptedStatement,
  context: StatementContext,
  deps: InferenceDeps,
): Promise<void> {
  const sql = statement.text;
  let tree: unknown;
  try {
    tree = parseSync(sql);
  } catch {
    // Not valid SQL: PostgreSQL reports the error its own way.
    await relay(context, sql);
    return;
  }
  const calls = findModelCalls(tree, (name) => deps.registry.lookup(name));
  if (calls.length === 0) {
    await relay(context, sql);
    return;
  }
  checkSupported(tree, calls);

  const bytes = Buffer.from(sql, 'utf8');
  const toIndex = (byteOffset: number) => bytes.subarray(0, byteOffset).toString('utf8').length;
  const spans = calls.map((c) => readCallSpan(sql, toIndex(c.location)));
  const selectListStart = toIndex(firstTargetLocation(tree));

  // Each call's model version and artifact, fixed for the whole statement.
  const models = [];
  for (const call of calls) {
    const version = await resolveModelVersion(context, call.function);
    const session = await deps.sessions.get(version.jobName, () => version.loadOnnx());
    models.push({ call, version, session });
  }

  const rewritten = rewrite(sql, calls, spans, selectListStart);
  const extra = calls.reduce((n, c) => n + c.argumentCount, 0);
  const link = context.upstream;
  // A cursor needs a transaction: outside one, the statement gets its own, as PostgreSQL would.
  const ownTransaction = context.transactionStatus() === 'I';
  if (ownTransaction) await link.query('BEGIN');
  let rowCount = 0;
  try {
    await link.query(`DECLARE ${CURSOR} NO SCROLL CURSOR FOR ${rewritten}`);
    let described = false;
    for (;;) {
      if (context.signal.aborted) throw new ClientError(SqlState.queryCanceled, 'canceling statement due to user request');
      const batch = await link.query(`FETCH FORWARD ${BATCH_ROWS} FROM ${CURSOR}`);
      if (!described) {
        context.send(rowDescription(nameColumns(batch.fields.slice(extra), tree, calls)));
        described = true;
      }
      const n = batch.rows.length;
      if (n === 0) break;
      const predictions: Array<Array<string | null>> = [];
      let column = 0;
      for (const { call, version, session } of models) {
        const args: Array<Array<string | null>> = [];
        for (let j = 0; j < call.argumentCount; j++) args.push(batch.rows.map((r) => r[column + j]));
        column += call.argumentCount;
        predictions.push(await predictBatch(session, call.function, version.classes as ClassValue[] | null, args, n));
      }
      const resultIndex = resultColumns(tree, calls);
      for (let i = 0; i < n; i++) {
        const row = batch.rows[i].slice(extra);
        resultIndex.forEach((callIndex, target) => {
          if (callIndex !== null) row[target] = predictions[callIndex][i];
        });
        context.send(dataRow(row));
      }
      rowCount += n;
      if (n < BATCH_ROWS) break;
    }
    await link.query(`CLOSE ${CURSOR}`);
    if (ownTransaction) await link.query('COMMIT');
  } catch (error) {
    if (ownTransaction) await link.query('ROLLBACK').catch(() => {});
    throw error;
  }
  context.send(commandComplete(`SELECT ${rowCount}`));
}

async function relay(context: StatementContext, sql: string): Promise<void> {
  const { failed } = await context.upstream.relay(sql);
  if (failed) throw new RelayedError();
}


interface SelectTree {
  stmts: Array<{ stmt: Record<string, unknown> }>;
}

function selectStatement(tree: unknown): Record<string, unknown> | null {
  const stmts = (tree as SelectTree).stmts;
  if (stmts.length !== 1) return null;
  const select = stmts[0].stmt.SelectStmt as Record<string, unknown> | undefined;
  return select ?? null;
}

function checkSupported(tree: unknown, calls: ModelCall[]): void {
  const select = selectStatement(tree);
  const plain = select !== null && select.op === 'SETOP_NONE' && !select.distinctClause && !select.lockingClause;
  for (const call of calls) {
    if (!plain || !isDirectTarget(select, call)) {
      throw notSupported(
        `a model function in ${select ? describeConstruct(call) : describeStatement(tree)} is not supported yet`,
        'For now a model function must stand as a whole item of the select list of a SELECT, e.g. SELECT id, f(a, b) AS prediction FROM t.',
      );
    }
  }
}

function isDirectTarget(select: Record<string, unknown>, call: ModelCall): boolean {
  const targets = select.targetList as Array<{ ResTarget: { val?: { FuncCall?: { location?: number } } } }>;
  return targets.some((t) => t.ResTarget.val?.FuncCall?.location === call.location);
}

function describeStatement(tree: unknown): string {
  const kind = Object.keys((tree as SelectTree).stmts[0]?.stmt ?? {})[0] ?? 'this statement';
  const names: Record<string, string> = {
    InsertStmt: 'INSERT',
    UpdateStmt: 'UPDATE',
    DeleteStmt: 'DELETE',
    CreateTableAsStmt: 'CREATE TABLE AS',
    CopyStmt: 'COPY',
    PrepareStmt: 'PREPARE',
    ExplainStmt: 'EXPLAIN',
  };
  return names[kind] ?? kind;
}

/** For each select-list item, the index of the model call it is, or null. */
function resultColumns(tree: unknown, calls: ModelCall[]): Array<number | null> {
  const select = selectStatement(tree)!;
  const targets = select.targetList as Array<{ ResTarget: { val?: { FuncCall?: { location?: number } } } }>;
  return targets.map((t) => {
    const i = calls.findIndex((c) => c.location === t.ResTarget.val?.FuncCall?.location);
    return i < 0 ? null : i;
  });
}

function firstTargetLocation(tree: unknown): number {
  const select = selectStatement(tree)!;
  const targets = select.targetList as Array<{ ResTarget: { location: number } }>;
  return targets[0].ResTarget.location;
}

/**
 * Splices the text: each call becomes NULL of its return type (so the column keeps its name,
 * position and type), and the arguments, as model inputs, go in front of the select list.
 */
function rewrite(sql: string, calls: ModelCall[], spans: CallSpan[], selectListStart: number): string {
  const argumentColumns: string[] = [];
  calls.forEach((call, i) => {
    spans[i].arguments.forEach((arg, j) => {
      const type = call.function.parameterTypes[j];
      argumentColumns.push(`${featureSelectExpression(`(${sql.slice(arg.start, arg.end)})::${type}`, type)} AS modelgres_arg_${i}_${j}`);
    });
  });
  const order = spans.map((s, i) => ({ s, i })).sort((a, b) => b.s.start - a.s.start);
  let text = sql;
  for (const { s, i } of order) {
    const fn = calls[i].function;
    // Keep the column named after the function, as PostgreSQL names a function call's column.
    text = `${text.slice(0, s.start)}(NULL::${fn.returnType})${text.slice(s.end)}`;
  }
  return `${text.slice(0, selectListStart)}${argumentColumns.join(', ')}, ${text.slice(selectListStart)}`;
}

/** A call without an alias names its column after the function, as PostgreSQL does. */
function nameColumns(fields: FieldDescription[], tree: unknown, calls: ModelCall[]): FieldDescription[] {
  const select = selectStatement(tree)!;
  const targets = select.targetList as Array<{ ResTarget: { name?: string } }>;
  const index = resultColumns(tree, calls);
  return fields.map((f, i) => {
    const call = index[i];
    return call !== null && !targets[i].ResTarget.name ? { ...f, name: calls[call].function.name } : f;
  });
}
