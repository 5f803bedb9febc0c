import type { ColumnRef, FuncCall, Node, ParseResult } from '@pgsql/types';
import { deparseSync } from 'pgsql-deparser';
import type { ScopedCall } from './model-call-scopes.ts';

/** Why PostgreSQL evaluates a statement's model calls itself, with the functions' compiled bodies. */
export type InDatabaseReason = 'stored' | 'correlated';

/** Statements whose model calls the proxy evaluates in batches; any other kind keeps its calls for later. */
const EVALUATED_BY_PROXY = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'CopyStmt', 'MergeStmt']);

type TreeObject = Record<string, unknown>;

/**
 * Whether PostgreSQL should evaluate the calls of a statement with the compiled bodies rather than
 * the proxy with onnxruntime:
 * - 'stored': the statement stores the calls instead of running them (CREATE VIEW, CREATE
 *   MATERIALIZED VIEW, CREATE FUNCTION, triggers, indexes, generated columns, DO, EXPLAIN...);
 * - 'correlated': a call's arguments name a column of an outer query level, so its argument
 *   tuples cannot be read from its own level.
 * null: the proxy evaluates them in batches, the fast path. So does a call over no rows
 * (SELECT f(1, 2)): PostgreSQL parses and plans the inlined body for every statement (4.6 ms for
 * a 100-tree model on PostgreSQL 18, 69 ms on 15), more than the proxy's round trip.
 */
export function inDatabaseReason(tree: ParseResult, calls: readonly ScopedCall[]): InDatabaseReason | null {
  const stmts = tree.stmts ?? [];
  if (stmts.some((s) => !evaluatedByProxy(s.stmt))) return 'stored';
  if (calls.some(isCorrelated)) return 'correlated';
  return null;
}

function evaluatedByProxy(stmt: Node | undefined): boolean {
  if (!stmt) return true;
  const [kind, body] = Object.entries(stmt)[0] ?? [];
  // CREATE TABLE ... AS runs its query once; CREATE MATERIALIZED VIEW keeps it for REFRESH.
  if (kind === 'CreateTableAsStmt') return (body as { objtype?: string }).objtype !== 'OBJECT_MATVIEW';
  return kind !== undefined && EVALUATED_BY_PROXY.has(kind);
}

/**
 * A call refers to an outer level when one of its argument columns is qualified by a name that
 * none of its own level's FROM items carries, or when its level has no FROM at all. (An unqualified
 * column of an outer level is found when PostgreSQL reads the arguments; see materialized-inference.)
 */
function isCorrelated(call: ScopedCall): boolean {
  const refs = columnRefs(call.call.args ?? []);
  if (refs.length === 0) return false;
  if (call.scope.fromItems.length === 0) return true;
  const names = new Set(call.scope.fromItems.flatMap(fromItemNames));
  return refs.some((ref) => {
    const fields = (ref.fields ?? []).map((f) => ('String' in f ? f.String.sval ?? '' : '*'));
    if (fields.length < 2) return false;
    return !names.has(fields[fields.length - 2]);
  });
}

/** The ColumnRefs of the argument expressions, not those of subqueries (levels of their own). */
function columnRefs(args: readonly Node[]): ColumnRef[] {
  const found: ColumnRef[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node as TreeObject)) {
      if (key === 'SubLink' || key === 'SelectStmt') continue;
      if (key === 'ColumnRef') found.push(value as ColumnRef);
      else walk(value);
    }
  };
  walk(args);
  return found;
}

/** The names a FROM item lets a column be qualified with: its alias, else its table's name. */
function fromItemNames(item: Node): string[] {
  if ('RangeVar' in item) return [item.RangeVar.alias?.aliasname ?? item.RangeVar.relname ?? ''];
  if ('RangeSubselect' in item) return [item.RangeSubselect.alias?.aliasname ?? ''];
  if ('RangeFunction' in item) {
    const alias = item.RangeFunction.alias?.aliasname;
    return alias ? [alias] : JSON.stringify(item.RangeFunction.functions ?? []).match(/"sval":"([^"]+)"/g)?.map((m) => m.slice(8, -1)) ?? [];
  }
  if ('JoinExpr' in item) {
    const join = item.JoinExpr;
    const inner = [join.larg, join.rarg].flatMap((n) => (n ? fromItemNames(n) : []));
    return join.alias?.aliasname ? [join.alias.aliasname, ...inner] : inner;
  }
  if ('RangeTableSample' in item && item.RangeTableSample.relation) return fromItemNames(item.RangeTableSample.relation);
  return [];
}

/**
 * The statement for PostgreSQL to run with the compiled bodies, calling each model function as the
 * proxy would: by its schema-qualified name (the proxy finds it whatever the search_path) with each
 * argument cast to its parameter's type (as the proxy reads arguments). Null when the statement
 * cannot be printed back; then it runs as the client wrote it.
 */
export function withCallsAsTheProxyMeansThem(tree: ParseResult, calls: readonly ScopedCall[]): string | null {
  const byLocation = new Map(calls.map((c) => [c.call.location, c.function]));
  const copy = structuredClone(tree);
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    const call = (node as { FuncCall?: FuncCall }).FuncCall;
    const fn = call?.location === undefined ? undefined : byLocation.get(call.location);
    if (call && fn) {
      call.funcname = [{ String: { sval: fn.functionSchema } }, { String: { sval: fn.name } }];
      call.args = (call.args ?? []).map((arg, j) => ({
        TypeCast: { arg, typeName: { names: [{ String: { sval: fn.parameterTypes[j] } }], typemod: -1 } },
      }));
    }
    Object.values(node).forEach(walk);
  };
  walk(copy);
  try {
    return deparseSync(copy);
  } catch {
    return null;
  }
}
