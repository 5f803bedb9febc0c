/**
 * SQL expressions as a DAG. Each compiled ONNX value is an Expr; an Expr used by several others
 * is written once (emit-body.ts turns it into a PL/pgSQL variable) unless it is cheap enough to
 * repeat: a parameter, a literal, a cast of a parameter.
 */
export class Expr {
  constructor(
    /** The SQL type the text evaluates to (float4, float8, int8, bool, text, jsonb, ...). */
    readonly type: string,
    /** SQL text with the sub-expressions in between, written in place or as variables. */
    readonly parts: ReadonlyArray<string | Expr>,
    /** Cheap to evaluate more than once: never made a variable. */
    readonly cheap = false,
    /** Depends on a setting or the catalog, not on the arguments only (rules out IMMUTABLE). */
    readonly stable = false,
  ) {}
}

type Piece = Expr | string | number;

/**
 * sql('float4')`(${a} + ${b})`: an Expr of the given type. Strings and numbers are pasted as SQL
 * text (they must be SQL already); Exprs become sub-expressions.
 */
export function sql(type: string, opts: { cheap?: boolean; stable?: boolean } = {}) {
  return (strings: TemplateStringsArray, ...values: Piece[]): Expr => {
    const parts: Array<string | Expr> = [];
    strings.forEach((s, i) => {
      push(parts, s);
      if (i < values.length) {
        const v = values[i];
        if (v instanceof Expr) parts.push(v);
        else push(parts, String(v));
      }
    });
    return new Expr(type, parts, opts.cheap ?? false, opts.stable ?? false);
  };
}

function push(parts: Array<string | Expr>, s: string): void {
  if (s === '') return;
  const last = parts[parts.length - 1];
  if (typeof last === 'string') parts[parts.length - 1] = last + s;
  else parts.push(s);
}

/** Joins Exprs with a separator into one Expr of `type`. */
export function joinExprs(type: string, items: Expr[], separator: string, open = '(', close = ')'): Expr {
  const parts: Array<string | Expr> = [open];
  items.forEach((e, i) => {
    if (i > 0) parts.push(separator);
    parts.push(e);
  });
  parts.push(close);
  return new Expr(type, parts);
}

/** A SQL string literal ('it''s'); PostgreSQL's standard_conforming_strings makes backslashes plain. */
export function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A literal of a type, cheap to repeat: 'value'::type. */
export function literal(type: string, text: string): Expr {
  return new Expr(type, [`${quoteLiteral(text)}::${type}`], true);
}
