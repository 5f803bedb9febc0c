import { describe, expect, test } from 'vitest';
import { type TrainingColumn, train } from '../../src/training/index.ts';
import { expectOnnxMatchesTrainer, metadataOf } from './support/onnx-runner.ts';

const n = 200;
const x: TrainingColumn = { name: 'x', type: 'float4', values: Array.from({ length: n }, (_, i) => (i % 7) - 3) };

describe('edge cases still export a model onnxruntime runs', () => {
  test('a constant target: every tree is a single leaf', async () => {
    const y: TrainingColumn = { name: 'y', type: 'int8', values: Array(n).fill(5) };
    for (const modelType of ['XGBOOST', 'LINEAR_LEARNER'] as const) {
      const model = await train([x], y, { modelType, hyperparameters: { num_round: '3' } });
      const pred = await expectOnnxMatchesTrainer(model, [x]);
      expect(Array.from(pred as Float64Array).every((v) => Math.abs(v - 5) < 1e-5)).toBe(true);
    }
  });

  test('features that are always NULL, a text feature with no categories, an all-NULL date', async () => {
    const features: TrainingColumn[] = [
      x,
      { name: 'nothing', type: 'float8', values: Array(n).fill(null) },
      { name: 'words', type: 'varchar', values: Array(n).fill(null) },
      { name: 'when', type: 'timestamp', values: Array(n).fill(null) },
    ];
    const y: TrainingColumn = { name: 'y', type: 'float8', values: x.values.map((v) => (v as number) * 2) };
    for (const modelType of ['XGBOOST', 'LINEAR_LEARNER'] as const) {
      const model = await train(features, y, { modelType, hyperparameters: { num_round: '5' } });
      await expectOnnxMatchesTrainer(model, features);
    }
  });

  test('feature columns named like the outputs get distinct input names, recorded in the metadata', async () => {
    const features: TrainingColumn[] = [
      { name: 'label', type: 'float8', values: x.values },
      { name: 'probabilities', type: 'text', values: x.values.map((v) => `c${v}`) },
      { name: 'Mixed Case', type: 'int2', values: x.values },
    ];
    const y: TrainingColumn = { name: 'y', type: 'bool', values: x.values.map((v) => (v as number) > 0) };
    const model = await train(features, y, { modelType: 'XGBOOST', hyperparameters: { num_round: '5' } });
    expect(metadataOf(model.onnx).inputs.map((i) => i.name)).toEqual(['label_input', 'probabilities_input', 'Mixed Case']);
    await expectOnnxMatchesTrainer(model, features);
  });

  test('a bool target trained as regression, an int target as binary classification', async () => {
    const flag: TrainingColumn = { name: 'y', type: 'bool', values: x.values.map((v) => (v as number) > 0) };
    const reg = await train([x], flag, { modelType: 'XGBOOST', problemType: 'REGRESSION', hyperparameters: { num_round: '5' } });
    expect(reg.problemType).toBe('REGRESSION');
    await expectOnnxMatchesTrainer(reg, [x]);
    const ints: TrainingColumn = { name: 'y', type: 'int4', values: x.values.map((v) => ((v as number) > 0 ? 7 : 3)) };
    const bin = await train([x], ints, { modelType: 'LINEAR_LEARNER', problemType: 'BINARY_CLASSIFICATION', hyperparameters: {} });
    expect(bin.classes).toEqual([3, 7]);
    await expectOnnxMatchesTrainer(bin, [x]);
  });

  test('values given as strings (int8 and numeric as node-postgres sends them unnormalised) still read', async () => {
    const s: TrainingColumn = { name: 's', type: 'numeric', values: x.values.map((v) => String(v)) };
    const y: TrainingColumn = { name: 'y', type: 'float8', values: x.values.map((v) => (v as number) ** 2) };
    const model = await train([s], y, { modelType: 'XGBOOST', hyperparameters: { num_round: '20' } });
    expect(model.validation.value).toBeLessThan(0.1);
    await expectOnnxMatchesTrainer(model, [s]);
  });
});
