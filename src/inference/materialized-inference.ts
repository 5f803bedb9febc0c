import { randomBytes } from 'node:crypto';
import type { FuncCall, JoinExpr, Node, ResTarget } from '@pgsql/types';
import { deparseSync } from 'pgsql-deparser';
import { ClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import { copyText } from '../protocol/copy-text.ts';
import { inOwnTransaction } from '../session/own-transaction.ts';
import type { StatementContext } from '../session/statement-context.ts';
import { RelayedError } from '../session/relayed-error.ts';
import { featureSelectExpression } from '../snapshot/feature-select-expression.ts';
import { quoteIdent } from '../sql/identifiers.ts';
import { tokenize } from '../sql/lexer.ts';
import { readCallSpan, utf16Offsets } from './call-span.ts';
import { BATCH_ROWS, throwIfCanceled, type InferenceDeps } from './inference-deps.ts';
import type { ScopedCall } from './model-call-scopes.ts';
import { predictBatch, type ClassValue } from './predict-batch.ts';
import { measurePredictions } from '../metrics/measure-predictions.ts';
import { openVersion, resolveModelVersion, sayEvaluator, type ResolvedVersion } from './resolve-model-version.ts';
import type { ModelRunner } from './onnx-session-cache.ts';

const CURSOR = 'modelgres_arguments';

/**
 * Model calls anywhere in a statement (WHERE, JOIN, GROUP BY, aggregates, subqueries, DML...).
 * Before the statement runs, each call's distinct argument tuples are read from the rows of its
 * query level, predicted in batches, and stored in a temporary table keyed by the tuple; the
 * statement then runs in PostgreSQL with each call replaced by a lookup of that table. Everything
 * happens on the client's session, in its transaction: a ROLLBACK leaves nothing.
 */
export interface PreparedMaterialized {
  kind: 'materialized';
  sql: string;
  /** Innermost calls first: a call's arguments may hold another call, which must be ready before. */
  calls: Array<ScopedCall & { start: number; nameEnd: number; end: number; sameAs: number }>;
}

export function prepareMaterialized(sql: string, calls: ScopedCall[]): PreparedMaterialized {
  const toIndex = utf16Offsets(sql);
  const located = calls.map((c) => {
    const span = readCallSpan(sql, toIndex(c.call.location));
    // The name ends where its "(" begins: the first argument's start minus the parenthesis.
    const paren = sql.indexOf('(', span.start);
    return { ...c, start: span.start, nameEnd: paren, end: span.end };
  });
  located.sort((a, b) => a.end - a.start - (b.end - b.start));
  // Calls written the same way in the same query level share one materialization, so that
  // PostgreSQL still sees GROUP BY f(x) and SELECT f(x) as the same expression.
  const keys = located.map((c) => `${c.function.functionSchema}.${c.function.name}:${sql.slice(c.nameEnd, c.end).replace(/\s+/g, ' ')}`);
  const withShared = located.map((c, i) => ({
    ...c,
    sameAs: located.findIndex((d, j) => j < i && d.scope === c.scope && keys[j] === keys[i]),
  }));
  return { kind: 'materialized', sql, calls: withShared };
}

/** Runs the statement; its results (rows, COPY data, command tag) go to the client as PostgreSQL sends them. */
export async function executeMaterialized(
  prepared: PreparedMaterialized,
  context: StatementContext,
  deps: Pick<InferenceDeps, 'sessions' | 'capture'>,
  options: { params?: ReadonlyArray<string | null>; extended: boolean; resultFormats?: readonly number[] },
): Promise<void> {
  const link = context.upstream;
  const params = options.params ?? [];
  const models: Array<{ call: PreparedMaterialized['calls'][number]; version: ResolvedVersion; session: ModelRunner }> = [];
  for (const call of prepared.calls) {
    const version = await resolveModelVersion(context, call.function);
    sayEvaluator(context, call.function, version, 'materialized');
    models.push({ call, version, session: await openVersion(deps.sessions, version) });
  }
  const tag = randomBytes(4).toString('hex');
  const lookupNames = new Map<ScopedCall['call'], string>();
  try {
    await inOwnTransaction(link, async (own) => {
      // In the client's transaction, an argument query that fails for an outer reference must not
      // abort it: back to the savepoint, and PostgreSQL's compiled bodies take the statement.
      if (!own) await link.query(`SAVEPOINT ${SAVEPOINT}`);
      await materializeAndRun(own);
      if (!own) await link.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
    });
  } catch (error) {
    if (!(error instanceof OuterReference)) throw error;
    // A call's arguments name a column of an outer query level (unqualified, so the planner could
    // not tell): PostgreSQL evaluates the statement as written, with the compiled bodies.
    const { failed } = options.extended ? await link.relayExtended(prepared.sql, params, options.resultFormats) : await link.relay(prepared.sql);
    if (failed) throw new RelayedError();
  }

  async function materializeAndRun(own: boolean): Promise<void> {
    for (const [i, { call, version, session }] of models.entries()) {
      const fn = call.function;
      if (call.sameAs >= 0) {
        lookupNames.set(call.call, lookupNames.get(prepared.calls[call.sameAs].call)!);
        continue;
      }
      const table = `modelgres_predictions_${tag}_${i}`;
      const lookup = `modelgres_lookup_${tag}_${i}`;
      await link.query(`CREATE TEMP TABLE ${table} (k text PRIMARY KEY, p ${fn.returnType})`);
      const placeholders = fn.parameterTypes.map((_, j) => `$${j + 1}`).join(', ');
      await link.query(
        `CREATE FUNCTION pg_temp.${lookup}(${fn.parameterTypes.join(', ')}) RETURNS ${fn.returnType}
           LANGUAGE sql STABLE AS $$ SELECT p FROM pg_temp.${table} WHERE k = ROW(${placeholders})::text $$`,
      );
      const pending = new Set(prepared.calls.filter((c) => !lookupNames.has(c.call)).map((c) => c.call.location));
      const collection = renumberParameters(collectionQuery(call, lookupNames, pending), params);
      try {
        await link.query(`DECLARE ${CURSOR} NO SCROLL CURSOR FOR ${collection.sql}`, collection.params);
      } catch (error) {
        if (!isOuterReference(error)) throw error;
        if (!own) {
          await link.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
          await link.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
        }
        throw new OuterReference();
      }
      for (;;) {
        throwIfCanceled(context.signal);
        const batch = await link.query(`FETCH FORWARD ${BATCH_ROWS} FROM ${CURSOR}`);
        const n = batch.rows.length;
        if (n === 0) break;
        const args = fn.parameterTypes.map((_, j) => batch.rows.map((r) => r[1 + j]));
        const predictions = await measurePredictions(fn, version.version, n, () => predictBatch(session, fn, version.classes as ClassValue[] | null, args, n, version.ioPlan, context.signal));
        deps.capture?.record(fn, version.version, args, predictions);
        const lines = batch.rows.map((r, row) => `${copyText(r[0])}\t${copyText(predictions[row])}\n`);
        await link.copyIn(`COPY ${table} (k, p) FROM STDIN`, Buffer.from(lines.join(''), 'utf8'));
        if (n < BATCH_ROWS) break;
      }
      await link.query(`CLOSE ${CURSOR}`);
      lookupNames.set(call.call, lookup);
    }

    const statement = rewriteStatement(prepared, lookupNames);
    // PostgreSQL writes the rows in the formats the client's Bind asked for: the lookups return the models' types.
    const { failed } = options.extended ? await link.relayExtended(statement, params, options.resultFormats) : await link.relay(statement);
    // PostgreSQL's error reached the client; a transaction of our own is rolled back on the way out.
    if (failed) throw new RelayedError();
    for (const [i, { call }] of models.entries()) {
      if (call.sameAs >= 0) continue;
      const fn = call.function;
      await link.query(`DROP FUNCTION pg_temp.modelgres_lookup_${tag}_${i}(${fn.parameterTypes.join(', ')})`);
      await link.query(`DROP TABLE pg_temp.modelgres_predictions_${tag}_${i}`);
    }
  }
}

/**
 * SELECT DISTINCT ON (key) ROW(args)::text, inputs... FROM (SELECT args FROM <the call's FROM items>):
 * the tuples the statement can need, each once. JOIN conditions that themselves call models are
 * dropped (the pairs become a superset), and inner model calls read their lookup already made.
 */
function collectionQuery(
  call: PreparedMaterialized['calls'][number],
  lookups: Map<ScopedCall['call'], string>,
  pending: Set<number>,
): string {
  const fn = call.function;
  const args: Node[] = (call.call.args ?? []).map((arg, j) => ({
    ResTarget: {
      name: `a${j}`,
      val: { TypeCast: { arg: withLookups(structuredClone(arg), lookups), typeName: { names: [{ String: { sval: fn.parameterTypes[j] } }], typemod: -1 } } },
    } satisfies ResTarget,
  }));
  const from = structuredClone(call.scope.fromItems).map((item) => withoutModelJoinQuals(withLookups(item, lookups), pending));
  const inner = deparseSync({
    SelectStmt: {
      targetList: args,
      ...(from.length ? { fromClause: from } : {}),
      limitOption: 'LIMIT_OPTION_DEFAULT',
      op: 'SETOP_NONE',
    },
  });
  const names = fn.parameterTypes.map((_, j) => `a${j}`);
  const inputs = names.map((a, j) => featureSelectExpression(a, fn.parameterTypes[j])).join(', ');
  // Distinct by the key's text, not by equality: 0 and -0.000 are equal numerics with two keys.
  const key = `ROW(${names.join(', ')})::text`;
  return `SELECT DISTINCT ON (${key}) ${key}, ${inputs} FROM (${inner}) AS modelgres_arguments`;
}

/** Renames calls already materialized to their lookup functions (in a cloned tree). */
function withLookups<T>(node: T, lookups: Map<ScopedCall['call'], string>): T {
  const byLocation = new Map([...lookups].map(([call, name]) => [call.location, name]));
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (n === null || typeof n !== 'object') return;
    const fc = (n as { FuncCall?: FuncCall }).FuncCall;
    if (fc && fc.location !== undefined && byLocation.has(fc.location)) {
      fc.funcname = [{ String: { sval: 'pg_temp' } }, { String: { sval: byLocation.get(fc.location)! } }];
    }
    Object.values(n).forEach(walk);
  };
  walk(node);
  return node;
}

/** JOIN ... ON <a model call not yet available> becomes a plain cross of both sides. */
function withoutModelJoinQuals(node: Node, pending: Set<number>): Node {
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (n === null || typeof n !== 'object') return;
    const join = (n as { JoinExpr?: JoinExpr }).JoinExpr;
    if (join?.quals && hasPendingCall(join.quals, pending)) {
      join.quals = { A_Const: { boolval: { boolval: true } } };
      join.jointype = 'JOIN_INNER';
    }
    Object.values(n).forEach(walk);
  };
  walk(node);
  return node;
}

/** Whether a subtree holds a model call whose predictions are not ready yet. */
function hasPendingCall(node: unknown, pending: Set<number>): boolean {
  if (Array.isArray(node)) return node.some((n) => hasPendingCall(n, pending));
  if (node === null || typeof node !== 'object') return false;
  const fc = (node as { FuncCall?: FuncCall }).FuncCall;
  if (fc?.location !== undefined && pending.has(fc.location)) return true;
  return Object.values(node).some((v) => hasPendingCall(v, pending));
}

/** The statement with each call's name replaced by its lookup; bare select items keep the function's name. */
function rewriteStatement(prepared: PreparedMaterialized, lookups: Map<ScopedCall['call'], string>): string {
  const edits = prepared.calls
    .map((c) => ({ c, lookup: lookups.get(c.call)! }))
    .sort((a, b) => b.c.start - a.c.start);
  let text = prepared.sql;
  for (const { c, lookup } of edits) {
    const alias = c.bareTarget ? ` AS ${quoteIdent(c.function.name)}` : '';
    text = `${text.slice(0, c.start)}pg_temp.${lookup}${text.slice(c.nameEnd, c.end)}${alias}${text.slice(c.end)}`;
  }
  return text;
}

/**
 * An argument query uses only some of the statement's $n parameters: they are numbered anew,
 * as PostgreSQL wants exactly the parameters a statement refers to.
 */
function renumberParameters(sql: string, params: ReadonlyArray<string | null>): { sql: string; params: Array<string | null> } {
  const used: number[] = [];
  let out = '';
  let last = 0;
  for (const t of tokenize(sql)) {
    if (t.kind !== 'parameter') continue;
    const n = Number(t.value);
    let k = used.indexOf(n);
    if (k < 0) k = used.push(n) - 1;
    out += `${sql.slice(last, t.start)}$${k + 1}`;
    last = t.end;
  }
  return { sql: out + sql.slice(last), params: used.map((n) => params[n - 1] ?? null) };
}

/**
 * A call whose arguments name columns of an outer query level cannot have its tuples read from its
 * own level alone: PostgreSQL says the column is missing there.
 */
function isOuterReference(error: unknown): boolean {
  return error instanceof ClientError && (error.code === SqlState.undefinedColumn || error.code === SqlState.undefinedTable);
}

/** Thrown out of the materialization when a call turns out to be correlated. */
class OuterReference extends Error {}

const SAVEPOINT = 'modelgres_materialize';
