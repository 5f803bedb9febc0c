import { parseSync } from 'libpg-query';
import { deparseSync } from 'pgsql-deparser';
import { ClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import { commandComplete } from '../protocol/backend-messages.ts';
import { tokenize } from '../sql/lexer.ts';

/** A PREPARE whose statement calls a model: kept by the proxy, since PostgreSQL cannot run it. */
export interface SqlPrepared {
  types: string[];
  query: string;
}

/**
 * SQL-level PREPARE / EXECUTE / DEALLOCATE of statements that call models. PREPARE keeps the
 * statement in the session; EXECUTE puts its arguments, cast to the declared types, in place of
 * $n and runs the result as any statement calling models. Returns the statement to run, or null
 * when the statement was answered here.
 */
export function sqlPreparedStatement(text: string, store: Map<string, SqlPrepared>, send: (message: Buffer) => void): string | null {
  const stmt = parseSync(text).stmts?.[0]?.stmt;
  if (stmt && 'PrepareStmt' in stmt) {
    const name = stmt.PrepareStmt.name ?? '';
    if (store.has(name)) {
      throw new ClientError(SqlState.duplicatePreparedStatement, `prepared statement "${name}" already exists`);
    }
    const types = (stmt.PrepareStmt.argtypes ?? []).map((t) => deparseSync(t));
    store.set(name, { types, query: text.slice(bodyStart(text)) });
    send(commandComplete('PREPARE'));
    return null;
  }
  if (stmt && 'DeallocateStmt' in stmt) {
    const { name, isall } = stmt.DeallocateStmt;
    if (isall) {
      store.clear();
      return text; // PostgreSQL forgets its own as well
    }
    store.delete(name ?? '');
    send(commandComplete('DEALLOCATE'));
    return null;
  }
  if (!stmt || !('ExecuteStmt' in stmt)) throw new ClientError(SqlState.internalError, 'modelgres expected PREPARE, EXECUTE or DEALLOCATE');
  const name = stmt.ExecuteStmt.name ?? '';
  const prepared = store.get(name)!;
  const args = (stmt.ExecuteStmt.params ?? []).map((p) => deparseSync(p));
  if (args.length !== prepared.types.length) {
    throw new ClientError(SqlState.syntaxError, `wrong number of parameters for prepared statement "${name}"`, {
      detail: `Expected ${prepared.types.length} parameters but got ${args.length}.`,
    });
  }
  return substituteParameters(prepared.query, args.map((a, i) => `(${a})::${prepared.types[i]}`));
}

/** Statements of this kind name a prepared statement the proxy may hold. */
export function namesSqlPrepared(text: string, store: Map<string, SqlPrepared>): boolean {
  const tokens = tokenize(text);
  const [first, second, third] = tokens.map((t) => t.value);
  if (first === 'execute') return store.has(second);
  if (first === 'deallocate') return store.size > 0 && (store.has(second === 'prepare' ? third : second) || second === 'all');
  return false;
}

/** Where the statement after PREPARE name [(types)] AS begins. */
function bodyStart(text: string): number {
  let depth = 0;
  for (const t of tokenize(text)) {
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    else if (depth === 0 && t.kind === 'identifier' && t.value === 'as') return t.end;
  }
  throw new ClientError(SqlState.syntaxError, 'syntax error in PREPARE: AS expected');
}

function substituteParameters(query: string, args: string[]): string {
  let out = '';
  let last = 0;
  for (const t of tokenize(query)) {
    if (t.kind !== 'parameter') continue;
    const n = Number(t.value);
    if (n < 1 || n > args.length) throw new ClientError(SqlState.undefinedParameter, `there is no parameter $${n}`);
    out += query.slice(last, t.start) + args[n - 1];
    last = t.end;
  }
  return out + query.slice(last);
}
