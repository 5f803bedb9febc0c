import type { OutputPlan } from '../artifacts/index.ts';
import { sqlTypeKind } from '../artifacts/sql-type-kind.ts';
import { Unsupported } from './compile-target.ts';
import { canonicalType } from './function-inputs.ts';
import { Expr, literal, quoteLiteral, sql } from './sql-expr.ts';
import { type Scalar, type Tensor, isFloat, valueOf } from './symbolic-tensor.ts';

type ClassValue = string | number | boolean;

/** The one value per row of an output tensor ([N] or [N, 1]). */
export function single(name: string, t: Tensor | undefined): Scalar {
  if (!t || t.kind !== 'rows' || t.cols.length !== 1) throw new Unsupported(`an output ${name} of one value per row`);
  return t.cols[0];
}

/** A float's value as float8 (a float32's exact value, as String() of it prints). */
function asFloat8(s: Scalar): Expr {
  const v = valueOf(s);
  return v.type === 'float8' ? v : sql('float8')`${v}::float8`;
}

/** The float8 as `returnType`, through its shortest text where a direct cast would differ (numeric). */
function float8As(v: Expr, returnType: string): Expr {
  const type = canonicalType(returnType);
  if (type === 'float8') return v;
  if (type === 'float4') return sql('float4')`${v}::float4`;
  return sql(returnType, { stable: true })`${v}::text::${returnType}`;
}

/** A trained regressor's 'variable': String(float32) read as the return type. */
export function regressionValue(variable: Scalar, returnType: string): Expr {
  return float8As(asFloat8(variable), returnType);
}

/** classes[label] as the return type; an index out of range is NULL, as predictBatch gives. */
export function classValue(label: Scalar, classes: ClassValue[], returnType: string): Expr {
  const bool = canonicalType(returnType) === 'bool';
  const parts: Array<string | Expr> = ['CASE ', valueOf(label)];
  classes.forEach((c, k) => {
    const text = bool ? (c === true || c === 't' || c === 'true' ? 't' : 'f') : String(c);
    parts.push(` WHEN ${k} THEN `, literal(returnType, text));
  });
  parts.push(' END');
  return new Expr(returnType, parts);
}

/**
 * {"labels": [...], "probabilities": [...]}, most likely first, ties in column order, as jsonb.
 * float32 probabilities are rounded to 7 significant digits (predictBatch: Number(p.toPrecision(7)));
 * trim_scale drops the zeros numeric rounding leaves, so 0.5 reads 0.5. Non-finite -> null.
 */
export function probabilitiesJson(probabilities: Scalar[], labels: ClassValue[]): Expr {
  const parts: Array<string | Expr> = [
    "(SELECT jsonb_build_object('labels', jsonb_agg(l ORDER BY p DESC, k), 'probabilities', jsonb_agg(CASE WHEN p = 0 THEN '0'::jsonb WHEN p IN ('NaN', 'Infinity', '-Infinity') THEN 'null'::jsonb ",
  ];
  const float32 = probabilities[0]?.elem === 'float32';
  parts.push(float32
    ? 'ELSE to_jsonb(trim_scale(round(p::float8::numeric, 6 - floor(log(abs(p::float8)))::int))) END'
    : 'ELSE to_jsonb(p) END'); // float8's text: extra_float_digits shapes it
  parts.push(' ORDER BY p DESC, k)) FROM (VALUES ');
  probabilities.forEach((p, k) => {
    if (k > 0) parts.push(', ');
    parts.push(`(${k}, ${quoteLiteral(JSON.stringify(labels[k]))}::jsonb, `, valueOf(p), ')');
  });
  parts.push(') AS v(k, l, p))');
  return new Expr('jsonb', parts, false, !float32);
}

/** An imported model's answer, as readOutputs/formatResult make its text. */
export function importedValue(s: Scalar, returnType: string): Expr {
  const kind = sqlTypeKind(returnType);
  const v = valueOf(s);
  switch (kind) {
    case 'float':
      if (s.elem === 'float32' || s.elem === 'float64') return float8As(asFloat8(s), returnType);
      if (s.elem === 'bool') return sql(returnType)`(CASE WHEN ${v} THEN 1 ELSE 0 END)::${returnType}`;
      if (s.elem === 'string') throw new Unsupported('a string output as a number');
      return sql(returnType)`${v}::${returnType}`;
    case 'integer':
      if (s.elem === 'int64' || s.elem === 'int32') return sql(returnType)`${v}::${returnType}`;
      if (s.elem === 'bool') return sql(returnType)`(CASE WHEN ${v} THEN 1 ELSE 0 END)::${returnType}`;
      throw new Unsupported(`a ${s.elem} output as an integer`);
    case 'bool':
      if (s.elem === 'bool') return v;
      if (s.elem === 'string') return sql('bool')`(${v} <> '')`;
      if (s.elem === 'float32' || s.elem === 'float64') return sql('bool')`CASE WHEN ${v} = 'NaN' THEN NULL ELSE ${v} <> 0 END`;
      return sql('bool')`(${v} <> 0)`;
    case 'text':
      if (s.elem === 'bool') return sql(returnType)`(CASE WHEN ${v} THEN 'true' ELSE 'false' END)::${returnType}`;
      // float4's text is its shortest round-trip digits, as float4Text gives (with the default
      // extra_float_digits: a setting, so not IMMUTABLE).
      return sql(returnType, { stable: isFloat(s.elem) })`${v}::text::${returnType}`;
    case 'json':
      // jsonValue(): numbers (non-finite -> null), bools and strings as JSON values.
      if (isFloat(s.elem)) {
        const f = asFloat8(s);
        return sql(returnType, { stable: true })`(CASE WHEN ${f} IN ('NaN', 'Infinity', '-Infinity') THEN 'null'::jsonb ELSE to_jsonb(${f}) END)::${returnType}`;
      }
      return sql(returnType)`to_jsonb(${v})::${returnType}`;
    default:
      throw new Unsupported(`an output as ${returnType}`);
  }
}

/** The label tensor's elements as the values probability columns name (classLabels or 0..C-1). */
export function importedProbabilities(plan: Extract<OutputPlan, { kind: 'label' }>, probabilities: Tensor | undefined): Expr {
  if (!probabilities || probabilities.kind !== 'rows') throw new Unsupported('probabilities of one row each');
  const labels = plan.classLabels ?? probabilities.cols.map((_, c) => c);
  return probabilitiesJson(probabilities.cols, labels);
}
