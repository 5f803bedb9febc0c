import { Unsupported } from './compile-target.ts';
import { exp32, FLOAT32_LIMIT, FLOAT64_LIMIT, float4Literal, roundToFloat32 } from './float32.ts';
import { type Expr, sql } from './sql-expr.ts';
import { type Elem, isFloat, maxBound, type Scalar, SQL_TYPE, value32, value64, valueOf } from './symbolic-tensor.ts';

/**
 * ONNX's elementwise operators on one element, in PostgreSQL. Floats differ from IEEE in three
 * ways that matter here: NaN = NaN is true and NaN sorts above every number (so comparisons are
 * guarded), division by zero raises (so a divisor that may be 0 is tested first), and a finite
 * result beyond float range raises instead of becoming ±Infinity (left as is: the graphs
 * modelgres writes keep their intermediate values small, and inputs beyond float32 range become
 * ±Infinity before any arithmetic; see symbolic-tensor.ts).
 */

function float(elem: Elem, e: Expr, opts: { nan?: boolean } = {}): Scalar {
  return { elem, expr: e, nan: opts.nan ?? true };
}

function sameFloat(op: string, a: Scalar, b: Scalar): 'float32' | 'float64' {
  if (a.elem !== b.elem) throw new Unsupported(`${op} of ${a.elem} and ${b.elem}`);
  if (a.elem === 'float32' || a.elem === 'float64') return a.elem;
  throw new Unsupported(`${op} of ${a.elem} tensors`);
}

const floatValue = (s: Scalar): Expr => (s.elem === 'float32' ? value32(s) : value64(s));

/**
 * +, -, *. Where the operands' bounds show the result cannot overflow, plain float4 (float8)
 * arithmetic: IEEE's own step. Otherwise the exact float8 result (a sum or product of two
 * float32s is exact in float64, or rounds once harmlessly) is rounded by roundToFloat32, which
 * answers ±Infinity as onnxruntime does instead of raising.
 */
export function arithmetic(op: '+' | '-' | '*', a: Scalar, b: Scalar): Scalar {
  if ((a.elem === 'int64' || a.elem === 'int32') && a.elem === b.elem) {
    return { elem: a.elem, expr: sql(SQL_TYPE[a.elem])`(${valueOf(a)} ${op} ${valueOf(b)})` };
  }
  const elem = sameFloat(op, a, b);
  const bound = a.bound === undefined || b.bound === undefined ? undefined : op === '*' ? a.bound * b.bound : a.bound + b.bound;
  const x = floatValue(a);
  const y = floatValue(b);
  if (bound !== undefined && bound < (elem === 'float32' ? FLOAT32_LIMIT : FLOAT64_LIMIT)) {
    return { ...float(elem, sql(SQL_TYPE[elem])`(${x} ${op} ${y})`), bound };
  }
  // float64 beyond 1.7e308 is left to raise: only date arithmetic and normalisers work in float64.
  if (elem === 'float64') return float(elem, sql('float8')`(${x} ${op} ${y})`);
  return float(elem, roundToFloat32(sql('float8')`(${x}::float8 ${op} ${y}::float8)`));
}

export function divide(a: Scalar, b: Scalar): Scalar {
  if ((a.elem === 'int64' || a.elem === 'int32') && a.elem === b.elem) {
    return { elem: a.elem, expr: sql(SQL_TYPE[a.elem])`(${valueOf(a)} / ${valueOf(b)})` };
  }
  const elem = sameFloat('Div', a, b);
  const type = SQL_TYPE[elem];
  const x = floatValue(a);
  const y = floatValue(b);
  if (typeof b.constant === 'number' && b.constant !== 0) {
    const bound = a.bound === undefined ? undefined : a.bound / Math.abs(b.constant);
    if (bound !== undefined && bound < (elem === 'float32' ? FLOAT32_LIMIT : FLOAT64_LIMIT)) return { ...float(elem, sql(type)`(${x} / ${y})`), bound };
    if (elem === 'float32') return float(elem, roundToFloat32(sql('float8')`(${x}::float8 / ${y}::float8)`));
    return float(elem, sql(type)`(${x} / ${y})`);
  }
  // IEEE x / 0: NaN for 0 or NaN, else an infinity (the sign of a zero divisor is not kept).
  return float(elem, sql(type)`CASE WHEN ${y} <> 0 THEN ${x} / ${y} WHEN ${x} = 0 OR ${x} = 'NaN' THEN 'NaN'::${type} WHEN ${x} > 0 THEN 'Infinity'::${type} ELSE '-Infinity'::${type} END`);
}

export function isNaN(a: Scalar): Scalar {
  if (!isFloat(a.elem)) return { elem: 'bool', expr: sql('bool', { cheap: true })`false`, constant: false };
  if (a.constant !== undefined) return bool(Number.isNaN(a.constant));
  // Rounding to float32 makes no NaN, so a wide input is tested as it is.
  const type = a.wide ? 'float8' : SQL_TYPE[a.elem];
  if (a.nullable) return { elem: 'bool', expr: sql('bool')`coalesce(${a.expr} = 'NaN'::${type}, true)` };
  return { elem: 'bool', expr: sql('bool')`(${a.expr} = 'NaN'::${type})` };
}

function bool(v: boolean): Scalar {
  return { elem: 'bool', expr: sql('bool', { cheap: true })`${v ? 'true' : 'false'}`, constant: v };
}

export function where(c: Scalar, x: Scalar, y: Scalar): Scalar {
  if (x.elem !== y.elem) throw new Unsupported(`Where of ${x.elem} and ${y.elem}`);
  if (c.constant !== undefined) return c.constant ? x : y;
  const type = SQL_TYPE[x.elem];
  return { elem: x.elem, expr: sql(type)`CASE WHEN ${valueOf(c)} THEN ${valueOf(x)} ELSE ${valueOf(y)} END`, nan: x.nan || y.nan, bound: maxBound([x, y]) };
}

/** Equal, Greater, Less with IEEE answers: NaN equals nothing and compares false. */
export function compare(op: '=' | '>' | '<', a: Scalar, b: Scalar): Scalar {
  if (a.elem !== b.elem) throw new Unsupported(`a comparison of ${a.elem} and ${b.elem}`);
  const x = valueOf(a);
  const y = valueOf(b);
  if (!isFloat(a.elem)) return { elem: 'bool', expr: sql('bool')`(${x} ${op} ${y})` };
  if (Number.isNaN(a.constant) || Number.isNaN(b.constant)) return bool(false);
  const type = SQL_TYPE[a.elem];
  const known = (s: Scalar) => typeof s.constant === 'number';
  // PostgreSQL: NaN = NaN and NaN > everything. A known (non-NaN) operand settles '='; '>' needs
  // its left side not NaN, '<' its right side.
  if (op === '=' && (known(a) || known(b))) return { elem: 'bool', expr: sql('bool')`(${x} = ${y})` };
  const guarded = op === '<' ? b : a;
  if (known(guarded) || guarded.nan === false) return { elem: 'bool', expr: sql('bool')`(${x} ${op} ${y})` };
  return { elem: 'bool', expr: sql('bool')`(${x} ${op} ${y} AND ${op === '<' ? y : x} <> 'NaN'::${type})` };
}

export function not(a: Scalar): Scalar {
  return { elem: 'bool', expr: sql('bool')`(NOT ${valueOf(a)})` };
}

export function logical(op: 'AND' | 'OR', a: Scalar, b: Scalar): Scalar {
  return { elem: 'bool', expr: sql('bool')`(${valueOf(a)} ${op} ${valueOf(b)})` };
}

/** Cast, as onnxruntime casts (C conversions: float -> int truncates, NaN/!= 0 -> true). */
export function cast(a: Scalar, to: Elem): Scalar {
  if (a.elem === to) return a;
  const x = valueOf(a);
  switch (to) {
    case 'float32':
      if (a.elem === 'bool') return { elem: to, expr: sql('float4')`(CASE WHEN ${x} THEN 1 ELSE 0 END)::float4`, nan: false, bound: 1 };
      if (a.elem === 'float64') {
        // A moderate float64 (a date part) casts as it is: nothing to overflow or underflow.
        if (a.bound !== undefined && a.bound < 1e30) return { elem: to, expr: sql('float4')`${x}::float4`, nan: a.nan, bound: a.bound };
        return { elem: to, expr: roundToFloat32(x), nan: a.nan };
      }
      // int -> float: once rounded, as C does (int8 -> float8 -> float4 could round twice).
      return { elem: to, expr: sql('float4')`${x}::float4`, nan: false, bound: a.bound };
    case 'float64':
      if (a.elem === 'bool') return { elem: to, expr: sql('float8')`(CASE WHEN ${x} THEN 1 ELSE 0 END)::float8`, nan: false, bound: 1 };
      return { elem: to, expr: sql('float8')`${x}::float8`, nan: a.nan, bound: a.bound };
    case 'int64':
    case 'int32':
      if (a.elem === 'bool') return { elem: to, expr: sql(SQL_TYPE[to])`(CASE WHEN ${x} THEN 1 ELSE 0 END)::${SQL_TYPE[to]}` };
      if (isFloat(a.elem)) return { elem: to, expr: sql(SQL_TYPE[to])`trunc(${x})::${SQL_TYPE[to]}` };
      return { elem: to, expr: sql(SQL_TYPE[to])`${x}::${SQL_TYPE[to]}` };
    case 'bool':
      return { elem: to, expr: sql('bool')`(${x} <> 0)` };
    case 'string':
      throw new Unsupported('a Cast to string');
  }
}

/** Unary float functions: Floor, Ceil, Sqrt, Exp, Neg, Abs, Relu, Sigmoid. */
export function unary(op: string, a: Scalar): Scalar {
  if (!isFloat(a.elem)) {
    if (op === 'Neg' || op === 'Abs') return { elem: a.elem, expr: op === 'Neg' ? sql(SQL_TYPE[a.elem])`(- ${valueOf(a)})` : sql(SQL_TYPE[a.elem])`abs(${valueOf(a)})` };
    throw new Unsupported(`${op} of ${a.elem}`);
  }
  const single = a.elem === 'float32';
  const type = SQL_TYPE[a.elem];
  const x = floatValue(a);
  const of = (e: Expr, nan = a.nan, bound = a.bound): Scalar => ({ elem: a.elem, expr: e, nan, bound });
  switch (op) {
    case 'Floor':
    case 'Ceil':
      // floor() of a float4 is computed in float8; the result is a float32 again, exactly.
      return of(sql(type)`${op.toLowerCase()}(${x})::${type}`, a.nan, a.bound === undefined ? undefined : a.bound + 1);
    case 'Sqrt':
      // float64's sqrt rounded to float32 is float32's sqrt (double rounding is harmless for sqrt).
      return of(sql(type)`CASE WHEN ${x} < 0 THEN 'NaN'::${type} ELSE sqrt(${x})::${type} END`, true, a.bound === undefined ? undefined : Math.sqrt(a.bound) + 1);
    case 'Exp':
      if (single) return of(exp32(x), a.nan, 3.4028234663852886e38);
      return of(sql(type)`CASE WHEN ${x} = 'NaN'::float8 THEN ${x} WHEN ${x} > 709.78 THEN 'Infinity'::float8 WHEN ${x} < -745.13 THEN 0::float8 ELSE exp(${x}) END`, a.nan, undefined);
    case 'Neg':
      return of(sql(type)`(- ${x})`);
    case 'Abs':
      return of(sql(type)`abs(${x})`);
    case 'Relu':
      return of(sql(type)`greatest(${x}, 0::${type})`);
    case 'Sigmoid': {
      // onnxruntime's float32 Sigmoid is an approximation good to about 1e-7 absolute: computed
      // exactly in float64 here. Below -103.9 the float32 answer is 0 or one subnormal step.
      const cast = single ? '::float4' : '';
      return of(sql(type)`CASE WHEN ${x} >= 0 THEN (1 / (1 + exp(- ${x}::float8)))${cast} WHEN ${x} < ${single ? -103.9 : -745} THEN 0::${type} ELSE (exp(${x}::float8) / (1 + exp(${x}::float8)))${cast} END`, a.nan, 1);
    }
    case 'Reciprocal':
      return divide({ elem: a.elem, expr: single ? float4Literal(1) : sql('float8', { cheap: true })`1::float8`, constant: 1 }, a);
    default:
      throw new Unsupported(`the ONNX operator ${op}`);
  }
}
