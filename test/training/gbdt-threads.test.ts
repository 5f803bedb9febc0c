import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { trainGbdt, type GbdtThreads, type HistogramThreads } from '../../src/training/gbdt/gbdt-trainer.ts';
import { buildBinMatrix } from '../../src/training/gbdt/bin-matrix.ts';
import { HistPool, PARALLEL_MIN_ROWS } from '../../src/training/gbdt/hist-pool.ts';
import { train } from '../../src/training/index.ts';
import type { XgbObjective } from '../../src/training/spec/objectives.ts';
import { parseHyperparameters } from '../../src/training/spec/hyperparameters.ts';
import { createRandom } from '../../src/training/util/random.ts';
import { syntheticTable } from './support/synthetic-data.ts';

/** Rows × features with ~5% NaN, an odd feature count (the threads get unequal shares). */
function data(rows: number, features: number, classes: number) {
  const r = createRandom(11);
  const x = new Float32Array(rows * features);
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let f = 0; f < features; f++) x[i * features + f] = r.next() < 0.05 ? NaN : r.next() * 2 - 1;
    const v = Math.sin(3 * (x[i * features] || 0)) + (x[i * features + 1] || 0) * (x[i * features + 2] || 0) + 0.2 * (r.next() - 0.5);
    y[i] = classes === 0 ? v : Math.min(classes - 1, Math.max(0, Math.floor((v + 1.5) / (3 / classes))));
  }
  return { x, rows, features, y, classCount: classes };
}

async function fit(threads: GbdtThreads, classes: number, objective: XgbObjective, hp: Record<string, string>) {
  const input = data(PARALLEL_MIN_ROWS + 10_001, 7, classes);
  return trainGbdt(input, objective, parseHyperparameters(hp), createRandom(5), {
    deadline: Infinity,
    yield: async () => {},
  }, threads);
}

/** Both threads built every histogram: the helper's own count of its jobs is all of them. */
function expectTwoThreads(threads: HistogramThreads, atLeast: number): void {
  expect(threads.helperFailure).toBeUndefined();
  expect(threads.histogramJobs).toBeGreaterThanOrEqual(atLeast);
  expect(threads.helperJobs).toBe(threads.histogramJobs);
}

describe('GBDT on two threads', () => {
  test('regression: the same model, bit for bit, as on one thread (row and column sampling, NaNs)', async () => {
    const hp = { num_round: '8', max_depth: '6', subsample: '0.8', colsample_bylevel: '0.9' };
    const one = await fit('one', 0, 'reg:squarederror', hp);
    const two = await fit('two-when-started', 0, 'reg:squarederror', hp);
    expect(one.threads.histogramJobs).toBe(0);
    // A root and at least one level per tree.
    expectTwoThreads(two.threads, 2 * 8);
    expect(two.model.trees.length).toBe(8);
    expect(JSON.stringify(two.model)).toBe(JSON.stringify(one.model));
    expect(two.model).toStrictEqual(one.model);
  }, 60_000);

  test('multiclass (one gradient array per class): the same model as on one thread', async () => {
    const hp = { num_round: '3', max_depth: '0', num_class: '3' };
    const one = await fit('one', 3, 'multi:softmax', hp);
    const two = await fit('two-when-started', 3, 'multi:softmax', hp);
    expect(one.threads.histogramJobs).toBe(0);
    expectTwoThreads(two.threads, 2 * 9);
    expect(two.model.trees.length).toBe(9);
    expect(two.model).toStrictEqual(one.model);
  }, 60_000);

  test('binning shared with the helper: the same bins, cuts and thresholds as on one thread', async () => {
    const input = data(300_000, 12, 0);
    const one = buildBinMatrix(input.x, input.rows, input.features, createRandom(3));
    // Which thread claims which feature or row chunk depends on timing: try a few pools until the
    // helper has done part of the work, and check every result.
    let helperClaims = 0;
    for (let attempt = 0; attempt < 5 && helperClaims === 0; attempt++) {
      const pool = HistPool.start(input.rows, input.features, true)!;
      try {
        expect(await pool.started()).toBe(true);
        const two = buildBinMatrix(input.x, input.rows, input.features, createRandom(3), pool);
        helperClaims = pool.helperBinClaims;
        expect(Buffer.from(two.bins).equals(Buffer.from(one.bins))).toBe(true);
        expect({ ...two, bins: undefined }).toStrictEqual({ ...one, bins: undefined });
      } finally {
        pool.close();
      }
    }
    expect(helperClaims).toBeGreaterThan(0);
  }, 60_000);

  test('train() above the threshold: same data + spec give identical ONNX bytes however soon the helper joins', async () => {
    const { features, signal } = syntheticTable(PARALLEL_MIN_ROWS + 5_000);
    const target = { name: 'y', type: 'float8' as const, values: signal };
    const spec = { modelType: 'XGBOOST' as const, hyperparameters: { num_round: '6' } };
    const a = await train(features, target, spec);
    const b = await train(features, target, spec);
    expect(Buffer.from(b.onnx).equals(Buffer.from(a.onnx))).toBe(true);
  }, 120_000);

  test('the helper thread does not keep the process alive after training', async () => {
    const url = new URL('../../src/training/gbdt/gbdt-trainer.ts', import.meta.url).href;
    const hp = new URL('../../src/training/spec/hyperparameters.ts', import.meta.url).href;
    const rnd = new URL('../../src/training/util/random.ts', import.meta.url).href;
    const script = `
      const { trainGbdt } = await import(${JSON.stringify(url)});
      const { parseHyperparameters } = await import(${JSON.stringify(hp)});
      const { createRandom } = await import(${JSON.stringify(rnd)});
      const rows = 60000, F = 4, x = new Float32Array(rows * F), y = new Float64Array(rows);
      for (let i = 0; i < x.length; i++) x[i] = (i * 7919 % 1000) / 1000;
      for (let i = 0; i < rows; i++) y[i] = x[i * F] * 2;
      const r = await trainGbdt({ x, rows, features: F, y, classCount: 0 }, 'reg:squarederror', parseHyperparameters({ num_round: '3' }),
        createRandom(1), { deadline: Infinity, yield: async () => {} }, 'two-when-started');
      console.log('trees', r.model.trees.length, 'helper did all', r.threads.helperJobs === r.threads.histogramJobs && r.threads.helperJobs > 0);
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 30_000 });
    expect(stdout.trim()).toBe('trees 3 helper did all true');
  }, 40_000);
});
