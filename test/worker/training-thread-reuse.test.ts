import * as ort from 'onnxruntime-node';
import { afterAll, expect, test } from 'vitest';
import { closeTrainingThreads, prepareTrainingThread, runTraining, TrainingFailure } from '../../src/worker/training-runner.ts';
import type { TrainingColumn, TrainingSpec } from '../../src/training/index.ts';
import { compileVersionBodies } from '../../src/compile/version-bodies.ts';

/**
 * Training threads are kept for the next job when a small job ends well (their code is compiled
 * by then), warmed up with a small model when started ahead of a job, and never reused after a
 * failure or a kill. Each model is checked against onnxruntime on its own artifact, so a thread
 * that carried anything over from its last job would show.
 */
const rows = 600;
const x1 = Array.from({ length: rows }, (_, i) => ((i * 37) % 101) / 10);
const x2 = Array.from({ length: rows }, (_, i) => (i % 9 === 0 ? null : ((i * 13) % 17) - 8));
const features: TrainingColumn[] = [{ name: 'x1', type: 'float8', values: x1 }, { name: 'x2', type: 'float8', values: x2 }];
const target: TrainingColumn = { name: 'y', type: 'float8', values: x1.map((v, i) => v * v - 3 * (x2[i] ?? 0)) };
const spec = (rounds: number): TrainingSpec => ({ modelType: 'XGBOOST', hyperparameters: { num_round: String(rounds), max_depth: '4' }, seed: 1 });
const types = { parameterTypes: ['float8', 'float8'], returnType: 'float8' };

afterAll(() => closeTrainingThreads());

/** onnxruntime on the model's artifact, row by row against the stated formula's inputs. */
async function onnxPredictions(onnx: Uint8Array): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(onnx);
  const feeds: Record<string, ort.Tensor> = {};
  session.inputNames.forEach((name, k) => {
    feeds[name] = new ort.Tensor('float32', Float32Array.from(features[k].values, (v) => (v === null ? NaN : Number(v))), [rows, 1]);
  });
  const out = await session.run(feeds);
  await session.release();
  return out[session.outputNames[0]].data as Float32Array;
}

async function trainOnce(rounds: number) {
  const model = await runTraining(features, target, spec(rounds), () => {}, types).result;
  const onnx = await onnxPredictions(model.onnx);
  const values = Array.from(onnx);
  // The model learnt its own job (more rounds, closer fit), not a leftover of the last one.
  const rmse = Math.sqrt(values.reduce((s, v, i) => s + (v - (target.values[i] as number)) ** 2, 0) / rows);
  // Its own baseline: onnxruntime's smallest and largest prediction, to float32 precision.
  const baseline = model.predictionBaseline as { kind: string; count: number; min: number; max: number };
  expect(baseline).toMatchObject({ kind: 'numeric', count: rows });
  expect(Math.abs(baseline.min - Math.min(...values))).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(baseline.min)));
  expect(Math.abs(baseline.max - Math.max(...values))).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(baseline.max)));
  // The SQL bodies (compiled in a thread beside the training's) are the artifact's.
  expect(model.bodies).toEqual(compileVersionBodies({ onnx: model.onnx, ioPlan: null, classes: null, problemType: model.problemType, ...types }));
  return { model, rmse };
}

test('a thread whose job ended well takes the next job; a failed or killed one does not', async () => {
  prepareTrainingThread();
  const first = await trainOnce(5);
  const second = await trainOnce(40);
  expect(second.model.threadId).toBe(first.model.threadId);
  expect(second.rmse).toBeLessThan(first.rmse);
  // A stop or kill that comes after its job ended is not the next job's.
  const ended = runTraining(features, target, spec(3), () => {}, types);
  const third = await ended.result;
  ended.stopEarly();
  await ended.kill();
  const fourth = await trainOnce(40);
  expect(fourth.model.threadId).toBe(third.threadId);
  expect(fourth.model.cutShort).toBe(false);
  expect(fourth.rmse).toBe(second.rmse);

  // A job that fails: its thread is ended, the next job gets another.
  const failing = runTraining(features, { ...target, values: target.values.map(() => null) }, spec(5), () => {}, types);
  await expect(failing.result).rejects.toThrow(/no non-NULL values/);
  const afterFailure = await trainOnce(5);
  expect(afterFailure.model.threadId).not.toBe(fourth.model.threadId);

  // A killed one too.
  const killed = runTraining(features, target, spec(10_000), () => {}, types);
  const ended2 = expect(killed.result).rejects.toBeInstanceOf(TrainingFailure);
  await killed.kill();
  await ended2;
  const afterKill = await trainOnce(5);
  expect(afterKill.model.threadId).not.toBe(afterFailure.model.threadId);
  expect(afterKill.rmse).toBe(first.rmse);

  // A large job's thread is not kept (an idle thread holds its garbage): the next job gets another.
  const big = 90_000;
  const wide: TrainingColumn[] = [0, 1].map((k) => ({ name: `x${k}`, type: 'float8', values: Array.from({ length: big }, (_, i) => ((i * (k + 3)) % 97) / 7) }));
  const large = await runTraining(wide, { name: 'y', type: 'float8', values: wide[0].values.map((v, i) => (v as number) - (wide[1].values[i] as number)) }, spec(2), () => {}).result;
  expect(large.threadId).toBe(afterKill.model.threadId);
  const afterLarge = await trainOnce(5);
  expect(afterLarge.model.threadId).not.toBe(large.threadId);
  expect(afterLarge.rmse).toBe(first.rmse);
}, 60_000);
