/**
 * A tiny float64 expression language for the date/time parts. The same expression is evaluated
 * here in JavaScript (training, predict) and emitted as ONNX Div/Floor/Mul/Sub/Add nodes on
 * float64 tensors, so both compute the very same IEEE operations in the same order and agree
 * bit for bit before the final cast to float32.
 */
export type ArithExpr =
  | { readonly op: 'input' }
  | { readonly op: 'const'; readonly value: number }
  | { readonly op: 'add' | 'sub' | 'mul' | 'div'; readonly a: ArithExpr; readonly b: ArithExpr }
  | { readonly op: 'floor'; readonly a: ArithExpr };

export const input: ArithExpr = { op: 'input' };
export const k = (value: number): ArithExpr => ({ op: 'const', value });
export const add = (a: ArithExpr, b: ArithExpr): ArithExpr => ({ op: 'add', a, b });
export const sub = (a: ArithExpr, b: ArithExpr): ArithExpr => ({ op: 'sub', a, b });
export const mul = (a: ArithExpr, b: ArithExpr): ArithExpr => ({ op: 'mul', a, b });
export const div = (a: ArithExpr, b: ArithExpr): ArithExpr => ({ op: 'div', a, b });
export const floor = (a: ArithExpr): ArithExpr => ({ op: 'floor', a });
/** Floor division, as Python's //: ONNX has no integer division on doubles. */
export const floorDiv = (a: ArithExpr, b: number): ArithExpr => floor(div(a, k(b)));
/** Floor modulo (result has the divisor's sign), built from floorDiv so negatives work. */
export const floorMod = (a: ArithExpr, b: number): ArithExpr => sub(a, mul(floorDiv(a, b), k(b)));

/** Evaluates whole columns at once; shared subexpressions are computed once. */
export function evaluate(expr: ArithExpr, x: Float64Array, memo = new Map<ArithExpr, Float64Array>()): Float64Array {
  const hit = memo.get(expr);
  if (hit !== undefined) return hit;
  const n = x.length;
  let out: Float64Array;
  switch (expr.op) {
    case 'input':
      out = x;
      break;
    case 'const':
      out = new Float64Array(n).fill(expr.value);
      break;
    case 'floor': {
      const a = evaluate(expr.a, x, memo);
      out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = Math.floor(a[i]);
      break;
    }
    default: {
      const a = evaluate(expr.a, x, memo);
      const b = evaluate(expr.b, x, memo);
      out = new Float64Array(n);
      if (expr.op === 'add') for (let i = 0; i < n; i++) out[i] = a[i] + b[i];
      else if (expr.op === 'sub') for (let i = 0; i < n; i++) out[i] = a[i] - b[i];
      else if (expr.op === 'mul') for (let i = 0; i < n; i++) out[i] = a[i] * b[i];
      else for (let i = 0; i < n; i++) out[i] = a[i] / b[i];
    }
  }
  memo.set(expr, out);
  return out;
}
