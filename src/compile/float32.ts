import { Expr, literal, sql } from './sql-expr.ts';

/**
 * float32 as PostgreSQL sees it. PostgreSQL's float4 arithmetic is C float arithmetic, so a
 * float32 step of onnxruntime is the same float4 step here, bit for bit. The differences are
 * in the edges: a finite result that overflows to infinity (or a product that underflows to 0)
 * raises an error instead, and a float8 -> float4 cast does the same; these helpers keep the
 * model's inputs from doing so.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 literal: JS's shortest text of the float32's exact value reads back as that float32. */
export function float4Literal(v: number): Expr {
  return literal('float4', floatText(Math.fround(v)));
}

export function float8Literal(v: number): Expr {
  return literal('float8', floatText(v));
}

export function floatText(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return Object.is(v, -0) ? '-0' : String(v);
}

function bitsOf(v: number): number {
  f32[0] = v;
  return u32[0];
}

function fromBits(bits: number): number {
  u32[0] = bits;
  return f32[0];
}

/** The next float32 above a finite float32 (or +Infinity above the largest). */
function nextUp(v: number): number {
  if (v === 0) return fromBits(1);
  const bits = bitsOf(v);
  return fromBits(v > 0 ? bits + 1 : bits - 1);
}

/**
 * `fround(x) < t`, for a float32 t, as a test of the float64 x itself: x < m or x <= m, where m is
 * the float64 midpoint of t and the float32 below it (exact: the mean of two float32s fits a
 * float64). A float64 exactly at m rounds to the one of the two with the even mantissa, so when t
 * is even m itself rounds up to t (not below it: strict), when t is odd m rounds down (below: <=).
 * Returns null when the test is false for every x (t = -Infinity or NaN), and 'always' when it
 * is true for every number (never: Infinity still needs x below the overflow point).
 */
export function belowBound(t: number): { op: '<' | '<='; m: number } | null {
  const th = Math.fround(t);
  if (Number.isNaN(th) || th === -Infinity) return null;
  if (th === Infinity) return { op: '<', m: 3.4028235677973366e38 }; // max float32 + half ulp: rounds to Infinity (even)
  const x = th === 0 ? 0 : th; // -0 tests as 0
  const below = -nextUp(-x);
  const even = (bitsOf(x) & 1) === 0;
  return { op: even ? '<' : '<=', m: (below + x) / 2 };
}

/** `fround(x) <= t` as a test of x: x < m or x <= m with m the midpoint of t and the float32 above. */
export function atMostBound(t: number): { op: '<' | '<='; m: number } | null {
  const th = Math.fround(t);
  if (Number.isNaN(th) || th === -Infinity) return th === -Infinity ? { op: '<=', m: -3.4028235677973366e38 } : null;
  if (th === Infinity) return { op: '<=', m: Infinity };
  const x = th === 0 ? 0 : th;
  const above = nextUp(x);
  if (above === Infinity) return { op: '<', m: 3.4028235677973366e38 };
  const even = (bitsOf(x) & 1) === 0;
  return { op: even ? '<=' : '<', m: (x + above) / 2 };
}

/**
 * The least float64 that rounds to float32 Infinity (the largest float32 plus half an ulp): a
 * result below it in magnitude never overflows a float4.
 */
export const FLOAT32_LIMIT = 3.4028235677973366e38;
export const FLOAT64_LIMIT = 1.7e308;

/**
 * A float8 as the float32 onnxruntime would make of it (Math.fround), without the errors a
 * float4 cast raises: |x| at or beyond the overflow point -> ±Infinity, |x| at most 2^-150 -> ±0
 * (x * 0 keeps the sign). NaN and the infinities cast as they are. `x` is used several times, so
 * it should be a variable or a parameter (emit-body.ts sees to it).
 */
export function roundToFloat32(x: Expr): Expr {
  return sql('float4')`CASE WHEN abs(${x}) <= 7.006492321624085e-46 THEN (${x} * 0)::float4 WHEN abs(${x}) < 3.4028235677973366e38 OR abs(${x}) >= 'Infinity'::float8 THEN ${x}::float4 WHEN ${x} > 0 THEN 'Infinity'::float4 ELSE '-Infinity'::float4 END`;
}

/**
 * exp of a float4 as a float4. PostgreSQL's exp() raises on overflow and on underflow, so the
 * extremes are answered first: above ln(float32 overflow point) -> Infinity, at or below
 * ln(2^-150) -> 0 (the float32 values there are at most one subnormal step from 0).
 */
export function exp32(x: Expr): Expr {
  return sql('float4')`CASE WHEN ${x} = 'NaN'::float4 THEN 'NaN'::float4 WHEN ${x} >= 88.7228391::float4 THEN 'Infinity'::float4 WHEN ${x} <= -103.972077::float4 THEN 0::float4 ELSE exp(${x}::float8)::float4 END`;
}

