import type { FuncCall, Node, ParseResult } from '@pgsql/types';
import { notSupported } from '../errors/client-error.ts';
import { modelFunctionOf, type FunctionLookup } from './find-model-calls.ts';
import type { ModelFunction } from './model-function-registry.ts';

/** Any object of a parse tree, walked generically by its keys (libpg-query's JSON form). */
type TreeObject = Record<string, unknown>;

/** The query level a model call is evaluated in, and where its rows come from. */
export interface CallScope {
  /** The FROM items of that level: FROM of a SELECT, the table (and FROM) of UPDATE, (and USING) of DELETE. */
  fromItems: Node[];
}

export interface ScopedCall {
  function: ModelFunction;
  /** The FuncCall node's body ({ funcname, args, location }). */
  call: FuncCall & { location: number };
  scope: CallScope;
  /** The call is a whole select-list item without an alias: its column is named after the function. */
  bareTarget: boolean;
}

/**
 * Finds every model call of a statement with the query level it belongs to, walking the tree
 * with a stack of levels (SELECT, UPDATE, DELETE). A call in a FROM item itself (a model
 * function as a table) has no rows to be evaluated over, and is refused.
 */
export function findScopedCalls(tree: ParseResult, lookup: FunctionLookup): ScopedCall[] {
  const found: ScopedCall[] = [];
  const scopes: CallScope[] = [{ fromItems: [] }];

  const visit = (node: unknown, parentKey: string, parent: TreeObject | null): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item, parentKey, parent);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node as TreeObject)) visitEntry(key, value, node as TreeObject, parentKey, parent);
  };

  const visitEntry = (key: string, value: unknown, node: TreeObject, parentKey: string, parent: TreeObject | null): void => {
    // larg/rarg are the SELECTs of a UNION/INTERSECT/EXCEPT, written without their SelectStmt key.
    if (key === 'SelectStmt' || key === 'UpdateStmt' || key === 'DeleteStmt' || key === 'larg' || key === 'rarg') {
      const stmt = value as TreeObject;
      scopes.push({ fromItems: fromItemsOf(key === 'larg' || key === 'rarg' ? 'SelectStmt' : key, stmt) });
      visitLevel(stmt);
      scopes.pop();
      return;
    }
    if (key === 'FuncCall') {
      const call = value as ScopedCall['call'];
      const match = modelFunctionOf(call, lookup);
      if (match) {
        // node is { FuncCall }, held as `val` by a ResTarget when the call is a whole select-list item.
        const bareTarget = parentKey === 'val' && parent !== null && parent.val === node && !('name' in parent);
        found.push({ function: match, call, scope: scopes.at(-1)!, bareTarget });
      }
    }
    visit(value, key, node);
  };

  /** A level's FROM items are walked for calls in JOIN ... ON only. */
  const visitLevel = (stmt: TreeObject): void => {
    for (const [key, value] of Object.entries(stmt)) {
      if (key === 'fromClause' || key === 'usingClause' || key === 'relation') checkFromItems(value, lookup);
      visitEntry(key, value, stmt, '', null);
    }
  };

  visit(tree, '', null);
  return found;
}

function fromItemsOf(kind: string, stmt: TreeObject): Node[] {
  const list = (v: unknown) => (Array.isArray(v) ? (v as Node[]) : []);
  if (kind === 'SelectStmt') return list(stmt.fromClause);
  if (kind === 'UpdateStmt') return [{ RangeVar: stmt.relation } as Node, ...list(stmt.fromClause)];
  return [{ RangeVar: stmt.relation } as Node, ...list(stmt.usingClause)];
}

/** A model function used as a table (FROM f(...)) cannot be evaluated per row. */
function checkFromItems(items: unknown, lookup: FunctionLookup): void {
  const walk = (node: unknown, inQuals: boolean): void => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, inQuals));
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node as TreeObject)) {
      if (key === 'SelectStmt') continue; // a subquery in FROM is a level of its own
      if (key === 'RangeFunction' && !inQuals) {
        const text = JSON.stringify(value);
        for (const m of text.matchAll(/"sval":"([^"]+)"/g)) {
          if (lookup(m[1]).length > 0) throw notSupported('a model function used as a table in FROM is not supported', 'Call it in the select list or WHERE instead.');
        }
      }
      walk(value, inQuals || key === 'quals');
    }
  };
  walk(items, false);
}
