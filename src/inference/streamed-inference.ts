import type { Node, ResTarget, SelectStmt } from '@pgsql/types';
import { ClientError, isClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import { commandComplete, rowDescription, type FieldDescription } from '../protocol/backend-messages.ts';
import { encodeBinary } from '../protocol/binary-values.ts';
import { decodeTextRow } from '../protocol/decode-backend.ts';
import { anyBinary, formatAt, formatsFor } from '../protocol/format-codes.ts';
import type { StatementContext } from '../session/statement-context.ts';
import type { RawQueryResult } from '../session/upstream-session.ts';
import { featureSelectExpression } from '../snapshot/feature-select-expression.ts';
import { readCallSpan, utf16Offsets } from './call-span.ts';
import type { ModelCall } from './find-model-calls.ts';
import { BATCH_ROWS, throwIfCanceled, type InferenceDeps } from './inference-deps.ts';
import { argumentFormats, openCalls, predictCalls, type OpenedCall } from './opened-calls.ts';
import { textOfPredictions, type PredictionColumn } from './predict-batch.ts';
import type { KnownVersions } from './known-versions.ts';
import { openVersion, resolvedFromKnown, sayEvaluator, versionQuery, versionStamp, type ResolvedVersion } from './resolve-model-version.ts';
import { remotePlanOf } from '../remote/remote-plan.ts';
import { spliceRows, type SplicedColumn } from './row-splicer.ts';

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
  /**
   * The statement with each call's check after the arguments (the caller's EXECUTE privilege on
   * the function and its pg_proc stamp, then the session's client_min_messages), for calls whose
   * versions the proxy knows (known-versions.ts): no lookup statement before it. Only for a
   * statement that reads no table (one-row calls, where the lookup is most of the cost), and
   * when every function's OID is known. `keep`: every column is a call, so no column can change
   * type: the session may keep the statement prepared (PipelinedStatement's `keep`).
   */
  checked?: { rewritten: string; columns: number; keep: boolean };
}

/** The statement when it is one plain SELECT (no set operation, DISTINCT or locking). */
export function plainSelect(stmt: Node | undefined): SelectStmt | null {
  const select: SelectStmt | undefined = stmt && 'SelectStmt' in stmt ? stmt.SelectStmt : undefined;
  if (!select || (select.op && select.op !== 'SETOP_NONE') || select.distinctClause || select.lockingClause) return null;
  return select;
}

function targetsOf(select: SelectStmt): ResTarget[] {
  return (select.targetList ?? []).flatMap((t) => ('ResTarget' in t ? [t.ResTarget] : []));
}

/** Where a select-list item is a whole call: its FuncCall's location. */
function callLocation(target: ResTarget): number | undefined {
  return target.val && 'FuncCall' in target.val ? target.val.FuncCall.location : undefined;
}

/**
 * Whether the statement can stream: every call is a whole select-list item, no item is a star,
 * and nothing refers to a select-list item by position or output name in ORDER BY or GROUP BY —
 * the rewrite puts argument columns in front (so positions move) and a call's column is NULL
 * until predicted.
 */
export function streamable(select: SelectStmt | null, calls: readonly ModelCall[]): select is SelectStmt {
  if (!select) return false;
  const targets = targetsOf(select);
  // A star is as many columns as its relation has: the calls' columns could not be placed by item.
  if (targets.some(expandsToColumns)) return false;
  if (!calls.every((call) => targets.some((t) => callLocation(t) === call.location))) return false;
  const callNames = new Set(
    targets.filter((t) => callLocation(t) !== undefined).map((t) => t.name ?? calls.find((c) => c.location === callLocation(t))?.function.name),
  );
  return !refersToOutput([select.sortClause, select.groupClause], callNames);
}

/** `*`, `t.*` or `(x).*`: a select-list item that stands for several columns. */
function expandsToColumns(target: ResTarget): boolean {
  const val = target.val;
  if (!val) return false;
  if ('ColumnRef' in val) return (val.ColumnRef.fields ?? []).some((f) => 'A_Star' in f);
  if ('A_Indirection' in val) return (val.A_Indirection.indirection ?? []).some((f) => 'A_Star' in f);
  return false;
}

/** An integer constant (a position) or a one-part column name among `names`, anywhere under `node`. */
function refersToOutput(node: unknown, names: Set<string | undefined>): boolean {
  if (Array.isArray(node)) return node.some((n) => refersToOutput(n, names));
  if (node === null || typeof node !== 'object') return false;
  const n = node as Partial<Record<'A_Const' | 'ColumnRef', { ival?: unknown; fields?: Node[] }>>;
  if (n.A_Const?.ival !== undefined) return true;
  const fields = n.ColumnRef?.fields;
  if (fields?.length === 1 && 'String' in fields[0] && names.has(fields[0].String.sval)) return true;
  return Object.values(node).some((v) => refersToOutput(v, names));
}

export function prepareStreamed(sql: string, select: SelectStmt, calls: ModelCall[]): PreparedInference {
  const targets = targetsOf(select);
  const callAt = targets.map((t) => {
    const i = calls.findIndex((c) => c.location === callLocation(t));
    return i < 0 ? null : i;
  });
  const toIndex = utf16Offsets(sql);
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
  const selectListStart = toIndex(targets[0].location ?? 0);
  const withColumns = (columns: string[]) => `${text.slice(0, selectListStart)}${columns.join(', ')}, ${text.slice(selectListStart)}`;
  const checks = checkColumns(select, calls);
  return {
    kind: 'inference',
    rewritten: withColumns(argumentColumns),
    calls,
    extra: argumentColumns.length,
    callAt,
    bareCallNames: targets.map((t, i) => (callAt[i] !== null && !t.name ? calls[callAt[i]!].function.name : null)),
    ...(checks ? { checked: { rewritten: withColumns([...argumentColumns, ...checks]), columns: checks.length, keep: callAt.every((c) => c !== null) } } : {}),
  };
}

/**
 * The select-list items that check each call in the statement itself (see PreparedInference's
 * `checked`), or null when the statement reads a table or an OID is unknown. Every name is
 * pg_catalog's, spelled out: the caller's search_path must not choose what checks the caller.
 */
function checkColumns(select: SelectStmt, calls: readonly ModelCall[]): string[] | null {
  if ((select.fromClause?.length ?? 0) > 0 || !calls.every((c) => c.function.oid !== undefined)) return null;
  const columns = calls.flatMap((call, i) => {
    const oid = `${call.function.oid}::pg_catalog.oid`;
    return [
      `pg_catalog.has_function_privilege(${oid}, 'EXECUTE') AS modelgres_may_${i}`,
      `modelgres.function_stamp(${oid}) AS modelgres_stamp_${i}`,
    ];
  });
  return [...columns, `pg_catalog.current_setting('client_min_messages') AS modelgres_debug`];
}

/** The client's columns, from the description of the rewritten statement (`extra` columns in front). */
export function clientFields(prepared: PreparedInference, fields: FieldDescription[], extra = prepared.extra): FieldDescription[] {
  return fields.slice(extra).map((f, i) => (prepared.bareCallNames[i] ? { ...f, name: prepared.bareCallNames[i]! } : f));
}

/**
 * The rewritten statement runs in one exchange, after the models' version lookups: its rows are
 * predicted by onnxruntime batch by batch as they arrive and sent on with the predictions in
 * place, while PostgreSQL goes on sending (see UpstreamSession.stream). Each model's version is
 * fixed, and the caller's right to execute it checked, before the first row is sent. No cursor and
 * no transaction of its own: a single statement runs in PostgreSQL's implicit one, or in the
 * client's. `describe` is false in the extended protocol, where Describe already sent the columns.
 *
 * A statement that reads no table, calling functions whose versions the proxy knows, runs alone
 * with its checks in its select list (PreparedInference's `checked`): its first row says whether
 * the caller may execute each function and which version that is. When it does not (a version
 * not known for that stamp, the privilege refused, no rows at all), the lookups run after the
 * statement and say which version, or why not; its rows wait for them.
 */
export async function executeStreamed(
  prepared: PreparedInference,
  context: StatementContext,
  deps: InferenceDeps,
  options: { params?: ReadonlyArray<string | null>; describe: boolean; resultFormats?: readonly number[] },
): Promise<void> {
  const formats = options.resultFormats ?? [];
  const known = deps.registry.versions;
  const checked = prepared.checked && prepared.calls.every((c) => known.has(c.function.oid!)) ? prepared.checked : null;
  const extra = prepared.extra + (checked?.columns ?? 0);
  let models: OpenedCall[] | null = null;
  let deferred: RawQueryResult[] | null = null;
  const lookups = () => prepared.calls.map((call) => versionQuery(call.function, deps.sessions.loadedJobs()));
  // Versions are learnt only from lookups outside a transaction block: committed catalog rows.
  const open = async (results: readonly RawQueryResult[], learn: boolean) => {
    const rows = results.map((r) => r.rows.map(decodeTextRow));
    const opened = await openCalls(context, deps, prepared.calls, (i) => rows[i], 'streamed');
    if (learn) learnVersions(known, opened, rows);
    return opened;
  };
  let described = !options.describe;
  const describe = (fields: FieldDescription[]) => {
    if (!described) context.send(rowDescription(clientFields(prepared, fields, extra)));
    described = true;
  };
  let checkedTypes = options.describe || !context.describedColumns;
  const checkTypes = (fields: FieldDescription[]) => {
    if (!checkedTypes && !sameColumnTypes(clientFields(prepared, fields, extra), context.describedColumns!)) {
      // PostgreSQL's own words (plancache.c), where a prepared statement's columns changed after Parse.
      throw new ClientError(SqlState.featureNotSupported, 'cached plan must not change result type');
    }
    checkedTypes = true;
  };
  let rowCount = 0;
  const handle = async (batch: RawQueryResult) => {
    checkTypes(batch.fields);
    const predictions = await predictCalls(models!, batch, extra, deps, context.signal);
    // Described with its first rows, so that a one-row answer leaves in one write.
    describe(batch.fields);
    context.send(spliceRows(batch.rows, extra, prepared.callAt, inClientFormats(prepared, batch.fields, formats, predictions, extra)));
    rowCount += batch.rows.length;
  };
  const learnInStream = context.upstream.transactionStatus() === 'I';
  const argFormats = argumentFormats(prepared.calls, deps);
  const stream = () =>
    context.upstream.stream(
      [
        // With the artifacts not loaded yet: nothing may be asked of the session while it streams.
        ...(checked ? [] : lookups()),
        {
          sql: checked?.rewritten ?? prepared.rewritten,
          keep: checked?.keep ?? false,
          params: options.params ?? [],
          resultFormats: upstreamFormats(prepared, checked ? [...argFormats, ...new Array<0>(checked.columns).fill(0)] : argFormats, formats),
        },
      ],
      BATCH_ROWS,
      onBatch,
    );
  const onBatch = async (batch: RawQueryResult, earlier: readonly RawQueryResult[]) => {
    throwIfCanceled(context.signal);
    if (deferred) {
      deferred.push(batch);
      return;
    }
    if (!models && checked) {
      models = await knownCalls(prepared, checked, batch.rows[0], context, deps);
      if (!models) {
        deferred = [batch];
        return;
      }
    }
    models ??= await open(earlier, learnInStream);
    await handle(batch);
  };
  const { last } = await stream().catch((error: unknown) => {
    // The kept statement was dropped by a DEALLOCATE the proxy could not see (in a DO block, say):
    // its Bind failed before anything ran, and outside a transaction block nothing else did; once
    // more, parsed anew.
    if (checked?.keep && learnInStream && isClientError(error) && error.code === INVALID_SQL_STATEMENT_NAME) return stream();
    throw error;
  });
  // No rows, or checks that did not settle the versions: the lookups say which versions, or why not.
  models ??= await open(await context.upstream.pipeline(lookups()), context.upstream.transactionStatus() === 'I');
  for (const batch of deferred ?? []) await handle(batch);
  checkTypes(last.fields);
  describe(last.fields);
  context.send(commandComplete(`SELECT ${rowCount}`));
}

/**
 * Each call's version from its checks in `row` (see checkColumns), when the caller may execute
 * the function and the proxy knows the version for the stamp the statement saw, with its
 * artifact loaded (or none needed); null otherwise.
 */
async function knownCalls(
  prepared: PreparedInference,
  checked: { columns: number },
  row: Buffer,
  context: StatementContext,
  deps: InferenceDeps,
): Promise<OpenedCall[] | null> {
  const texts = textsAt(row, prepared.extra, checked.columns);
  const debug = texts[texts.length - 1]?.startsWith('debug') ?? false;
  const versions: ResolvedVersion[] = [];
  for (const [i, call] of prepared.calls.entries()) {
    if (texts[2 * i] !== 't') return null;
    const version = deps.registry.versions.get(call.function.oid!, texts[2 * i + 1] ?? '');
    if (!version || !(deps.sessions.has(version.jobName) || remotePlanOf(version.ioPlan))) return null;
    versions.push(resolvedFromKnown(context, call.function, version, debug));
  }
  const opened: OpenedCall[] = [];
  for (const [i, call] of prepared.calls.entries()) {
    sayEvaluator(context, call.function, versions[i], 'streamed');
    opened.push({ call, version: versions[i], session: await openVersion(deps.sessions, versions[i]) });
  }
  return opened;
}

/** What the lookups found, kept for calls to come, with the stamp each read. */
function learnVersions(known: KnownVersions, opened: readonly OpenedCall[], rows: ReadonlyArray<Array<Array<string | null>>>): void {
  opened.forEach(({ call, version }, i) => {
    const stamp = versionStamp(rows[i]);
    if (call.function.oid === undefined || stamp === null) return;
    known.learn(call.function.oid, stamp, { version: version.version, jobName: version.jobName, classes: version.classes, ioPlan: version.ioPlan });
  });
}

/** Columns [from, from + count) of a DataRow body as text (null for NULL). */
function textsAt(body: Buffer, from: number, count: number): Array<string | null> {
  let pos = 2;
  const out: Array<string | null> = [];
  for (let c = 0; c < from + count; c++) {
    const len = body.readInt32BE(pos);
    pos += 4;
    if (c >= from) out.push(len < 0 ? null : body.toString('utf8', pos, pos + len));
    if (len > 0) pos += len;
  }
  return out;
}

/** invalid_sql_statement_name: the Bind of a statement that does not exist. */
const INVALID_SQL_STATEMENT_NAME = '26000';

/** Same number of columns, each of the same type and type modifier. */
function sameColumnTypes(a: readonly FieldDescription[], b: readonly FieldDescription[]): boolean {
  return a.length === b.length && a.every((f, i) => f.typeOid === b[i].typeOid && (f.typeModifier ?? -1) === (b[i].typeModifier ?? -1));
}

/**
 * The result format codes of the rewritten statement: its argument columns as `argumentFormats`
 * says (the proxy decodes them), the client's columns as the client's Bind asked (the calls' NULL
 * placeholders too, though the predictions replace them). [] when everything is text.
 */
function upstreamFormats(prepared: PreparedInference, argumentFormats: readonly number[], codes: readonly number[]): number[] {
  if (!anyBinary(codes) && !anyBinary(argumentFormats)) return [];
  return [...argumentFormats, ...formatsFor(codes, prepared.callAt.length)];
}

/** Each call's predictions as the client wants its column: text (or numbers spliceRows writes as text), or binary of the column's type. */
function inClientFormats(
  prepared: PreparedInference,
  fields: readonly FieldDescription[],
  codes: readonly number[],
  predictions: PredictionColumn[],
  extra: number,
): Array<SplicedColumn> {
  if (!anyBinary(codes)) return predictions;
  return predictions.map((column, call) => {
    const at = prepared.callAt.indexOf(call);
    if (formatAt(codes, at) === 0) return column;
    const typeOid = fields[extra + at].typeOid;
    const values = column instanceof Float32Array ? textOfPredictions(column) : column;
    return values.map((v) => {
      if (v === null) return null;
      const binary = encodeBinary(typeOid, v);
      if (binary === null) throw new Error(`modelgres cannot write ${JSON.stringify(v)} as binary of type ${typeOid}`);
      return binary;
    });
  });
}
