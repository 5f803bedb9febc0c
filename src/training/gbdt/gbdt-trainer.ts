import type { XgbParams } from '../spec/hyperparameters.ts';
import type { XgbObjective } from '../spec/objectives.ts';
import type { Random } from '../util/random.ts';
import type { PartClock } from '../util/time-parts.ts';
import { buildBinMatrix } from './bin-matrix.ts';
import { sampleFeatures } from './feature-sampler.ts';
import { HistPool } from './hist-pool.ts';
import { type ArrayStore, typedArrayStore } from './array-store.ts';
import { kernelMemoryFor } from './wasm/kernel-memory.ts';
import type { GbdtModel } from './gbdt-model.ts';
import { OBJECTIVES } from './objectives.ts';
import type { Tree } from './tree.ts';
import { createGrowScratch, growTree } from './tree-grower.ts';

export interface TrainingBudget {
  /** Date.now() after which no new round starts. */
  deadline: number;
  signal?: AbortSignal;
  onRound?(done: number, total: number): void;
  /** Lets the event loop run between rounds, so an abort (or a worker's cancel message) lands. */
  yield(): Promise<void>;
  /** Where the time goes: GBDT adds 'binning' and 'boosting'. */
  clock?: PartClock;
}

export interface GbdtInput {
  /** Base matrix, row-major rows × features, float32, NaN = missing. */
  x: Float32Array;
  rows: number;
  features: number;
  /** Targets, 0/1, or class ids. */
  y: Float64Array;
  classCount: number;
}

/**
 * 'auto': a histogram helper thread from PARALLEL_MIN_ROWS rows on (hist-pool.ts), used once it
 * has started; 'one': never; 'two-when-started': as auto, but wait for the helper before the
 * first round (tests that compare one and two threads).
 */
export type GbdtThreads = 'auto' | 'one' | 'two-when-started';

/** 'auto': WebAssembly histogram kernels when the arrays fit its memory (wasm/kernel-memory.ts); 'javascript': never (tests that compare the two). */
export type GbdtKernels = 'auto' | 'javascript';

/** How the histogram work was shared: histograms built with a pool, and how many the helper thread did its share of. */
export interface HistogramThreads {
  /** 0 without a helper thread (one thread, or too few rows). */
  histogramJobs: number;
  helperJobs: number;
  /** Why the helper stopped or never started, when it did. */
  helperFailure: unknown;
}

/**
 * Gradient boosting in XGBoost's hist style: quantised features, second-order statistics,
 * histogram split search with the subtraction trick. Stops between rounds when the budget
 * runs out and keeps the rounds done (at least one).
 */
export async function trainGbdt(
  data: GbdtInput,
  objectiveName: XgbObjective,
  params: XgbParams,
  random: Random,
  budget: TrainingBudget,
  threads: GbdtThreads = 'auto',
  kernels: GbdtKernels = 'auto',
): Promise<{ model: GbdtModel; cutShort: boolean; threads: HistogramThreads; trainingMargins: Float64Array }> {
  // Start the histogram helper thread first: it loads while the bin matrix is built. The model
  // does not depend on whether, or from which level on, the helper takes part (hist-pool.ts).
  const memory = kernels === 'auto' ? kernelMemoryFor(data.rows, data.features, OBJECTIVES[objectiveName].outputs(data.classCount)) : undefined;
  const pool = threads === 'one' ? undefined : HistPool.start(data.rows, data.features, threads === 'two-when-started', memory?.memory);
  try {
    if (threads === 'two-when-started' && !(await pool!.started())) {
      throw new Error('GBDT histogram thread did not start', { cause: pool!.failure });
    }
    const result = await boost(data, objectiveName, params, random, budget, pool, memory ?? typedArrayStore(pool !== undefined));
    return { ...result, threads: { histogramJobs: pool?.jobs ?? 0, helperJobs: pool?.helperJobs ?? 0, helperFailure: pool?.failure } };
  } finally {
    pool?.close();
  }
}

async function boost(
  data: GbdtInput,
  objectiveName: XgbObjective,
  params: XgbParams,
  random: Random,
  budget: TrainingBudget,
  pool: HistPool | undefined,
  store: ArrayStore,
): Promise<{ model: GbdtModel; cutShort: boolean; trainingMargins: Float64Array }> {
  const objective = OBJECTIVES[objectiveName];
  const n = data.rows;
  const outputs = objective.outputs(data.classCount);
  const base = Array.from(objective.baseMargin(data.y, data.classCount), Math.fround);
  // Labels are read by JavaScript only: outside the kernels' memory.
  const float64s = typedArrayStore(pool !== undefined).float64s;
  const binningStart = performance.now();
  const bins = buildBinMatrix(data.x, n, data.features, random, pool, store);
  budget.clock?.add('binning', performance.now() - binningStart);
  const boostingStart = performance.now();
  const margin = store.float64s(n * outputs);
  for (let i = 0; i < n; i++) for (let k = 0; k < outputs; k++) margin[i * outputs + k] = base[k];
  const gh = Array.from({ length: outputs }, () => store.float64s(2 * n));
  const scratch = createGrowScratch(n, data.features, store, pool);
  const allFeatures = Int32Array.from({ length: data.features }, (_, i) => i);
  const trees: Tree[] = [];
  let cutShort = false;

  // XGBoost holds labels, margins and gradient pairs in float32 (its histograms sum them in
  // double); the same roundings give the same sums, gains and leaf values.
  const y = float64s(n);
  for (let i = 0; i < n; i++) y[i] = Math.fround(data.y[i]);
  for (let round = 0; round < params.numRound; round++) {
    if (round > 0 && (budget.signal?.aborted || Date.now() > budget.deadline)) {
      cutShort = true;
      break;
    }
    if (pool !== undefined) pool.gradients(objectiveName, margin, y, gh);
    else objective.gradients(margin, y, gh, 0, n);
    for (let k = 0; k < outputs; k++) {
      sampleRows(params.subsample, random, scratch.inSample);
      const treeFeatures = sampleFeatures(allFeatures, params.colsampleBytree, random);
      trees.push(growTree(bins, gh[k], scratch, params, treeFeatures, random, k, margin, outputs));
    }
    budget.onRound?.(round + 1, params.numRound);
    await budget.yield();
  }
  budget.clock?.add('boosting', performance.now() - boostingStart);
  return {
    model: { kind: 'gbdt', features: data.features, outputs, baseMargin: base, trees, transform: objective.transform },
    cutShort,
    // The training rows' margins (rows × outputs) after the last tree, as the prediction cache
    // kept them: base first, then each leaf, in float32 (onnxruntime adds the base last).
    // (A copy, so that holding it does not hold the kernels' whole memory.)
    trainingMargins: Float64Array.from(margin),
  };
}

/** subsample: each row joins this tree's histograms with probability `fraction`. */
function sampleRows(fraction: number, random: Random, inSample: Uint8Array): void {
  if (fraction >= 1) {
    inSample.fill(1);
    return;
  }
  for (let i = 0; i < inSample.length; i++) inSample[i] = random.next() < fraction ? 1 : 0;
}
