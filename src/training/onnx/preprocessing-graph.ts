import type { ArithExpr } from '../data/arith-expr.ts';
import { datePartsOf } from '../data/date-parts.ts';
import type { EncodingPlan } from '../data/feature-encoding.ts';
import { inputKindOf } from '../data/input-values.ts';
import { type GraphBuilder, float, floats, int, strs } from './graph-builder.ts';

/**
 * Declares one graph input per feature and computes the base matrix [N, k] float32 from them,
 * column for column as encodeMatrix() does: numbers pass through, text goes through a
 * LabelEncoder to its category code (NaN when NULL/empty or unseen), date/time inputs through
 * their part expressions in float64, then Cast to float32. Returns the matrix's tensor name.
 */
export function preprocessingGraph(g: GraphBuilder, plan: EncodingPlan): string {
  const columns: string[] = [];
  for (const f of plan.features) {
    const kind = inputKindOf(f.type);
    const input = g.input(f.input, kind, 1);
    if (f.kind === 'number') {
      columns.push(input);
    } else if (f.kind === 'category') {
      // LabelEncoder needs at least one key; '' is never a category (it means missing), so a
      // feature that was always NULL in training maps everything to NaN this way.
      const keys = f.categories.length > 0 ? f.categories : [''];
      const values = f.categories.length > 0 ? f.categories.map((_, i) => i) : [NaN];
      columns.push(
        g.node('LabelEncoder', [input], { keys_strings: strs(keys), values_floats: floats(values), default_float: float(NaN) }, { domain: 'ai.onnx.ml' }),
      );
    } else {
      const memo = new Map<ArithExpr, string>();
      for (const part of datePartsOf(f.type)) {
        const value = emitArith(g, part.expr, input, memo);
        columns.push(g.node('Cast', [value], { to: int(1 /* FLOAT */) }));
      }
    }
  }
  return columns.length === 1 ? g.node('Identity', columns) : g.node('Concat', columns, { axis: int(1) });
}

function emitArith(g: GraphBuilder, e: ArithExpr, input: string, memo: Map<ArithExpr, string>): string {
  const hit = memo.get(e);
  if (hit !== undefined) return hit;
  let out: string;
  switch (e.op) {
    case 'input':
      out = input;
      break;
    case 'const':
      out = g.doubles('k', [e.value], []);
      break;
    case 'floor':
      out = g.node('Floor', [emitArith(g, e.a, input, memo)]);
      break;
    default: {
      const op = { add: 'Add', sub: 'Sub', mul: 'Mul', div: 'Div' }[e.op];
      out = g.node(op, [emitArith(g, e.a, input, memo), emitArith(g, e.b, input, memo)]);
    }
  }
  memo.set(e, out);
  return out;
}
