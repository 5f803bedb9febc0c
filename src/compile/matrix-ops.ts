import { Unsupported } from './compile-target.ts';
import { exp32, FLOAT32_LIMIT, float4Literal, float8Literal, roundToFloat32 } from './float32.ts';
import { arithmetic } from './scalar-ops.ts';
import { Expr, joinExprs, sql } from './sql-expr.ts';
import { type Scalar, type Tensor, constScalar, maxBound, rows, value32, valueOf } from './symbolic-tensor.ts';

/**
 * Row-wise matrix operations: products with constant weights, ArgMax/ArgMin, Softmax.
 *
 * onnxruntime's MatMul (MLAS SGEMM, one thread) computes each output as a chain of fused
 * multiply-adds in k order, acc = fma(x_k, w_k, acc) from 0, each rounded to float32 once. Here
 * each step is (x_k::float8 * w_k + acc)::float4: the product of two float32s is exact in
 * float8 and the sum rounds twice at worst, which almost never differs from one rounding, so
 * products agree bit for bit in practice (checked against onnxruntime in the tests). A chain
 * whose operands have no bound (bounds.ts) could overflow a float4 cast, which raises: it is
 * summed in float8 and rounded once by roundToFloat32 instead (within a few ulps).
 */
export function dot(xs: Scalar[], weights: number[], bias?: number): Scalar {
  const w = weights.map(Math.fround);
  const bound = maxBound(xs);
  const total = bound === undefined ? undefined : w.reduce((s, v) => s + Math.abs(v), 0) * bound + Math.abs(bias ?? 0);
  if (total !== undefined && total < FLOAT32_LIMIT) {
    let acc: Expr | null = null;
    xs.forEach((x, i) => {
      acc = acc === null
        ? sql('float4')`(${value32(x)} * ${float8Literal(w[i])})::float4`
        : sql('float4')`(${value32(x)} * ${float8Literal(w[i])} + ${acc})::float4`;
    });
    let e = acc ?? float4Literal(0);
    if (bias !== undefined) e = sql('float4')`(${e} + ${float4Literal(bias)})`;
    return { elem: 'float32', expr: e, bound: total };
  }
  const terms = xs.map((x, i) => sql('float8')`${value32(x)} * ${float8Literal(w[i])}`);
  if (bias !== undefined) terms.push(float8Literal(Math.fround(bias)));
  return { elem: 'float32', expr: roundToFloat32(joinExprs('float8', terms, ' + ')) };
}

/** A row tensor's float32 columns, or an error naming the operator. */
export function float32Columns(op: string, t: Tensor): Scalar[] {
  if (t.kind !== 'rows') throw new Unsupported(`${op} of a constant`);
  for (const c of t.cols) if (c.elem !== 'float32') throw new Unsupported(`${op} of ${c.elem} values`);
  return t.cols;
}

/** [N, k] × constant [k, m] (or its transpose) -> [N, m] float32. */
export function matMul(op: string, a: Tensor, b: Tensor, transposed = false): Tensor {
  const xs = float32Columns(op, a);
  if (b.kind !== 'const' || b.dims.length !== 2) throw new Unsupported(`${op} by anything but a constant matrix`);
  const [r, c] = b.dims;
  const [k, m] = transposed ? [c, r] : [r, c];
  if (k !== xs.length) throw new Unsupported(`${op} of [N, ${xs.length}] by [${b.dims.join(', ')}]`);
  const w = b.values as number[];
  return rows(Array.from({ length: m }, (_, j) => dot(xs, Array.from({ length: k }, (_, i) => (transposed ? w[j * k + i] : w[i * m + j])))));
}

/**
 * Index of the first largest (ArgMax) or smallest (ArgMin) column, as int64, as a C loop finds it:
 * a later column wins only when it compares greater (less), so NaN never wins and a NaN in the
 * first column stays. Without NaN possible, greatest()/least() and one CASE say the same faster.
 */
export function argExtreme(op: 'ArgMax' | 'ArgMin', cols: Scalar[]): Scalar {
  if (cols.length === 1) return constScalar('int64', 0);
  const values = cols.map(valueOf);
  if (cols.every((c) => c.nan === false)) {
    const extreme = joinExprs(values[0].type, values, ', ', op === 'ArgMax' ? 'greatest(' : 'least(', ')');
    const parts: Array<string | Expr> = ['(CASE'];
    values.slice(0, -1).forEach((v, i) => parts.push(' WHEN ', v, ' = ', extreme, ` THEN ${i}`));
    parts.push(` ELSE ${values.length - 1} END)::int8`);
    return { elem: 'int64', expr: new Expr('int8', parts) };
  }
  const type = values[0].type;
  let best = values[0];
  let index: Expr = sql('int8', { cheap: true })`0::int8`;
  values.slice(1).forEach((v, i) => {
    const wins = op === 'ArgMax'
      ? sql('bool')`(${v} > ${best} AND ${v} <> 'NaN'::${type})`
      : sql('bool')`(${v} < ${best} AND ${best} <> 'NaN'::${type})`;
    best = sql(type)`CASE WHEN ${wins} THEN ${v} ELSE ${best} END`;
    index = sql('int8')`CASE WHEN ${wins} THEN ${i + 1}::int8 ELSE ${index} END`;
  });
  return { elem: 'int64', expr: index };
}

/**
 * Softmax over a row as onnxruntime's MLAS computes it: the row's maximum subtracted, exp,
 * the float32 sum, then each exp multiplied by the sum's reciprocal (or divided by the sum, as
 * the ai.onnx.ml post transforms do).
 */
export function softmax(cols: Scalar[], normalise: 'reciprocal' | 'divide' = 'reciprocal'): Scalar[] {
  const xs = cols.map(value32);
  const max = joinExprs('float4', xs, ', ', 'greatest(', ')');
  const top: Scalar = { elem: 'float32', expr: max, bound: maxBound(cols) };
  const exps = cols.map((c) => exp32(value32(arithmetic('-', c, top))));
  const sum = joinExprs('float4', exps, ' + ');
  if (normalise === 'divide') return exps.map((e) => ({ elem: 'float32', expr: sql('float4')`(${e} / ${sum})`, bound: 1 }));
  const reciprocal = sql('float4')`(1::float4 / ${sum})`;
  return exps.map((e) => ({ elem: 'float32', expr: sql('float4')`(${e} * ${reciprocal})`, bound: 1 }));
}
