import { Unsupported } from './compile-target.ts';
import type { Node } from './onnx-reader.ts';
import { Expr, literal, quoteLiteral, sql } from './sql-expr.ts';
import { type Elem, type Scalar, type Tensor, constScalar, rows, SQL_TYPE, valueOf } from './symbolic-tensor.ts';

/** Up to this many keys a CASE is cheaper than a jsonb lookup (a linear scan against a binary search). */
const CASE_LIMIT = 8;

/**
 * ai.onnx.ml LabelEncoder: a map from keys to values with a default. Many string keys (a trained
 * model's categories, up to 1000) are looked up in a jsonb object, `'{...}'::jsonb -> key`: a
 * constant the planner parses once, searched by binary search; a few are a CASE.
 */
export function labelEncoder(node: Node, input: Tensor): Tensor {
  if (input.kind !== 'rows') throw new Unsupported('LabelEncoder of a constant');
  const keyElem: Elem = node.has('keys_strings') ? 'string' : node.has('keys_int64s') ? 'int64' : 'float32';
  const keys: ReadonlyArray<string | number> = keyElem === 'string' ? node.strings('keys_strings') : keyElem === 'int64' ? node.ints('keys_int64s') : node.floats('keys_floats');
  const valueElem: Elem = node.has('values_strings') ? 'string' : node.has('values_int64s') ? 'int64' : 'float32';
  const values: ReadonlyArray<string | number> = valueElem === 'string' ? node.strings('values_strings') : valueElem === 'int64' ? node.ints('values_int64s') : node.floats('values_floats');
  if (keys.length !== values.length) throw new Unsupported('a LabelEncoder with as many keys as values');
  if (keyElem === 'float32') throw new Unsupported('the ONNX operator LabelEncoder (ai.onnx.ml) with float keys');
  const fallback: string | number = valueElem === 'string' ? node.string('default_string', '_Unused') : valueElem === 'int64' ? node.int('default_int64', -1) : node.float('default_float', -0);
  return rows(input.cols.map((c) => {
    if (c.elem !== keyElem && !(keyElem === 'int64' && c.elem === 'int32')) throw new Unsupported(`a LabelEncoder with ${keyElem} keys given ${c.elem} values`);
    return encode(valueOf(c), keys, values, valueElem, fallback);
  }), input.rank);
}

function encode(key: Expr, keys: ReadonlyArray<string | number>, values: ReadonlyArray<string | number>, elem: Elem, fallback: string | number): Scalar {
  const type = SQL_TYPE[elem];
  const lit = (v: string | number): Expr => constScalar(elem, v).expr;
  const nan = elem === 'float32' && (values.some((v) => Number.isNaN(v)) || Number.isNaN(fallback));
  // onnxruntime keeps the first of duplicate keys; so do the CASE and the object built below.
  const seen = new Map<string, string | number>();
  keys.forEach((k, i) => {
    if (!seen.has(String(k))) seen.set(String(k), values[i]);
  });
  const finite = [...seen.values()].every((v) => typeof v === 'string' || Number.isFinite(v));
  const bound = elem === 'string' ? undefined : Math.max(...[...seen.values(), fallback].map((v) => (Number.isFinite(Number(v)) ? Math.abs(Number(v)) : 0)));
  if (seen.size <= CASE_LIMIT || !finite) {
    const parts: Array<string | Expr> = ['CASE ', key];
    for (const [k, v] of seen) parts.push(` WHEN ${keyLiteral(k, keys)} THEN `, lit(v));
    parts.push(' ELSE ', lit(fallback), ' END');
    return { elem, expr: new Expr(type, parts), nan, bound };
  }
  const object = JSON.stringify(Object.fromEntries(seen));
  const lookup = literal('jsonb', object);
  const found = elem === 'string' ? sql('text')`(${lookup} ->> ${keyText(key, keys)})` : sql(type)`(${lookup} -> ${keyText(key, keys)})::${type}`;
  return { elem, expr: sql(type)`coalesce(${found}, ${lit(fallback)})`, nan, bound };
}

function keyLiteral(k: string, keys: ReadonlyArray<string | number>): string {
  return typeof keys[0] === 'string' ? quoteLiteral(k) : `${k}::int8`;
}

function keyText(key: Expr, keys: ReadonlyArray<string | number>): Expr {
  return typeof keys[0] === 'string' ? key : sql('text')`${key}::text`;
}

