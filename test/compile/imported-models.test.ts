import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { planImportedModel } from '../../src/artifacts/index.ts';
import { type CompileTarget, compileModelFunction } from '../../src/compile/index.ts';
import { floats, modelBytes, node, tensor } from '../artifacts/support/onnx-files.ts';
import { argmaxClassifier, integerModel, perParameterModel, regressor, stringClassifier } from '../artifacts/support/test-models.ts';
import { expectNumbersClose, expectProbabilitiesClose, expectSame, runBoth, Scratch } from './support/compiled-function.ts';

/**
 * Imported (hand-made) ONNX models compiled, against onnxruntime fed and read as the proxy does
 * (buildFeeds/readOutputs through predictBatch with the model's IoPlan): the artifact tests'
 * models, and models of the ai.onnx.ml operators skl2onnx writes (tree ensembles with every
 * branch mode and missing-value direction, linear models, Scaler, Normalizer).
 */

/** x float32 [N, 3] -> TreeEnsembleRegressor: every branch mode, missing both ways, base value. */
function treeRegressor(aggregate: 'SUM' | 'AVERAGE'): Uint8Array {
  // tree 0: n0 x0 < 0.1 (missing true) ? n1 : n2;  n1: x1 <= 2 ? leaf 3 (1.5) : leaf 4 (-2)
  //         n2: x2 > -1 (missing false) ? leaf 5 (0.25) : leaf 6 (4)
  // tree 1: n0 x1 >= 0.3 (missing true) ? leaf 1 (10) : leaf 2 (-10)
  return modelBytes({
    inputs: [tensor('x', 'float32', ['N', 3])],
    outputs: [tensor('y', 'float32', ['N', 1])],
    nodes: [node('TreeEnsembleRegressor', ['x'], ['y'], {
      n_targets: 1, aggregate_function: aggregate, post_transform: 'NONE', base_values: { floats: [0.5] },
      nodes_treeids: [0, 0, 0, 0, 0, 0, 0, 1, 1, 1],
      nodes_nodeids: [0, 1, 2, 3, 4, 5, 6, 0, 1, 2],
      nodes_featureids: [0, 1, 2, 0, 0, 0, 0, 1, 0, 0],
      nodes_values: { floats: [0.1, 2, -1, 0, 0, 0, 0, 0.3, 0, 0] },
      nodes_modes: ['BRANCH_LT', 'BRANCH_LEQ', 'BRANCH_GT', 'LEAF', 'LEAF', 'LEAF', 'LEAF', 'BRANCH_GTE', 'LEAF', 'LEAF'],
      nodes_truenodeids: [1, 3, 5, 0, 0, 0, 0, 1, 0, 0],
      nodes_falsenodeids: [2, 4, 6, 0, 0, 0, 0, 2, 0, 0],
      nodes_missing_value_tracks_true: [1, 0, 0, 0, 0, 0, 0, 1, 0, 0],
      target_treeids: [0, 0, 0, 0, 1, 1], target_nodeids: [3, 4, 5, 6, 1, 2], target_ids: [0, 0, 0, 0, 0, 0],
      target_weights: { floats: [1.5, -2, 0.25, 4, 10, -10] },
    }, 'ai.onnx.ml')],
  });
}

/** x float32 [N, 2] -> TreeEnsembleClassifier, 3 classes (ints 7, 8, 9), SOFTMAX. */
function treeClassifier(): Uint8Array {
  return modelBytes({
    inputs: [tensor('x', 'float32', ['N', 2])],
    outputs: [tensor('label', 'int64', ['N']), tensor('probabilities', 'float32', ['N', 3])],
    nodes: [node('TreeEnsembleClassifier', ['x'], ['label', 'probabilities'], {
      classlabels_int64s: [7, 8, 9], post_transform: 'SOFTMAX',
      nodes_treeids: [0, 0, 0, 1, 1, 1], nodes_nodeids: [0, 1, 2, 0, 1, 2], nodes_featureids: [0, 0, 0, 1, 0, 0],
      nodes_values: { floats: [0.5, 0, 0, -0.25, 0, 0] },
      nodes_modes: ['BRANCH_LEQ', 'LEAF', 'LEAF', 'BRANCH_LT', 'LEAF', 'LEAF'],
      nodes_truenodeids: [1, 0, 0, 1, 0, 0], nodes_falsenodeids: [2, 0, 0, 2, 0, 0],
      nodes_missing_value_tracks_true: [0, 0, 0, 1, 0, 0],
      class_treeids: [0, 0, 0, 1, 1, 1], class_nodeids: [1, 2, 2, 1, 2, 2], class_ids: [0, 1, 2, 2, 0, 1],
      class_weights: { floats: [2, 1, 0.5, 1.25, -1, 3] },
    }, 'ai.onnx.ml')],
  });
}

/** x float32 [N, 3] -> Scaler -> Normalizer (L2) -> LinearRegressor -> Sigmoid. */
function scaledLinear(): Uint8Array {
  return modelBytes({
    inputs: [tensor('x', 'float32', ['N', 3])],
    outputs: [tensor('y', 'float32', ['N', 1])],
    nodes: [
      node('Scaler', ['x'], ['s'], { offset: { floats: [1, -2, 0.5] }, scale: { floats: [0.5, 2, 1] } }, 'ai.onnx.ml'),
      node('Normalizer', ['s'], ['n'], { norm: 'L2' }, 'ai.onnx.ml'),
      node('LinearRegressor', ['n'], ['r'], { coefficients: { floats: [1.5, -0.75, 2] }, intercepts: { floats: [0.1] } }, 'ai.onnx.ml'),
      node('Sigmoid', ['r'], ['y']),
    ],
  });
}

/** x float32 [N, 2] -> Gemm (transB) -> Relu -> Reshape [-1, 3] -> MatMul -> Flatten. */
function gemmNetwork(): Uint8Array {
  return modelBytes({
    inputs: [tensor('x', 'float32', ['N', 2])],
    outputs: [tensor('y', 'float32', ['N', 1])],
    initializers: [
      floats('W', [1, -1, 0.5, 2, -3, 0.25], [3, 2]), floats('C', [0.1, -0.2, 0.3], [3]),
      floats('V', [1, 2, -1], [3, 1]), { name: 'shape', dataType: 7, dims: [2], int64Data: [-1, 3] },
    ],
    nodes: [
      node('Gemm', ['x', 'W', 'C'], ['g'], { transB: 1 }),
      node('Relu', ['g'], ['h']),
      node('Reshape', ['h', 'shape'], ['r']),
      node('MatMul', ['r', 'V'], ['m']),
      node('Flatten', ['m'], ['y'], { axis: 1 }),
    ],
  });
}

/** An operator with no SQL form: ai.onnx.ml SVMRegressor (onnxruntime runs it). */
function svmRegressor(): Uint8Array {
  return modelBytes({
    inputs: [tensor('x', 'float32', ['N', 2])],
    outputs: [tensor('y', 'float32', ['N', 1])],
    nodes: [node('SVMRegressor', ['x'], ['y'], {
      coefficients: { floats: [1, -1] }, support_vectors: { floats: [0, 1, 1, 0] }, n_supports: 2, rho: { floats: [0.5] },
      kernel_type: 'LINEAR', kernel_params: { floats: [0, 0, 1] },
    }, 'ai.onnx.ml')],
  });
}

const NUMBERS = ['0', '1', '-1', '0.5', '2.25', '-3.75', '0.1', '0.3', '-0.25', '10', '1e-3', '123.456', null, 'NaN', 'Infinity', '-Infinity', '1e30', '-1e300', '1e-42'];

/** Rows of numbers for `n` float parameters: every value of NUMBERS in every position, and pseudo-random ones. */
function numberRows(n: number, count = 300): Array<Array<string | null>> {
  const out: Array<Array<string | null>> = [];
  let seed = 12345;
  const next = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 8 - 4;
  for (let i = 0; i < count; i++) {
    out.push(Array.from({ length: n }, (_, j) => (i < NUMBERS.length * n && Math.floor(i / NUMBERS.length) === j ? NUMBERS[i % NUMBERS.length] : String(next()))));
  }
  return out;
}

let scratch: Scratch;
beforeAll(async () => {
  scratch = await Scratch.open(inject('upstreamUrl'));
});
afterAll(async () => {
  await scratch?.close();
});

async function compare(bytes: Uint8Array, parameterTypes: string[], returnType: string, rows: Array<Array<string | null>>) {
  const ioPlan = await planImportedModel(bytes, parameterTypes, returnType);
  const target: CompileTarget = {
    onnx: bytes, ioPlan, classes: null, problemType: null, parameterTypes, returnType,
    output: returnType === 'jsonb' ? 'probabilities' : 'value',
  };
  const table = await scratch.table(parameterTypes, rows);
  return runBoth(scratch, target, table, rows.length);
}

describe('compiled imported models equal onnxruntime', () => {
  test.each(['float8', 'float4', 'numeric', 'text', 'jsonb'])('MatMul + Add regressor, RETURNS %s', async (returnType) => {
    const float4 = (v: string | null) => (v === '1e30' ? '3.4e38' : v === '-1e300' ? '-3.4028234e38' : v);
    const result = await compare(regressor(), ['float8', 'int4', 'float4'], returnType, numberRows(3).map((r, i) => [r[0], String((i % 21) - 10), float4(r[2])]));
    // jsonb prints a number in plain notation where the proxy's JSON.stringify uses an exponent:
    // the same value, compared as a number.
    if (returnType === 'text') expectSame(result);
    else expectNumbersClose(result, returnType === 'jsonb' ? 0 : 1e-5);
  });

  test('Softmax + ArgMax classifier: the label and the probabilities', async () => {
    expectSame(await compare(argmaxClassifier(), ['float8', 'float8'], 'int8', numberRows(2)));
    expectProbabilitiesClose(await compare(argmaxClassifier(), ['float8', 'float8'], 'jsonb', numberRows(2)));
  });

  test('LinearClassifier with string classes', async () => {
    const rows = numberRows(2).map((r) => [r[0] === '-1e300' ? '-3e38' : r[0], r[1]]);
    expectSame(await compare(stringClassifier(), ['float4', 'float8'], 'text', rows));
    expectProbabilitiesClose(await compare(stringClassifier(), ['float4', 'float8'], 'jsonb', rows));
  });

  test('one input per parameter with a LabelEncoder on text', async () => {
    const colours = ['red', 'green', 'blue', '', null, 'Red'];
    const rows = numberRows(2).map((r, i) => [r[0], r[1], colours[i % colours.length]]);
    expectNumbersClose(await compare(perParameterModel(), ['float8', 'float8', 'text'], 'float8', rows));
  });

  test('int64 and bool inputs and outputs', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => [i % 7 === 0 ? null : String(i * 1000 - 20000), i % 5 === 0 ? null : i % 2 === 0 ? 't' : 'f']);
    expectSame(await compare(integerModel(), ['int8', 'bool'], 'int8', rows));
  });

  test.each(['SUM', 'AVERAGE'] as const)('TreeEnsembleRegressor, every branch mode, aggregate %s', async (aggregate) => {
    // The thresholds, their float32 neighbours and the float64 midpoints between them.
    const edges = ['0.1', '0.10000000149011612', '0.09999999403953552', '0.100000001', '2', '2.0000001', '1.99999999', '-1', '-1.0000000001', '0.3', '0.30000001192092896', '0.29999998'];
    const rows = [...numberRows(3), ...edges.flatMap((e) => [[e, e, e], [e, null, 'NaN'], ['NaN', e, null]])];
    expectNumbersClose(await compare(treeRegressor(aggregate), ['float8', 'float8', 'float8'], 'float8', rows));
  });

  test('TreeEnsembleClassifier, three int classes, SOFTMAX', async () => {
    const rows = [...numberRows(2), ['0.5', '-0.25'], ['0.50000001', '-0.25000001'], [null, null], ['NaN', 'NaN']];
    expectSame(await compare(treeClassifier(), ['float8', 'float8'], 'int8', rows));
    expectProbabilitiesClose(await compare(treeClassifier(), ['float8', 'float8'], 'jsonb', rows));
  });

  test('Scaler, Normalizer, LinearRegressor, Sigmoid', async () => {
    expectNumbersClose(await compare(scaledLinear(), ['float8', 'float8', 'float8'], 'float8', numberRows(3)));
  });

  test('Gemm, Relu, Reshape, MatMul, Flatten', async () => {
    expectNumbersClose(await compare(gemmNetwork(), ['float8', 'float8'], 'float8', numberRows(2)));
  });
});

describe('an operator without a SQL form', () => {
  test('is named, with its domain', async () => {
    const bytes = svmRegressor();
    const ioPlan = await planImportedModel(bytes, ['float8', 'float8'], 'float8');
    const compiled = compileModelFunction({
      onnx: bytes, ioPlan, classes: null, problemType: null, parameterTypes: ['float8', 'float8'], returnType: 'float8', output: 'value',
    });
    expect(compiled).toEqual({ unsupported: 'the ONNX operator SVMRegressor (ai.onnx.ml) has no SQL form' });
  });
});
