import ort from 'onnxruntime-node';
import { describe, expect, test } from 'vitest';
import { buildFeeds, type IoPlan, outputNamesOf, planImportedModel, readOutputs } from '../../src/artifacts/index.ts';
import { IRIS, argmaxClassifier, integerModel, perParameterModel, regressor, stringClassifier } from './support/test-models.ts';

/** Plans, feeds and runs one batch in real onnxruntime, then reads it as each return type asks. */
async function predict(bytes: Uint8Array, plan: IoPlan, args: Array<Array<string | null>>, returnTypes: string[]) {
  const rows = args[0].length;
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  try {
    const outputs = await session.run(buildFeeds(plan, args, rows), outputNamesOf(plan));
    return returnTypes.map((type) => readOutputs(plan, outputs, rows, type));
  } finally {
    await session.release();
  }
}

function softmax(logits: number[]): number[] {
  const e = logits.map((l) => Math.exp(l));
  const sum = e.reduce((a, b) => a + b);
  return e.map((v) => v / sum);
}

/** Parses probability JSON and checks it against hand-computed probabilities (float32 accuracy). */
function expectProbabilities(json: string | null, labels: Array<string | number>, probabilities: number[]) {
  const parsed = JSON.parse(json ?? 'null') as { labels: unknown[]; probabilities: number[] };
  expect(parsed.labels).toEqual(labels);
  expect(parsed.probabilities).toHaveLength(probabilities.length);
  parsed.probabilities.forEach((p, k) => expect(Math.abs(p - probabilities[k])).toBeLessThan(1e-6));
}

describe('a float-tensor regressor [N, 3] -> MatMul + Add -> [N, 1]', () => {
  const bytes = regressor();

  test('is planned as one tensor of width 3 and a value output', async () => {
    expect(await planImportedModel(bytes, ['float8', 'int4', 'float4'], 'float8')).toEqual({
      inputs: 'single-tensor',
      inputName: 'x',
      inputType: 'float32',
      width: 3,
      output: { kind: 'value', name: 'y' },
    });
  });

  test('gives 2 x1 - x2 + 0.5 x3 + 3, NULL as NaN', async () => {
    const plan = await planImportedModel(bytes, ['float8', 'int4', 'bool'], 'float8');
    const args = [
      ['1', '0', null, '-1', '0.1', 'Infinity'],
      ['2', '0', '5', '4', '0', '0'],
      ['t', 'f', 't', 't', 'f', 'f'],
    ];
    const [float8, float4, numeric, text] = await predict(bytes, plan, args, ['float8', 'float4', 'numeric', 'text']);
    // Row 5: 0.1 becomes float32 0.1, doubled and plus 3 in float32: 3.2 in float32, printed as its float64 value.
    const row5 = Math.fround(Math.fround(2 * Math.fround(0.1)) + 3);
    expect(float8).toEqual(['3.5', '3', 'NaN', '-2.5', String(row5), 'Infinity']);
    expect(float4).toEqual(['3.5', '3', 'NaN', '-2.5', '3.2', 'Infinity']);
    expect(numeric).toEqual(float8);
    expect(text).toEqual(float4);
  });

  test('a float64 text that float32 cannot hold exactly is rounded as the float32 input takes it', async () => {
    const plan = await planImportedModel(bytes, ['float8', 'float8', 'float8'], 'float8');
    const [out] = await predict(bytes, plan, [['16777217'], ['0'], ['0']], ['float8']);
    // 16777217 -> 16777216 in float32; 2x + 3 = 33554435 is not a float32 either: 33554436.
    expect(out).toEqual(['33554436']);
  });
});

describe('a classifier: Softmax probabilities [N, 3] and ArgMax label int64 [N]', () => {
  const bytes = argmaxClassifier();
  const rows = [[2, 0], [0, 3], [-1, 0], [0, 0]];
  const logits = rows.map(([a, b]) => [a, b + 0.5, -a]);

  test('is planned as a label with a probability tensor, classes by column', async () => {
    expect(await planImportedModel(bytes, ['float8', 'float8'], 'int4')).toEqual({
      inputs: 'single-tensor',
      inputName: 'x',
      inputType: 'float32',
      width: 2,
      output: { kind: 'label', labelName: 'label', labelType: 'int64', probabilitiesName: 'probabilities', probabilitiesKind: 'tensor' },
    });
  });

  test('labels as int4, text and bool, probabilities as JSON most likely first', async () => {
    const plan = await planImportedModel(bytes, ['float8', 'float8'], 'int4');
    const args = [rows.map((r) => String(r[0])), rows.map((r) => String(r[1]))];
    const [int4, text, bool, jsonb] = await predict(bytes, plan, args, ['int4', 'text', 'bool', 'jsonb']);
    expect(int4).toEqual(['0', '1', '2', '1']);
    expect(text).toEqual(['0', '1', '2', '1']);
    expect(bool).toEqual(['f', 't', 't', 't']);
    logits.forEach((l, i) => {
      const p = softmax(l);
      const order = [0, 1, 2].sort((a, b) => p[b] - p[a]);
      expectProbabilities(jsonb[i], order, order.map((c) => p[c]));
    });
    // Row 4: logits (0, 0.5, 0): classes 0 and 2 tie and keep column order.
    expect(JSON.parse(jsonb[3] ?? '').labels).toEqual([1, 0, 2]);
  });
});

describe('a string classifier (ai.onnx.ml LinearClassifier, skl2onnx style)', () => {
  const args = [['2', '0', '-1'], ['0', '3', '0']];
  const logits = [[2, 0.5, -2], [0, 3.5, 0], [-1, 0.5, 1]];

  test('probabilities as a tensor: labels come from classlabels_strings', async () => {
    const bytes = stringClassifier();
    const plan = await planImportedModel(bytes, ['float4', 'float4'], 'varchar');
    expect(plan).toEqual({
      inputs: 'single-tensor',
      inputName: 'x',
      inputType: 'float32',
      width: 2,
      output: {
        kind: 'label',
        labelName: 'output_label',
        labelType: 'string',
        probabilitiesName: 'output_probability',
        probabilitiesKind: 'tensor',
        classLabels: IRIS,
      },
    });
    const [labels, jsonb] = await predict(bytes, plan, args, ['varchar', 'jsonb']);
    expect(labels).toEqual(['setosa', 'versicolor', 'virginica']);
    logits.forEach((l, i) => {
      const p = softmax(l);
      const order = [0, 1, 2].sort((a, b) => p[b] - p[a]);
      expectProbabilities(jsonb[i], order.map((c) => IRIS[c]), order.map((c) => p[c]));
    });
  });

  test('probabilities as a ZipMap: the label is read, the maps (which onnxruntime-node cannot return) are left out', async () => {
    const bytes = stringClassifier(true);
    const plan = await planImportedModel(bytes, ['float4', 'float4'], 'text');
    expect(plan.output).toEqual({ kind: 'label', labelName: 'output_label', labelType: 'string' });
    expect(outputNamesOf(plan)).toEqual(['output_label']);
    const [labels] = await predict(bytes, plan, args, ['text']);
    expect(labels).toEqual(['setosa', 'versicolor', 'virginica']);
    // Why the fetch list matters: asking for every output fails in onnxruntime-node 1.30.
    const session = await ort.InferenceSession.create(bytes);
    await expect(session.run(buildFeeds(plan, args, 3))).rejects.toThrow(/Non tensor type/);
    await session.release();
    // And probabilities cannot be asked for.
    expect(() => readOutputs(plan, {}, 3, 'jsonb')).toThrow(expect.objectContaining({ code: '22023' }));
  });
});

describe('one tensor per parameter: float, float, string (LabelEncoder), concatenated', () => {
  const bytes = perParameterModel();

  test('is planned input by input', async () => {
    expect(await planImportedModel(bytes, ['float8', 'int4', 'text'], 'float8')).toEqual({
      inputs: 'per-parameter',
      inputNames: ['a', 'b', 'colour'],
      inputTypes: ['float32', 'float32', 'string'],
      output: { kind: 'value', name: 'y' },
    });
  });

  test("gives a + 2 b + code(colour); NULL text is '' (unknown colour), NULL number is NaN", async () => {
    const plan = await planImportedModel(bytes, ['float8', 'int4', 'varchar(10)'], 'float8');
    const args = [
      ['1', '0.5', '0', '1', '-3'],
      ['2', null, '0', '1', '1'],
      ['red', 'green', 'blue', null, 'green'],
    ];
    const [out] = await predict(bytes, plan, args, ['float8']);
    expect(out).toEqual(['15', 'NaN', '-1', '2', '19']);
  });
});

describe('int64 and bool inputs, int64 and bool outputs', () => {
  const bytes = integerModel();

  test('an int8 and a bool parameter feed int64 and bool; int4 reads y, bool reads yes', async () => {
    const plan = await planImportedModel(bytes, ['int8', 'bool'], 'int4');
    expect(plan).toEqual({ inputs: 'per-parameter', inputNames: ['n', 'flag'], inputTypes: ['int64', 'bool'], output: { kind: 'value', name: 'y' } });
    const args = [['3', '-7', null, '1000000000'], ['t', 'f', 't', null]];
    const [int4] = await predict(bytes, plan, args, ['int4']);
    expect(int4).toEqual(['7', '-14', '1', '2000000000']);
    const [int8] = await predict(bytes, plan, [['4611686018427387904'], ['f']], ['int8']);
    expect(int8).toEqual(['-9223372036854775808']); // onnxruntime's int64 Add wraps; int8 reads what the model said
    await expect(predict(bytes, plan, [['1200000000'], ['f']], ['int4'])).rejects.toMatchObject({
      code: '22003',
      message: 'the model answered 2400000000, out of range for RETURNS int4',
    });

    const boolPlan = await planImportedModel(bytes, ['int2', 'bool'], 'bool');
    expect(boolPlan.output).toEqual({ kind: 'value', name: 'yes' });
    const [bool] = await predict(bytes, boolPlan, args, ['bool']);
    expect(bool).toEqual(['t', 'f', 't', 'f']);
  });

  test('text that is not what the parameter type prints is refused, not fed as garbage', async () => {
    const plan = await planImportedModel(bytes, ['int8', 'bool'], 'int8');
    expect(() => buildFeeds(plan, [['1.5'], ['t']], 1)).toThrow(expect.objectContaining({ code: '22P02', message: "cannot feed '1.5' to ONNX input n: not an integer" }));
    expect(() => buildFeeds(plan, [['1'], ['yes']], 1)).toThrow(expect.objectContaining({ code: '22P02' }));
  });
});
