import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { METADATA_KEY, type ModelMetadata, type Predictions, toOnnxInput, type TrainedModel, type TrainingColumn } from '../../../src/training/index.ts';
import onnxProto from 'onnx-proto';

/** Reads the modelgres metadata JSON out of the ONNX bytes, as the proxy would. */
export function metadataOf(bytes: Uint8Array): ModelMetadata {
  const model = onnxProto.onnx.ModelProto.decode(bytes);
  const prop = model.metadataProps.find((p) => p.key === METADATA_KEY);
  return JSON.parse(prop?.value ?? 'null') as ModelMetadata;
}

/** Runs the exported model in onnxruntime with the documented inputs (one intra-op thread). */
export async function runOnnx(model: TrainedModel, columns: TrainingColumn[]): Promise<Record<string, ort.Tensor>> {
  const meta = metadataOf(model.onnx);
  const session = await ort.InferenceSession.create(model.onnx, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const feeds: Record<string, ort.Tensor> = {};
  columns.forEach((c, i) => {
    const input = toOnnxInput(c, meta.inputs[i].name);
    feeds[input.name] = new ort.Tensor(input.type, input.data, input.dims);
  });
  const out = await session.run(feeds);
  await session.release();
  return out;
}

/** |a - b| <= rel * max(|b|, floor): relative, with a floor for values near zero. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel = 1e-5, floor = 1): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]) / Math.max(Math.abs(expected[i]), floor);
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  expect(worst, `worst relative error at row ${at}: onnx ${actual[at]} vs trainer ${expected[at]}`).toBeLessThanOrEqual(rel);
}

/** onnxruntime's outputs equal the trainer's predict(): values to rel 1e-5, labels exactly. */
export async function expectOnnxMatchesTrainer(model: TrainedModel, columns: TrainingColumn[]): Promise<Predictions> {
  const out = await runOnnx(model, columns);
  const mine = model.predict(columns);
  const rows = columns[0].values.length;
  if (mine instanceof Float64Array) {
    expect(out.variable.dims).toEqual([rows, 1]);
    expect(out.variable.type).toBe('float32');
    expectClose(out.variable.data as Float32Array, mine);
    return mine;
  }
  const classes = model.classes?.length ?? 0;
  expect(out.label.dims).toEqual([rows]);
  expect(out.label.type).toBe('int64');
  expect(out.probabilities.dims).toEqual([rows, classes]);
  const labels = Array.from(out.label.data as BigInt64Array, Number);
  expect(labels).toEqual(Array.from(mine.labels));
  const probs = out.probabilities.data as Float32Array;
  expectClose(probs, mine.probabilities.flatMap((p) => Array.from(p)), 1e-5, 1e-3);
  return mine;
}
