import { notSupported } from '../errors/client-error.ts';
import type { ModelFunction } from './model-function-registry.ts';

/** A parse-tree object (libpg-query's JSON form). */
export type Node = Record<string, unknown>;

/** The query level a model call is evaluated in, and where its rows come from. */
export interface CallScope {
  /** The FROM items of that level: FROM of a SELECT, the table (and FROM) of UPDATE, (and USING) of DELETE. */
  fromItems: Node[];
}

export interface ScopedCall {
  function: ModelFunction;
  /** The FuncCall node's body ({ funcname, args, location }). */
  call: { funcname: Node[]; args?: Node[]; location: number };
  scope: CallScope;
  /** The call is a whole select-list item without an alias: its column is named after the function. */
  bareTarget: boolean;
}

type Lookup = (name: string) => ModelFunction[];

/**
 * Finds every model call of a statement with the query level it belongs to, walking the tree
 * with a stack of levels (SELECT, UPDATE, DELETE). A call in a FROM item itself (a model
 * function as a table) has no rows to be evaluated over, and is refused.
 */
export function findScopedCalls(tree: unknown, lookup: Lookup): ScopedCall[] {
  const found: ScopedCall[] = [];
  const scopes: CallScope[] = [{ fromItems: [] }];

  const visit = (node: unknown, parentKey: string, parent: Node | null): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item, parentKey, parent);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node as Node)) visitEntry(key, value, node as Node, parentKey, parent);
  };

  const visitEntry = (key: string, value: unknown, node: Node, parentKey: string, parent: Node | null): void => {
    // larg/rarg are the SELECTs of a UNION/INTERSECT/EXCEPT, written without their SelectStmt key.
    if (key === 'SelectStmt' || key === 'UpdateStmt' || key === 'DeleteStmt' || key === 'larg' || key === 'rarg') {
      const stmt = value as Node;
      scopes.push({ fromItems: fromItemsOf(key === 'larg' || key === 'rarg' ? 'SelectStmt' : key, stmt) });
      visitLevel(stmt);
      scopes.pop();
      return;
    }
    if (key === 'FuncCall') {
      const call = value as ScopedCall['call'];
      const parts = call.funcname.map((p) => ((p as { String?: { sval: string } }).String?.sval ?? ''));
      const name = parts.at(-1) ?? '';
      const schema = parts.length > 1 ? parts.at(-2) : undefined;
      const match = lookup(name).find(
        (f) => (!schema || f.functionSchema === schema) && f.parameterTypes.length === (call.args?.length ?? 0),
      );
      if (match) {
        // node is { FuncCall }, held as `val` by a ResTarget when the call is a whole select-list item.
        const bareTarget = parentKey === 'val' && parent !== null && parent.val === node && !('name' in parent);
        found.push({ function: match, call, scope: scopes.at(-1)!, bareTarget });
      }
    }
    visit(value, key, node);
  };

  /** A level's FROM items are walked for calls in JOIN ... ON only. */
  const visitLevel = (stmt: Node): void => {
    for (const [key, value] of Object.entries(stmt)) {
      if (key === 'fromClause' || key === 'usingClause' || key === 'relation') checkFromItems(value, lookup);
      visitEntry(key, value, stmt, '', null);
    }
  };

  visit(tree, '', null);
  return found;
}

function fromItemsOf(kind: string, stmt: Node): Node[] {
  const list = (v: unknown) => (Array.isArray(v) ? (v as Node[]) : []);
  if (kind === 'SelectStmt') return list(stmt.fromClause);
  if (kind === 'UpdateStmt') return [{ RangeVar: stmt.relation } as Node, ...list(stmt.fromClause)];
  return [{ RangeVar: stmt.relation } as Node, ...list(stmt.usingClause)];
}

/** A model function used as a table (FROM f(...)) cannot be evaluated per row. */
function checkFromItems(items: unknown, lookup: Lookup): void {
  const walk = (node: unknown, inQuals: boolean): void => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, inQuals));
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node as Node)) {
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
