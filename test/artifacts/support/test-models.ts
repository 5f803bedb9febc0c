import { floats, modelBytes, node, sequenceOfMaps, tensor } from './onnx-files.ts';

/** y = x · [2, -1, 0.5] + 3, x: float32 [N, 3] -> y: float32 [N, 1]. */
export function regressor(): Uint8Array {
  return modelBytes({
    inputs: [tensor('x', 'float32', ['N', 3])],
    outputs: [tensor('y', 'float32', ['N', 1])],
    initializers: [floats('W', [2, -1, 0.5], [3, 1]), floats('B', [3], [1])],
    nodes: [node('MatMul', ['x', 'W'], ['xw']), node('Add', ['xw', 'B'], ['y'])],
  });
}

/**
 * Three classes from x: float32 [N, 2]: logits = x · W + B with W = [[1, 0, -1], [0, 1, 0]],
 * B = [0, 0.5, 0]; probabilities = Softmax(logits) [N, 3], label = ArgMax int64 [N].
 */
export function argmaxClassifier(): Uint8Array {
  return modelBytes({
    inputs: [tensor('x', 'float32', ['N', 2])],
    outputs: [tensor('label', 'int64', ['N']), tensor('probabilities', 'float32', ['N', 3])],
    initializers: [floats('W', [1, 0, -1, 0, 1, 0], [2, 3]), floats('B', [0, 0.5, 0], [3])],
    nodes: [
      node('MatMul', ['x', 'W'], ['xw']),
      node('Add', ['xw', 'B'], ['logits']),
      node('Softmax', ['logits'], ['probabilities'], { axis: 1 }),
      node('ArgMax', ['probabilities'], ['label'], { axis: 1, keepdims: 0 }),
    ],
  });
}

export const IRIS = ['setosa', 'versicolor', 'virginica'];

/**
 * The same classifier as skl2onnx writes a LogisticRegression with string classes:
 * ai.onnx.ml LinearClassifier (scores = x · coefficientsᵀ + intercepts, softmax) giving
 * output_label string [N] and output_probability float32 [N, 3] (zipmap: False), or, with
 * `zipmap`, output_probability as a ZipMap sequence of maps.
 */
export function stringClassifier(zipmap = false): Uint8Array {
  const classifier = node(
    'LinearClassifier',
    ['x'],
    ['output_label', zipmap ? 'scores' : 'output_probability'],
    { coefficients: { floats: [1, 0, 0, 1, -1, 0] }, intercepts: { floats: [0, 0.5, 0] }, classlabels_strings: IRIS, post_transform: 'SOFTMAX', multi_class: 0 },
    'ai.onnx.ml',
  );
  return modelBytes({
    inputs: [tensor('x', 'float32', [null, 2])],
    outputs: [tensor('output_label', 'string', [null]), zipmap ? sequenceOfMaps('output_probability', 'string') : tensor('output_probability', 'float32', [null, 3])],
    nodes: zipmap ? [classifier, node('ZipMap', ['scores'], ['output_probability'], { classlabels_strings: IRIS }, 'ai.onnx.ml')] : [classifier],
  });
}

/**
 * One [N, 1] input per parameter: a, b float32 and colour string, the colour encoded by
 * ai.onnx.ml LabelEncoder (red 10, green 20, anything else -1), then
 * y = a + 2 b + code(colour): float32 [N, 1].
 */
export function perParameterModel(): Uint8Array {
  return modelBytes({
    inputs: [tensor('a', 'float32', ['N', 1]), tensor('b', 'float32', ['N', 1]), tensor('colour', 'string', ['N', 1])],
    outputs: [tensor('y', 'float32', ['N', 1])],
    initializers: [floats('W', [1, 2, 1], [3, 1])],
    nodes: [
      node('LabelEncoder', ['colour'], ['code'], { keys_strings: ['red', 'green'], values_floats: { floats: [10, 20] }, default_float: { float: -1 } }, 'ai.onnx.ml'),
      node('Concat', ['a', 'b', 'code'], ['abc'], { axis: 1 }),
      node('MatMul', ['abc', 'W'], ['y']),
    ],
  });
}

/** n int64 [N, 1] and flag bool [N, 1] -> y = n * 2 + flag as int64 [N, 1], and yes = flag as bool [N, 1]. */
export function integerModel(): Uint8Array {
  return modelBytes({
    inputs: [tensor('n', 'int64', ['N', 1]), tensor('flag', 'bool', ['N', 1])],
    outputs: [tensor('y', 'int64', ['N', 1]), tensor('yes', 'bool', ['N', 1])],
    nodes: [
      node('Add', ['n', 'n'], ['twice']),
      node('Cast', ['flag'], ['flag_int'], { to: 7 }),
      node('Add', ['twice', 'flag_int'], ['y']),
      node('Identity', ['flag'], ['yes']),
    ],
  });
}

/** A graph onnxruntime refuses: a node of an operator nobody defines. */
export function unknownOperator(): Uint8Array {
  return modelBytes({
    inputs: [tensor('x', 'float32', ['N', 1])],
    outputs: [tensor('y', 'float32', ['N', 1])],
    nodes: [node('NoSuchOp', ['x'], ['y'])],
  });
}

/** x float32 [1, 3]: exported without a dynamic batch dimension. */
export function fixedBatch(): Uint8Array {
  return modelBytes({
    inputs: [tensor('x', 'float32', [1, 3])],
    outputs: [tensor('y', 'float32', [1, 3])],
    nodes: [node('Identity', ['x'], ['y'])],
  });
}
