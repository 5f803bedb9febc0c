import { Unsupported } from './compile-target.ts';
import { exp32, float4Literal } from './float32.ts';
import { argExtreme, dot, float32Columns, softmax } from './matrix-ops.ts';
import { arithmetic, divide, unary } from './scalar-ops.ts';
import type { Node } from './onnx-reader.ts';
import { Expr, sql } from './sql-expr.ts';
import { type Scalar, type Tensor, constScalar, maxBound, rows, value32 } from './symbolic-tensor.ts';
import { treeScores } from './tree-ensemble.ts';

/**
 * The ai.onnx.ml models and transforms that scikit-learn exports most (skl2onnx): linear models,
 * multi-class tree ensembles, Normalizer and Scaler. Their post transforms are onnxruntime's
 * ml_common.h ones: Softmax divides by the sum (not by its reciprocal as the ONNX Softmax kernel
 * does), Logistic is 1 / (1 + exp(-|x|)) mirrored for negative x.
 */

export function linearRegressor(node: Node, input: Tensor): Tensor[] {
  const xs = float32Columns('LinearRegressor', input);
  const targets = node.int('targets', 1);
  const transform = node.string('post_transform', 'NONE');
  if (transform !== 'NONE') throw new Unsupported(`post_transform ${transform}`);
  const coefficients = node.floats('coefficients');
  const intercepts = node.floats('intercepts', []);
  if (coefficients.length !== targets * xs.length) throw new Unsupported(`${coefficients.length} coefficients for ${targets} targets of ${xs.length} features`);
  return [rows(Array.from({ length: targets }, (_, t) => scored(xs, coefficients.slice(t * xs.length, (t + 1) * xs.length), intercepts[t])))];
}

/** x · w + b: the dot product as MatMul computes it, then the intercept added in float32. */
function scored(xs: Scalar[], w: number[], b: number | undefined): Scalar {
  return dot(xs, w, b);
}

export function linearClassifier(node: Node, input: Tensor): Tensor[] {
  const xs = float32Columns('LinearClassifier', input);
  const labels = classLabels(node);
  const coefficients = node.floats('coefficients');
  const intercepts = node.floats('intercepts', []);
  const classes = coefficients.length / xs.length;
  if (classes !== labels.values.length || classes < 3) throw new Unsupported('fewer than three score columns');
  const scores = Array.from({ length: classes }, (_, c) => scored(xs, coefficients.slice(c * xs.length, (c + 1) * xs.length), intercepts[c]));
  return classifierOutputs(node, labels, scores);
}

export function treeEnsembleClassifier(node: Node, input: Tensor): Tensor[] {
  const labels = classLabels(node);
  const classes = labels.values.length;
  if (classes < 3) throw new Unsupported('fewer than three classes');
  const base = node.floats('base_values', []);
  const { sums } = treeScores(node, input, 'class', classes);
  const scores = sums.map((sum, c): Scalar => {
    let e = sum ?? float4Literal(0);
    if (base.length > 0) e = sql('float4')`(${e} + ${float4Literal(base[c])})`;
    return { elem: 'float32', expr: e, nan: false };
  });
  return classifierOutputs(node, labels, scores);
}

interface Labels {
  elem: 'string' | 'int64';
  values: ReadonlyArray<string | number>;
}

function classLabels(node: Node): Labels {
  if (node.has('classlabels_strings')) return { elem: 'string', values: node.strings('classlabels_strings') };
  // LinearClassifier names them classlabels_ints, TreeEnsembleClassifier classlabels_int64s.
  return { elem: 'int64', values: node.ints(node.has('classlabels_int64s') ? 'classlabels_int64s' : 'classlabels_ints') };
}

/** [label, scores]: the label of the first largest raw score, the scores post-transformed. */
function classifierOutputs(node: Node, labels: Labels, scores: Scalar[]): Tensor[] {
  const index = argExtreme('ArgMax', scores);
  const parts: Array<string | Expr> = ['CASE ', index.expr];
  labels.values.forEach((v, c) => parts.push(` WHEN ${c} THEN `, constScalar(labels.elem, v).expr));
  parts.push(' END');
  const label: Scalar = { elem: labels.elem, expr: new Expr(labels.elem === 'string' ? 'text' : 'int8', parts) };
  return [rows([label], 1), rows(postTransform(node.string('post_transform', 'NONE'), scores))];
}

function postTransform(transform: string, scores: Scalar[]): Scalar[] {
  switch (transform) {
    case 'NONE':
      return scores;
    case 'SOFTMAX':
      return softmax(scores, 'divide');
    case 'LOGISTIC':
      return scores.map((s) => {
        const x = value32(s);
        const v = sql('float4')`(1::float4 / (1::float4 + ${exp32(sql('float4')`(- abs(${x}))`)}))`;
        return { elem: 'float32', expr: sql('float4')`CASE WHEN ${x} < 0 THEN 1::float4 - ${v} ELSE ${v} END` };
      });
    default:
      throw new Unsupported(`post_transform ${transform}`);
  }
}

/**
 * Normalizer as onnxruntime's ml/normalizer.cc computes it in float32: MAX divides by the row's
 * largest value (NaN skipped), L1 by the sum of |x|, L2 gives sign(x) * sqrt(x² / Σx²); a row
 * whose norm is 0 is left as it is.
 */
export function normalizer(node: Node, input: Tensor): Tensor[] {
  const xs = float32Columns('Normalizer', input);
  const norm = node.string('norm', 'MAX');
  const sum = (terms: Scalar[]) => terms.reduce((acc, t) => arithmetic('+', acc, t));
  const unlessZero = (n: Scalar, f: (x: Scalar) => Scalar) => xs.map((x): Scalar => {
    const v = value32(f(x));
    return { elem: 'float32', expr: sql('float4')`CASE WHEN ${value32(n)} <> 0 THEN ${v} ELSE ${value32(x)} END`, bound: undefined };
  });
  switch (norm) {
    case 'MAX': {
      let max: Scalar = constScalar('float32', -3.4028234663852886e38);
      for (const x of xs) {
        const m = value32(max);
        const v = value32(x);
        max = { elem: 'float32', expr: sql('float4')`CASE WHEN ${m} < ${v} AND ${v} <> 'NaN'::float4 THEN ${v} ELSE ${m} END`, bound: maxBound([max, x]), nan: false };
      }
      return [rows(unlessZero(max, (x) => divide(x, max)))];
    }
    case 'L1': {
      const n = sum(xs.map((x) => unary('Abs', x)));
      return [rows(unlessZero(n, (x) => divide(x, n)))];
    }
    case 'L2': {
      const squares = xs.map((x) => arithmetic('*', x, x));
      const n = sum(squares);
      return [rows(unlessZero(n, (x) => {
        const j = xs.indexOf(x);
        const r = value32(unary('Sqrt', divide(squares[j], n)));
        return { elem: 'float32', expr: sql('float4')`CASE WHEN ${value32(x)} < 0 THEN - ${r} ELSE ${r} END` };
      }))];
    }
    default:
      throw new Unsupported(`norm ${norm}`);
  }
}

/** Scaler: (x - offset) * scale in float32. */
export function scaler(node: Node, input: Tensor): Tensor[] {
  const xs = float32Columns('Scaler', input);
  const offset = node.floats('offset', [0]);
  const scale = node.floats('scale', [1]);
  const at = (a: readonly number[], j: number) => (a.length === 1 ? a[0] : a[j]);
  return [rows(xs.map((x, j) => ({
    elem: 'float32',
    expr: sql('float4')`((${value32(x)} - ${float4Literal(at(offset, j))}) * ${float4Literal(at(scale, j))})`,
  })))];
}

