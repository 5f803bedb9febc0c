import { describe, expect, test } from 'vitest';
import { planImportedModel } from '../../src/artifacts/index.ts';
import { modelBytes, node, tensor } from './support/onnx-files.ts';
import { argmaxClassifier, fixedBatch, integerModel, perParameterModel, regressor, stringClassifier, unknownOperator } from './support/test-models.ts';

function refused(bytes: Uint8Array, parameterTypes: string[], returnType: string, message: string | RegExp) {
  return expect(planImportedModel(bytes, parameterTypes, returnType)).rejects.toMatchObject({
    name: 'ClientError',
    code: '22023',
    message: typeof message === 'string' ? message : expect.stringMatching(message),
  });
}

const three = ['float8', 'float8', 'float8'];

describe('files onnxruntime cannot load are refused with its reason', () => {
  test('random bytes', async () => {
    const random = Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24);
    await refused(random, three, 'float8', 'onnxruntime cannot load the ONNX model: Failed to load model because protobuf parsing failed.');
  });

  test('a text file', async () => {
    const text = new TextEncoder().encode('id,price\n1,9.99\n2,19.99\n');
    await refused(text, three, 'float8', /^onnxruntime cannot load the ONNX model: /);
  });

  test('an empty file', async () => {
    await refused(new Uint8Array(0), three, 'float8', 'the ONNX file is empty');
  });

  test('an unknown operator is named', async () => {
    await refused(unknownOperator(), ['float8'], 'float8', /^onnxruntime cannot load the ONNX model: .*No Op registered for NoSuchOp/);
  });
});

describe('inputs that do not fit FUNCTION f(...) are refused, saying how', () => {
  test('a tensor of width 3 for 2 or 4 parameters', async () => {
    await refused(regressor(), ['float8', 'float8'], 'float8', 'the ONNX model takes 1 input of width 3, but the FUNCTION declares 2 parameters');
    await refused(regressor(), ['int4', 'int4', 'int4', 'int4'], 'float8', 'the ONNX model takes 1 input of width 3, but the FUNCTION declares 4 parameters');
    await refused(regressor(), ['float8'], 'float8', 'the ONNX model takes 1 input of width 3, but the FUNCTION declares 1 parameter');
  });

  test('three inputs for two parameters', async () => {
    await refused(
      perParameterModel(),
      ['float8', 'float8'],
      'float8',
      'the ONNX model takes 3 inputs (a (float32 [N, 1]), b (float32 [N, 1]), colour (string [N, 1])), but the FUNCTION declares 2 parameters',
    );
  });

  test('a parameter whose type does not fit its input', async () => {
    await refused(
      perParameterModel(),
      ['text', 'float8', 'text'],
      'float8',
      'parameter 1 of the FUNCTION is text, but the ONNX input a (float32 [N, 1]) in that place takes float32',
    );
    await refused(
      perParameterModel(),
      ['float8', 'float8', 'int4'],
      'float8',
      'parameter 3 of the FUNCTION is int4, but the ONNX input colour (string [N, 1]) in that place takes string',
    );
    // A fraction is not truncated into an int64 input.
    await refused(integerModel(), ['float8', 'bool'], 'int8', 'parameter 1 of the FUNCTION is float8, but the ONNX input n (int64 [N, 1]) in that place takes int64');
  });

  test('text cannot be a column of a float tensor', async () => {
    await refused(regressor(), ['float8', 'text', 'float8'], 'float8', 'parameter 2 of the FUNCTION is text, but the model\'s one input x (float32 [N, 3]) takes numbers only');
  });

  test('a parameter type no model can take', async () => {
    await refused(regressor(), ['float8', 'jsonb', 'float8'], 'float8', 'parameter 2 of the FUNCTION has type jsonb, which cannot be fed to an ONNX model');
    await refused(regressor(), [], 'float8', 'the FUNCTION of an imported model needs at least one parameter');
  });

  test('an input with a fixed batch size', async () => {
    await refused(fixedBatch(), three, 'float8', 'the ONNX input x (float32 [1, 3]) has a fixed batch size of 1, but modelgres feeds many rows at once');
  });

  test('an input of an element type modelgres does not feed', async () => {
    const bytes = modelBytes({
      inputs: [tensor('x', 'uint8', ['N', 1]), tensor('y', 'float32', ['N', 1])],
      outputs: [tensor('z', 'float32', ['N', 1])],
      nodes: [node('Cast', ['x'], ['xf'], { to: 1 }), node('Add', ['xf', 'y'], ['z'])],
    });
    await refused(bytes, ['int4', 'float8'], 'float8', 'the ONNX input x (uint8 [N, 1]) takes uint8, which modelgres cannot feed');
  });

  test('a per-parameter input that is not a column', async () => {
    const bytes = modelBytes({
      inputs: [tensor('a', 'float32', ['N']), tensor('b', 'float32', ['N'])],
      outputs: [tensor('c', 'float32', ['N'])],
      nodes: [node('Add', ['a', 'b'], ['c'])],
    });
    await refused(bytes, ['float8', 'float8'], 'float8', 'the ONNX input a (float32 [N]) is not a column of shape [N, 1], which is how modelgres feeds a parameter');
  });
});

describe('outputs that RETURNS cannot take are refused', () => {
  test('a float regressor for an integer or bool return type', async () => {
    const message = (type: string) =>
      `the ONNX model has no output RETURNS ${type} can take (one int64 or int32 value per row, shape [N] or [N, 1]); its outputs are y (float32 [N, 1])`;
    await refused(regressor(), three, 'int4', message('int4'));
    await refused(regressor(), three, 'bool', /^the ONNX model has no output RETURNS bool can take \(one bool or int64 or int32 value per row/);
  });

  test('string labels for a number or bool return type', async () => {
    const message = (type: string) => `the ONNX model is a classifier whose label output_label is string, which RETURNS ${type} cannot take`;
    await refused(stringClassifier(), ['float4', 'float4'], 'float8', message('float8'));
    await refused(stringClassifier(), ['float4', 'float4'], 'int4', message('int4'));
    await refused(stringClassifier(), ['float4', 'float4'], 'bool', message('bool'));
  });

  test('a return type no model gives', async () => {
    await refused(argmaxClassifier(), ['float8', 'float8'], 'date', 'an imported model cannot return date');
    await refused(argmaxClassifier(), ['float8', 'float8'], 'point', 'an imported model cannot return point');
  });

  test('probabilities asked of a ZipMap classifier', async () => {
    await refused(stringClassifier(true), ['float4', 'float4'], 'jsonb', /^the ONNX model gives no probability tensor for RETURNS jsonb/);
  });

  test('the numeric outputs of a regressor fit float, numeric and text return types', async () => {
    for (const type of ['float8', 'float4', 'numeric', 'numeric(10,2)', 'text', 'varchar(20)', 'double precision']) {
      expect((await planImportedModel(regressor(), three, type)).output).toEqual({ kind: 'value', name: 'y' });
    }
  });
});
