import { Unsupported } from './compile-target.ts';
import { FLOAT32_LIMIT, float4Literal, float8Literal, roundToFloat32 } from './float32.ts';
import { type Expr, literal, sql } from './sql-expr.ts';

/** ONNX element types this compiler handles. */
export type Elem = 'float32' | 'float64' | 'int64' | 'int32' | 'bool' | 'string';

/**
 * One element of a row's tensor: a SQL expression of its value for the current row.
 *
 * float32 elements keep their value exact in float4 arithmetic. A model input fed from a float8
 * argument is the exception (`wide`): its Expr is the float8 itself, whose float32 rounding is the
 * value. Trees compare that float8 directly (float32.ts's bounds), so a tree model never casts;
 * anything else asks `value32`, which rounds it once.
 */
export interface Scalar {
  elem: Elem;
  expr: Expr;
  /** float32 only: expr is a float8 whose Math.fround is the value. */
  wide?: boolean;
  /** expr may be SQL NULL, standing for NaN (a float input's missing value). */
  nullable?: boolean;
  /** May be NaN (only float elements can). */
  nan?: boolean;
  /** A known value (a constant of the graph). */
  constant?: number | string | boolean;
  /** float32 only: the exact non-null float4 value when it is cheaper than rounding expr. */
  exact?: Expr;
  /**
   * Every finite value it takes is at most this in magnitude (unknown: undefined). Arithmetic
   * whose result provably stays below the float range is written as plain float4 arithmetic;
   * the rest goes through float8 and roundToFloat32, which cannot raise (bounds.ts).
   */
  bound?: number;
}

/**
 * A tensor of the graph: per row ([N] or [N, k]) a list of Scalars, one per column; or a constant
 * (an initializer or Constant node) with its dims and values in row-major order.
 */
export type Tensor =
  | { kind: 'rows'; rank: 1 | 2; cols: Scalar[] }
  | { kind: 'const'; elem: Elem; dims: number[]; values: Array<number | string | boolean> };

export function rows(cols: Scalar[], rank: 1 | 2 = 2): Tensor {
  return { kind: 'rows', rank, cols };
}

/** The SQL type a Scalar's non-null value has. */
export const SQL_TYPE: Record<Elem, string> = {
  float32: 'float4', float64: 'float8', int64: 'int8', int32: 'int4', bool: 'bool', string: 'text',
};

export function constScalar(elem: Elem, v: number | string | boolean): Scalar {
  let expr: Expr;
  if (elem === 'float32') expr = float4Literal(Number(v));
  else if (elem === 'float64') expr = float8Literal(Number(v));
  else if (elem === 'string') expr = literal('text', String(v));
  else if (elem === 'bool') expr = literal('bool', v ? 't' : 'f');
  else expr = literal(SQL_TYPE[elem], String(v));
  const n = Number(v);
  return { elem, expr, constant: v, nan: typeof v === 'number' && Number.isNaN(v), bound: Number.isFinite(n) ? Math.abs(n) : 0 };
}

/** The columns of a row tensor, or of a constant broadcast along a row of `width` columns. */
export function columnsOf(t: Tensor, width: number): Scalar[] {
  if (t.kind === 'rows') {
    if (t.cols.length === width) return t.cols;
    if (t.cols.length === 1) return Array.from({ length: width }, () => t.cols[0]);
    throw new Unsupported(`a [N, ${t.cols.length}] tensor does not broadcast to [N, ${width}]`);
  }
  const size = t.values.length;
  const inner = t.dims.length === 0 ? 1 : t.dims[t.dims.length - 1];
  if (size !== inner) throw new Unsupported(`a constant of shape [${t.dims.join(', ')}] in a row-wise operation`);
  if (size === width) return t.values.map((v) => constScalar(t.elem, v));
  if (size === 1) return Array.from({ length: width }, () => constScalar(t.elem, t.values[0]));
  throw new Unsupported(`a constant of shape [${t.dims.join(', ')}] does not broadcast to [N, ${width}]`);
}

/** Width and rank of an elementwise result over these operands. */
export function broadcastShape(ts: Tensor[]): { width: number; rank: 1 | 2 } {
  let width = 1;
  let rank: 1 | 2 = 1;
  let anyRows = false;
  for (const t of ts) {
    if (t.kind === 'rows') {
      anyRows = true;
      if (t.rank === 2) rank = 2;
      if (t.cols.length > 1) width = t.cols.length;
    } else {
      if (t.dims.length >= 1) rank = 2;
      if (t.values.length > 1) width = t.values.length;
    }
  }
  if (!anyRows) throw new Unsupported('an operation on constants only');
  return { width, rank };
}

/** Applies `f` column by column over broadcast operands. */
export function elementwise(ts: Tensor[], f: (xs: Scalar[]) => Scalar): Tensor {
  const { width, rank } = broadcastShape(ts);
  const columns = ts.map((t) => columnsOf(t, width));
  return rows(Array.from({ length: width }, (_, j) => f(columns.map((c) => c[j]))), rank);
}

const memo32 = new WeakMap<Scalar, Expr>();
const memo64 = new WeakMap<Scalar, Expr>();

/** A float element's float32 value as a non-null float4 Expr (NULL -> NaN), made once per Scalar. */
export function value32(s: Scalar): Expr {
  if (s.elem !== 'float32') throw new Error(`value32 of a ${s.elem}`);
  let e = memo32.get(s);
  if (e) return e;
  if (s.exact) e = s.exact;
  else {
    const x = s.nullable ? sql(s.wide ? 'float8' : 'float4')`coalesce(${s.expr}, 'NaN')` : s.expr;
    // A wide value known to be moderate (bounds.ts) casts without the tests.
    e = !s.wide ? x : s.bound !== undefined && s.bound < FLOAT32_LIMIT ? sql('float4')`${x}::float4` : roundToFloat32(x);
  }
  memo32.set(s, e);
  return e;
}

/** A float64 element's non-null float8 Expr (NULL -> NaN). */
export function value64(s: Scalar): Expr {
  if (s.elem !== 'float64') throw new Error(`value64 of a ${s.elem}`);
  let e = memo64.get(s);
  if (e) return e;
  e = s.nullable ? sql('float8')`coalesce(${s.expr}, 'NaN')` : s.expr;
  memo64.set(s, e);
  return e;
}

/** The non-null SQL value of any element. */
export function valueOf(s: Scalar): Expr {
  if (s.elem === 'float32') return value32(s);
  if (s.elem === 'float64') return value64(s);
  if (s.nullable) throw new Error('a nullable non-float element');
  return s.expr;
}

export function isFloat(elem: Elem): boolean {
  return elem === 'float32' || elem === 'float64';
}

export function maxBound(xs: Scalar[]): number | undefined {
  let b = 0;
  for (const x of xs) {
    if (x.bound === undefined) return undefined;
    b = Math.max(b, x.bound);
  }
  return b;
}
