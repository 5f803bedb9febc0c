import { describe, expect, test } from 'vitest';
import { type GbdtKernels, trainGbdt, type GbdtThreads } from '../../src/training/gbdt/gbdt-trainer.ts';
import { PARALLEL_MIN_ROWS } from '../../src/training/gbdt/hist-pool.ts';
import type { XgbObjective } from '../../src/training/spec/objectives.ts';
import { parseHyperparameters } from '../../src/training/spec/hyperparameters.ts';
import { createRandom } from '../../src/training/util/random.ts';

/** Rows × features with ~5% NaN and an odd feature count (the threads' shares differ, one feature is left after the pairs). */
function data(rows: number, features: number, classes: number) {
  const r = createRandom(23);
  const x = new Float32Array(rows * features);
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let f = 0; f < features; f++) x[i * features + f] = r.next() < 0.05 ? NaN : r.next() * 2 - 1;
    const v = Math.cos(2 * (x[i * features] || 0)) + (x[i * features + 1] || 0) * (x[i * features + 3] || 0) + 0.2 * (r.next() - 0.5);
    y[i] = classes === 0 ? v : Math.min(classes - 1, Math.max(0, Math.floor((v + 1) / (3 / classes))));
  }
  return { x, rows, features, y, classCount: classes };
}

async function fit(rows: number, kernels: GbdtKernels, threads: GbdtThreads, classes: number, objective: XgbObjective, hp: Record<string, string>) {
  return trainGbdt(data(rows, 7, classes), objective, parseHyperparameters(hp), createRandom(9), { deadline: Infinity, yield: async () => {} }, threads, kernels);
}

// The WebAssembly kernels (src/training/gbdt/wasm/) against the JavaScript ones they replace:
// each histogram slot adds the same rows in the same order, so the trees are the same, bit for bit.
describe('GBDT histogram kernels in WebAssembly', () => {
  test('one thread, depth 8 with row and column sampling: the same model as the JavaScript kernels', async () => {
    const hp = { num_round: '5', max_depth: '8', subsample: '0.7', colsample_bynode: '0.8' };
    const js = await fit(20_000, 'javascript', 'one', 0, 'reg:squarederror', hp);
    const wasm = await fit(20_000, 'auto', 'one', 0, 'reg:squarederror', hp);
    expect(wasm.model.trees.length).toBe(5);
    expect(wasm.model).toStrictEqual(js.model);
  }, 60_000);

  test('two threads, multiclass, unlimited depth: the same model as the JavaScript kernels on one thread', async () => {
    const hp = { num_round: '2', max_depth: '0', num_class: '3' };
    const js = await fit(PARALLEL_MIN_ROWS + 3_001, 'javascript', 'one', 3, 'multi:softmax', hp);
    const wasm = await fit(PARALLEL_MIN_ROWS + 3_001, 'auto', 'two-when-started', 3, 'multi:softmax', hp);
    expect(wasm.threads.helperJobs).toBeGreaterThan(0);
    expect(wasm.model.trees.length).toBe(6);
    expect(wasm.model).toStrictEqual(js.model);
  }, 60_000);
});
