import { describe, expect, test } from 'vitest';
import { train } from '../../src/training/index.ts';
import { expectOnnxMatchesTrainer, metadataOf } from './support/onnx-runner.ts';
import { syntheticTable } from './support/synthetic-data.ts';

describe('XGBOOST regression', () => {
  const { features, signal } = syntheticTable(3000);
  const target = { name: 'y', type: 'float8' as const, values: signal.map((s, i) => s + Math.sin(i) * 0.1) };

  test('learns, and onnxruntime gives the trainer predictions for every feature type with NULLs', async () => {
    const model = await train(features, target, { modelType: 'XGBOOST', hyperparameters: {} });
    expect(model.modelType).toBe('XGBOOST');
    expect(model.problemType).toBe('REGRESSION');
    expect(model.objective).toBe('reg:squarederror');
    expect(model.validation.metric).toBe('mse');
    expect(model.cutShort).toBe(false);
    expect(model.trainingRows).toBe(2400);
    const mean = signal.reduce((a, b) => a + b, 0) / signal.length;
    const variance = signal.reduce((a, b) => a + (b - mean) ** 2, 0) / signal.length;
    expect(model.validation.value).toBeLessThan(variance * 0.15);
    const predictions = await expectOnnxMatchesTrainer(model, features);
    expect(predictions).toBeInstanceOf(Float64Array);
    const meta = metadataOf(model.onnx);
    expect(meta.inputs.map((i) => [i.name, i.tensor])).toEqual([
      ['num', 'float32'], ['int', 'float32'], ['flag', 'float32'], ['cat', 'string'],
      ['day', 'float64'], ['ts', 'float64'], ['stamp', 'float64'], ['big', 'float32'], ['tod', 'float64'],
    ]);
  });
});
