import { expect, test } from 'vitest';
import { train } from '../../src/training/index.ts';
import { createRandom } from '../../src/training/util/random.ts';

/**
 * A larger table through the whole path (not a timing assertion; see speed-bench.ts for the
 * figures): 200k rows × 10 float features with 5% NULLs, 20 rounds of depth 6, and an AUC check.
 */
test('200k rows × 10 features train and learn', async () => {
  const rows = 200_000;
  const r = createRandom(11);
  const columns = Array.from({ length: 10 }, () => new Array<number | null>(rows));
  const y = new Array<boolean>(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let f = 0; f < 10; f++) {
      const v = r.next() * 2 - 1;
      columns[f][i] = r.next() < 0.05 ? null : v;
      s += f < 3 ? v * (f + 1) : 0;
    }
    y[i] = s + (r.next() - 0.5) * 0.5 > 0;
  }
  const features = columns.map((values, f) => ({ name: `f${f}`, type: 'float8' as const, values }));
  const model = await train(features, { name: 'y', type: 'bool', values: y }, {
    modelType: 'XGBOOST', objective: 'AUC', hyperparameters: { num_round: '20' },
  });
  expect(model.trainingRows).toBe(160_000);
  expect(model.validation.metric).toBe('auc');
  expect(model.validation.value).toBeGreaterThan(0.95);
});
