import type { Preprocessing } from '../data/preprocessors.ts';
import { type GraphBuilder, int } from './graph-builder.ts';

/** A slot's tensor: a whole [N, 1] tensor, or column `col` of a wider block. */
interface Ref {
  name: string;
  col: number | null;
  width: number;
}

/**
 * PREPROCESSORS as ONNX nodes between the base matrix and the model, op for op as
 * applyPreprocessing() computes them (data/preprocessors.ts): Sub/Div (StandardScaler, MinMax),
 * Where(IsNaN) (Imputer), IsNaN + Cast (indicator), Equal + Cast (OneHotEncoder), and for the
 * Normalizer Cast to float64, Where(IsNaN, 0), Mul/Add in column order, Sqrt, Where(Equal 0, 1),
 * Div, Cast back to float32. Returns the model's input matrix.
 */
export function preprocessorGraph(g: GraphBuilder, pre: Preprocessing, base: string): string {
  const refs = new Map<number, Ref>();
  for (let c = 0; c < pre.baseWidth; c++) refs.set(c, { name: base, col: c, width: pre.baseWidth });
  const column = (id: number): string => {
    const ref = refs.get(id);
    if (ref === undefined) throw new Error(`preprocessor slot ${id} used before it is computed`);
    if (ref.col === null) return ref.name;
    const name = g.node('Gather', [ref.name, g.int64s('col', [ref.col])], { axis: int(1) });
    refs.set(id, { name, col: null, width: 1 });
    return name;
  };
  const set = (id: number, name: string) => refs.set(id, { name, col: null, width: 1 });
  const FLOAT = int(1);
  const DOUBLE = int(11);
  for (const op of pre.ops) {
    switch (op.op) {
      case 'affine': {
        const centred = g.node('Sub', [column(op.src), g.floats('sub', [op.sub], [])]);
        set(op.dst, g.node('Div', [centred, g.floats('div', [op.div], [])]));
        break;
      }
      case 'impute': {
        const x = column(op.src);
        set(op.dst, g.node('Where', [g.node('IsNaN', [x]), g.floats('fill', [op.fill], []), x]));
        break;
      }
      case 'isnan':
        set(op.dst, g.node('Cast', [g.node('IsNaN', [column(op.src)])], { to: FLOAT }));
        break;
      case 'onehot': {
        const hot = g.node('Equal', [column(op.src), g.floats('codes', op.codes)]);
        const block = g.node('Cast', [hot], { to: FLOAT });
        op.dsts.forEach((id, j) => refs.set(id, { name: block, col: j, width: op.dsts.length }));
        break;
      }
      case 'normalize': {
        const wide = op.srcs.map((id) => g.node('Cast', [column(id)], { to: DOUBLE }));
        const zero = g.doubles('zero', [0], []);
        let sum = '';
        wide.forEach((x, j) => {
          const z = g.node('Where', [g.node('IsNaN', [x]), zero, x]);
          const square = g.node('Mul', [z, z]);
          sum = j === 0 ? square : g.node('Add', [sum, square]);
        });
        const norm = g.node('Sqrt', [sum]);
        const divisor = g.node('Where', [g.node('Equal', [norm, zero]), g.doubles('one', [1], []), norm]);
        wide.forEach((x, j) => set(op.dsts[j], g.node('Cast', [g.node('Div', [x, divisor])], { to: FLOAT })));
        break;
      }
    }
  }
  // Concat the outputs, taking runs of consecutive columns of one block with a single Gather
  // (or the block itself when the run is all of it).
  const parts: string[] = [];
  const outs = pre.output.map((id) => {
    const ref = refs.get(id);
    if (ref === undefined) throw new Error(`preprocessor output slot ${id} was never computed`);
    return ref;
  });
  for (let i = 0; i < outs.length;) {
    const first = outs[i];
    if (first.col === null) {
      parts.push(first.name);
      i++;
      continue;
    }
    let j = i + 1;
    while (j < outs.length && outs[j].name === first.name && outs[j].col === first.col + (j - i)) j++;
    const cols = outs.slice(i, j).map((r) => r.col as number);
    parts.push(cols.length === first.width && cols[0] === 0
      ? first.name
      : g.node('Gather', [first.name, g.int64s('cols', cols)], { axis: int(1) }));
    i = j;
  }
  return parts.length === 1 ? parts[0] : g.node('Concat', parts, { axis: int(1) });
}
