import { Unsupported } from './compile-target.ts';
import { argExtreme, matMul, softmax } from './matrix-ops.ts';
import { labelEncoder } from './label-encoder.ts';
import { linearClassifier, linearRegressor, normalizer, scaler, treeEnsembleClassifier } from './ml-ops.ts';
import type { Node } from './onnx-reader.ts';
import { arithmetic, cast, compare, divide, isNaN, logical, not, unary, where } from './scalar-ops.ts';
import { concat, gather, rank, reshape } from './shape-ops.ts';
import { type Elem, type Tensor, elementwise, rows } from './symbolic-tensor.ts';
import { treeEnsembleRegressor } from './tree-ensemble.ts';

/** One operator: its node and evaluated inputs (undefined for an omitted optional input) -> outputs. */
type Handler = (node: Node, inputs: Array<Tensor | undefined>) => Tensor[];

const ONNX_ELEMS: Record<number, Elem> = { 1: 'float32', 11: 'float64', 7: 'int64', 6: 'int32', 9: 'bool', 8: 'string' };

const one = (f: (node: Node, inputs: Tensor[]) => Tensor): Handler => (node, inputs) => [f(node, inputs.map((t, i) => required(node, t, i)))];

function required(node: Node, t: Tensor | undefined, i: number): Tensor {
  if (t === undefined) throw new Unsupported(`${node.opType} without its input ${i}`);
  return t;
}

const unaryOp = (name: string): Handler => one((_, [x]) => elementwise([x], ([a]) => unary(name, a)));

/** Row-wise operators over a whole row ([N, k] -> one result per row, or k results). */
function rowwise(node: Node, x: Tensor, defaultAxis: number): Extract<Tensor, { kind: 'rows' }> {
  const axis = node.int('axis', defaultAxis);
  if (x.kind !== 'rows' || !(axis === 1 || (axis === -1 && x.rank === 2))) throw new Unsupported(`${node.opType} along axis ${axis}`);
  return x;
}

/**
 * Every operator that compiles, by `domain.opType` ('' domain: the bare name). An operator not
 * here has no SQL form, and the compilation says so naming it.
 */
export const OPERATORS: Record<string, Handler> = {
  Identity: one((_, [x]) => x),
  Add: one((_, [a, b]) => elementwise([a, b], ([x, y]) => arithmetic('+', x, y))),
  Sub: one((_, [a, b]) => elementwise([a, b], ([x, y]) => arithmetic('-', x, y))),
  Mul: one((_, [a, b]) => elementwise([a, b], ([x, y]) => arithmetic('*', x, y))),
  Div: one((_, [a, b]) => elementwise([a, b], ([x, y]) => divide(x, y))),
  Where: one((_, [c, a, b]) => elementwise([c, a, b], ([p, x, y]) => where(p, x, y))),
  IsNaN: one((_, [x]) => elementwise([x], ([a]) => isNaN(a))),
  Equal: one((_, [a, b]) => elementwise([a, b], ([x, y]) => compare('=', x, y))),
  Greater: one((_, [a, b]) => elementwise([a, b], ([x, y]) => compare('>', x, y))),
  Less: one((_, [a, b]) => elementwise([a, b], ([x, y]) => compare('<', x, y))),
  Not: one((_, [x]) => elementwise([x], ([a]) => not(a))),
  And: one((_, [a, b]) => elementwise([a, b], ([x, y]) => logical('AND', x, y))),
  Or: one((_, [a, b]) => elementwise([a, b], ([x, y]) => logical('OR', x, y))),
  Cast: one((node, [x]) => {
    const to = ONNX_ELEMS[node.int('to')];
    if (to === undefined) throw new Unsupported(`a Cast to ONNX data type ${node.int('to')}`);
    return elementwise([x], ([a]) => cast(a, to));
  }),
  Floor: unaryOp('Floor'),
  Ceil: unaryOp('Ceil'),
  Sqrt: unaryOp('Sqrt'),
  Exp: unaryOp('Exp'),
  Neg: unaryOp('Neg'),
  Abs: unaryOp('Abs'),
  Relu: unaryOp('Relu'),
  Sigmoid: unaryOp('Sigmoid'),
  Reciprocal: unaryOp('Reciprocal'),
  Concat: one((node, xs) => concat('Concat', xs, node.int('axis'))),
  Gather: one((node, [x, i]) => gather(x, i, node.int('axis', 0))),
  Reshape: one((_, [x, shape]) => reshape(x, shape)),
  Flatten: one((node, [x]) => {
    if (node.int('axis', 1) !== 1) throw new Unsupported(`Flatten at axis ${node.int('axis', 1)}`);
    return rank(x, 2, 'Flatten');
  }),
  Squeeze: (node, [x, axes]) => {
    const a = axes?.kind === 'const' ? axes.values.map(Number) : node.ints('axes', [1]);
    if (a.length !== 1 || (a[0] !== 1 && a[0] !== -1)) throw new Unsupported(`Squeeze of axes [${a.join(', ')}]`);
    return [rank(required(node, x, 0), 1, 'Squeeze')];
  },
  Unsqueeze: (node, [x, axes]) => {
    const a = axes?.kind === 'const' ? axes.values.map(Number) : node.ints('axes', [1]);
    if (a.length !== 1 || (a[0] !== 1 && a[0] !== -1)) throw new Unsupported(`Unsqueeze of axes [${a.join(', ')}]`);
    return [rank(required(node, x, 0), 2, 'Unsqueeze')];
  },
  Constant: (node) => {
    const t = node.tensor('value');
    if (!t) throw new Unsupported('a Constant without a tensor value');
    return [t];
  },
  MatMul: one((_, [a, b]) => matMul('MatMul', a, b)),
  Gemm: one((node, [a, b, c]) => {
    if (node.int('transA', 0) !== 0 || node.float('alpha', 1) !== 1 || node.float('beta', 1) !== 1) throw new Unsupported('Gemm with transA, alpha or beta');
    const product = matMul('Gemm', a, b, node.int('transB', 0) === 1);
    return c === undefined ? product : elementwise([product, c], ([x, y]) => arithmetic('+', x, y));
  }),
  ArgMax: one((node, [x]) => {
    const r = rowwise(node, x, 0);
    return rows([argExtreme('ArgMax', r.cols)], node.int('keepdims', 1) === 1 ? 2 : 1);
  }),
  ArgMin: one((node, [x]) => {
    const r = rowwise(node, x, 0);
    return rows([argExtreme('ArgMin', r.cols)], node.int('keepdims', 1) === 1 ? 2 : 1);
  }),
  Softmax: one((node, [x]) => rows(softmax(rowwise(node, x, -1).cols))),
  'ai.onnx.ml.LabelEncoder': one((node, [x]) => labelEncoder(node, x)),
  'ai.onnx.ml.TreeEnsembleRegressor': one((node, [x]) => treeEnsembleRegressor(node, x)),
  'ai.onnx.ml.TreeEnsembleClassifier': (node, [x]) => treeEnsembleClassifier(node, required(node, x, 0)),
  'ai.onnx.ml.LinearRegressor': (node, [x]) => linearRegressor(node, required(node, x, 0)),
  'ai.onnx.ml.LinearClassifier': (node, [x]) => linearClassifier(node, required(node, x, 0)),
  'ai.onnx.ml.Normalizer': (node, [x]) => normalizer(node, required(node, x, 0)),
  'ai.onnx.ml.Scaler': (node, [x]) => scaler(node, required(node, x, 0)),
};
