import type { CompiledBody } from './compile-target.ts';
import { Expr, sql } from './sql-expr.ts';

/**
 * The function body for a result Expr.
 *
 * An Expr that more than one other uses, and is not cheap, is computed once: it becomes a
 * PL/pgSQL variable, declared in dependency order, and the body is
 * `DECLARE t1 float4 := ...; ... BEGIN RETURN ...; END`. Each declaration is a simple expression
 * PL/pgSQL evaluates without the executor, so an MLP layer or a preprocessor read by many nodes
 * costs one evaluation, not one per reader.
 *
 * When nothing needs a variable the body is `SELECT <expr>`, LANGUAGE sql: one expression with
 * no FROM, which the planner inlines into the calling query (inline_function), so a tree model
 * runs as a plain CASE expression with no function call per row. Parameters may appear many
 * times there: the planner inlines as long as the arguments it substitutes are cheap (columns,
 * constants), and falls back to an ordinary call otherwise, with the same result.
 */
export function emitBody(result: Expr, returnType: string, fast?: { when: Expr; result: Expr }): CompiledBody {
  const stable = { seen: false };
  const main = statements(result, returnType, stable, 't');
  if (!fast) {
    if (main.declarations.length === 0) return { language: 'sql', body: `SELECT ${main.value}`, immutable: !stable.seen };
    return {
      language: 'plpgsql',
      body: `DECLARE\n${main.declarations.map((d) => `  ${d.name} ${d.type};`).join('\n')}\nBEGIN\n${assignments(main, '  ')}  RETURN ${main.value};\nEND`,
      immutable: !stable.seen,
    };
  }
  // Two paths: the fast one when the arguments pass `when` (function-inputs.ts: FastPath), the
  // guarded one otherwise; still one inlinable expression when neither needs a variable.
  const quick = statements(fast.result, returnType, stable, 'q');
  const when = statements(fast.when, 'bool', stable, 'w');
  if (main.declarations.length === 0 && quick.declarations.length === 0 && when.declarations.length === 0) {
    return { language: 'sql', body: `SELECT CASE WHEN ${when.value} THEN ${quick.value} ELSE ${main.value} END`, immutable: !stable.seen };
  }
  const declared = [...when.declarations, ...quick.declarations, ...main.declarations];
  const declare = declared.length === 0 ? '' : `DECLARE\n${declared.map((d) => `  ${d.name} ${d.type};`).join('\n')}\n`;
  return {
    language: 'plpgsql',
    body: `${declare}BEGIN\n${assignments(when, '  ')}  IF ${when.value} THEN\n${assignments(quick, '    ')}    RETURN ${quick.value};\n  END IF;\n${assignments(main, '  ')}  RETURN ${main.value};\nEND`,
    immutable: !stable.seen,
  };
}

interface Statements {
  declarations: Array<{ name: string; type: string; value: string }>;
  value: string;
}

function assignments(s: Statements, indent: string): string {
  return s.declarations.map((d) => `${indent}${d.name} := ${d.value};\n`).join('');
}

/** Variables (name prefix `prefix`) for the shared sub-expressions of `result`, and its text. */
function statements(result: Expr, returnType: string, stable: { seen: boolean }, prefix: string): Statements {
  const uses = new Map<Expr, number>();
  countUses(result, uses, stable);
  const variables = new Map<Expr, string>();
  const declarations: Statements['declarations'] = [];
  const render = (e: Expr, top: boolean): string => {
    const name = variables.get(e);
    if (name !== undefined && !top) return name;
    return e.parts.map((p) => (typeof p === 'string' ? p : render(p, false))).join('');
  };
  // Post-order, so a variable's own sub-expressions are assigned before it.
  const visited = new Set<Expr>();
  const declare = (e: Expr): void => {
    if (visited.has(e)) return;
    visited.add(e);
    for (const p of e.parts) if (typeof p !== 'string') declare(p);
    if (e !== result && !e.cheap && (uses.get(e) ?? 0) > 1) {
      const name = `${prefix}${variables.size + 1}`;
      declarations.push({ name, type: e.type, value: render(e, true) });
      variables.set(e, name);
    }
  };
  declare(result);
  const typed = result.type === returnType ? result : sql(returnType)`(${result})::${returnType}`;
  return { declarations, value: render(typed, true) };
}

function countUses(e: Expr, uses: Map<Expr, number>, stable: { seen: boolean }): void {
  const n = (uses.get(e) ?? 0) + 1;
  uses.set(e, n);
  if (n > 1) return; // its parts are counted once, by its first use
  if (e.stable) stable.seen = true;
  for (const p of e.parts) if (typeof p !== 'string') countUses(p, uses, stable);
}
