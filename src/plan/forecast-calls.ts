import { loadModule, parseSync } from 'libpg-query';
import type { Node, ResTarget, SelectStmt } from '@pgsql/types';
import { utf16Offsets } from '../inference/call-span.ts';
import { tokenize } from '../sql/lexer.ts';
import { quoteIdent } from '../sql/identifiers.ts';

/** The FORECAST models the proxy knows, by name and by schema.name (folded). */
export interface ForecastModelNames {
  isForecastModel(name: { schema?: string; name: string }): boolean;
}

await loadModule();

const MENTION = /forecast\s*\(/i;

/**
 * Redshift's SELECT FORECAST(m) — alone, or as the query of CREATE TABLE ... AS or INSERT INTO
 * ... SELECT — becomes SELECT * FROM m(): the forecast model's function (named after the model,
 * sql/100-forecast-api.sql) returns id, time and the percentile columns as real columns. A name
 * that is no FORECAST model the proxy knows becomes a call that says why (42704, 42809, or 55000
 * for one created in this still-open transaction). null: nothing to rewrite.
 */
export function rewriteForecastCalls(sql: string, known: ForecastModelNames): string | null {
  if (!MENTION.test(sql)) return null;
  let tree;
  try {
    tree = parseSync(sql);
  } catch {
    return null; // PostgreSQL reports the syntax error its own way
  }
  const toUtf16 = utf16Offsets(sql);
  const edits: Array<{ start: number; end: number; text: string }> = [];
  for (const { stmt } of tree.stmts ?? []) {
    const select = selectOf(stmt as Node | undefined);
    const call = select ? forecastCall(select) : null;
    if (!call) continue;
    const start = toUtf16(call.location);
    const end = closingParen(sql, start);
    if (end === null) continue;
    const name = call.schema === undefined ? { name: call.name } : { schema: call.schema, name: call.name };
    const qualified = (call.schema === undefined ? '' : `${quoteIdent(call.schema)}.`) + quoteIdent(call.name);
    edits.push({
      start,
      end,
      text: known.isForecastModel(name)
        ? `* FROM ${qualified}()`
        : `* FROM modelgres.forecast_not_found(current_user, ${call.schema === undefined ? 'NULL' : literal(call.schema)}, ${literal(call.name)}, current_schemas(false))`,
    });
  }
  if (edits.length === 0) return null;
  let out = sql;
  for (const e of edits.reverse()) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/** The SELECT of a statement: itself, CREATE TABLE ... AS's query, or INSERT ... SELECT's. */
function selectOf(stmt: Node | undefined): SelectStmt | undefined {
  if (!stmt) return undefined;
  if ('SelectStmt' in stmt) return stmt.SelectStmt;
  if ('CreateTableAsStmt' in stmt) {
    const query = stmt.CreateTableAsStmt.query as Node | undefined;
    return query && 'SelectStmt' in query ? query.SelectStmt : undefined;
  }
  if ('InsertStmt' in stmt) {
    const query = stmt.InsertStmt.selectStmt as Node | undefined;
    return query && 'SelectStmt' in query ? query.SelectStmt : undefined;
  }
  return undefined;
}

/** SELECT FORECAST(name) with nothing else but ORDER BY / LIMIT: its call's place and the name. */
function forecastCall(s: SelectStmt): { location: number; schema?: string; name: string } | null {
  if (s.fromClause || s.whereClause || s.groupClause || s.havingClause || s.distinctClause || s.windowClause || s.valuesLists) return null;
  if (s.op && s.op !== 'SETOP_NONE') return null;
  const targets = s.targetList ?? [];
  if (targets.length !== 1) return null;
  const target = (targets[0] as { ResTarget?: ResTarget }).ResTarget;
  const value = target?.val as Node | undefined;
  if (!target || target.name || !value || !('FuncCall' in value)) return null;
  const f = value.FuncCall;
  const fname = (f.funcname ?? []).map((n) => ('String' in (n as Node) ? (n as { String: { sval?: string } }).String.sval : undefined));
  if (fname.length !== 1 || fname[0] !== 'forecast' || (f.args ?? []).length !== 1 || f.agg_star || f.over) return null;
  const arg = f.args![0] as Node;
  if (!('ColumnRef' in arg)) return null;
  const parts = (arg.ColumnRef.fields ?? []).map((n) => ('String' in (n as Node) ? (n as { String: { sval?: string } }).String.sval : undefined));
  if (parts.length < 1 || parts.length > 2 || parts.some((p) => p === undefined)) return null;
  return parts.length === 1 ? { location: f.location ?? 0, name: parts[0]! } : { location: f.location ?? 0, schema: parts[0]!, name: parts[1]! };
}

/** The index just after the ")" closing the call whose name starts at `start`. */
function closingParen(sql: string, start: number): number | null {
  let depth = 0;
  for (const t of tokenize(sql)) {
    if (t.start < start || t.kind !== 'punctuation') continue;
    if (t.text === '(') depth++;
    else if (t.text === ')' && --depth === 0) return t.end;
  }
  return null;
}

/** An escape string constant: the same text whatever standard_conforming_strings says. */
function literal(text: string): string {
  return `E'${text.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}
