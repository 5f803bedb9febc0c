import type { EncodingPlan } from '../data/feature-encoding.ts';
import type { TrainingBudget } from '../gbdt/gbdt-trainer.ts';
import type { MlpParams } from '../spec/mlp-hyperparameters.ts';
import { type Random, shuffledIndices } from '../util/random.ts';
import { createAdam } from './adam.ts';
import { type MlpTask, outputLoss, outputWidth } from './mlp-losses.ts';
import type { MlpLayer, MlpModel } from './mlp-model.ts';
import { backward, createNetwork, createScratch, forward, type Network } from './network.ts';
import { designRow, fitDesign, type StandardisedDesign } from './standardised-design.ts';

/** Share of the training rows the MLP sets aside to decide when to stop (early stopping). */
const EARLY_STOPPING_FRACTION = 0.1;
/** Below this many training rows nothing is set aside: all epochs run on all rows. */
const MIN_ROWS_FOR_EARLY_STOPPING = 50;
/** An epoch counts as better when its early-stopping loss drops by more than this share. */
const MIN_IMPROVEMENT = 1e-4;

/**
 * Trains a feed-forward network by mini-batch Adam on the standardised design (the linear
 * learner's input layer). A seeded 10% of the training rows is set aside; after every epoch their
 * loss decides: the best epoch's weights are kept and `patience` epochs without improvement stop
 * training. Regression trains on the standardised target and folds mean and std back into the
 * output layer. Stops between epochs when the budget runs out, keeping the best weights so far.
 */
export async function trainMlp(
  plan: EncodingPlan,
  x: Float32Array,
  rows: number,
  y: Float64Array,
  task: MlpTask,
  params: MlpParams,
  random: Random,
  budget: TrainingBudget,
): Promise<{ model: MlpModel; cutShort: boolean }> {
  const design = fitDesign(plan, x, rows);
  const width = outputWidth(task);
  const sizes = [design.width, ...Array<number>(params.hiddenLayers).fill(params.hiddenUnits), width];
  const net = createNetwork(sizes, random);

  const order = shuffledIndices(rows, random);
  const held = rows >= MIN_ROWS_FOR_EARLY_STOPPING ? Math.max(1, Math.round(rows * EARLY_STOPPING_FRACTION)) : 0;
  const stopRows = order.slice(0, held).sort();
  const fitRows = held > 0 ? order.slice(held).sort() : order.sort();

  const { t, mean, std } = scaledTarget(task, y, fitRows);
  initOutputBias(net, task, t, fitRows);

  const batch = Math.min(params.miniBatchSize, fitRows.length);
  const scratch = createScratch(net, Math.max(batch, Math.min(stopRows.length, 4096)));
  const grad = new Float64Array(net.params.length);
  const outGrad = new Float64Array(scratch.capacity * width);
  const yBatch = new Float64Array(scratch.capacity);
  const adam = createAdam(net.params.length, params.learningRate);
  const best = Float64Array.from(net.params);
  let bestLoss = Infinity;
  let stale = 0;
  let cutShort = false;

  for (let epoch = 1; epoch <= params.epochs; epoch++) {
    shuffleInPlace(fitRows, random);
    for (let start = 0; start < fitRows.length; start += batch) {
      const n = Math.min(batch, fitRows.length - start);
      loadBatch(design, x, fitRows, start, n, t, scratch.acts[0], yBatch);
      const out = forward(net, net.params, scratch, n);
      grad.fill(0);
      outputLoss(task, out, yBatch, n, n, outGrad);
      scratch.deltas[sizes.length - 1].set(outGrad.subarray(0, n * width));
      backward(net, net.params, scratch, n, grad);
      addWeightDecay(net, params.weightDecay, grad);
      adam.step(net.params, grad);
    }
    let stop = false;
    if (held > 0) {
      const loss = meanLoss(net, design, x, stopRows, t, task, scratch, outGrad, yBatch);
      if (loss < bestLoss * (1 - MIN_IMPROVEMENT) || !Number.isFinite(bestLoss)) {
        bestLoss = loss;
        best.set(net.params);
        stale = 0;
      } else if (++stale >= params.patience) {
        stop = true;
      }
    } else {
      best.set(net.params);
    }
    // Early stopping ends the work: progress then jumps to its total.
    budget.onRound?.(stop ? params.epochs : epoch, params.epochs);
    if (stop) break;
    await budget.yield();
    if (epoch < params.epochs && (budget.signal?.aborted || Date.now() > budget.deadline)) {
      cutShort = true;
      break;
    }
  }
  return {
    model: {
      kind: 'mlp',
      design,
      layers: exportLayers(net, best, mean, std),
      outputs: width,
      transform: task.kind === 'regression' ? 'identity' : task.kind === 'binary' ? 'sigmoid' : 'softmax',
    },
    cutShort,
  };
}

/**
 * Regression targets standardised on the fitting rows (the output layer learns unit-scale values).
 * `std` is the real one, 0 for a constant target: folded into the output layer it then makes every
 * prediction exactly the mean, whatever the network learned from the all-zero scaled target.
 */
function scaledTarget(task: MlpTask, y: Float64Array, fitRows: Int32Array): { t: Float64Array; mean: number; std: number } {
  if (task.kind !== 'regression') return { t: y, mean: 0, std: 1 };
  let mean = 0;
  for (const r of fitRows) mean += y[r];
  mean /= Math.max(1, fitRows.length);
  let ss = 0;
  for (const r of fitRows) ss += (y[r] - mean) ** 2;
  const std = Math.sqrt(ss / Math.max(1, fitRows.length));
  return { t: Float64Array.from(y, (v) => (v - mean) / (std || 1)), mean, std };
}

/** Output biases start at the class priors (log odds, log shares) so the first steps go to the features. */
function initOutputBias(net: Network, task: MlpTask, t: Float64Array, fitRows: Int32Array): void {
  if (task.kind === 'regression') return;
  const last = net.layers[net.layers.length - 1];
  const counts = new Float64Array(Math.max(2, last.outputs));
  for (const r of fitRows) counts[t[r]]++;
  if (task.kind === 'binary') {
    net.params[last.b] = Math.log(Math.max(counts[1], 1) / Math.max(counts[0], 1));
    return;
  }
  for (let k = 0; k < last.outputs; k++) net.params[last.b + k] = Math.log(Math.max(counts[k], 1) / Math.max(1, fitRows.length));
}

function loadBatch(
  design: StandardisedDesign, x: Float32Array, rows: Int32Array, start: number, n: number,
  t: Float64Array, input: Float64Array, yBatch: Float64Array,
): void {
  for (let i = 0; i < n; i++) {
    const r = rows[start + i];
    designRow(design, x, r * design.features, input.subarray(i * design.width, (i + 1) * design.width));
    yBatch[i] = t[r];
  }
}

/** Mean loss of the current weights on the set-aside rows, in chunks of the scratch's capacity. */
function meanLoss(
  net: Network, design: StandardisedDesign, x: Float32Array, rows: Int32Array, t: Float64Array, task: MlpTask,
  scratch: ReturnType<typeof createScratch>, outGrad: Float64Array, yBatch: Float64Array,
): number {
  let sum = 0;
  for (let start = 0; start < rows.length; start += scratch.capacity) {
    const n = Math.min(scratch.capacity, rows.length - start);
    loadBatch(design, x, rows, start, n, t, scratch.acts[0], yBatch);
    sum += outputLoss(task, forward(net, net.params, scratch, n), yBatch, n, 1, outGrad);
  }
  return sum / Math.max(1, rows.length);
}

/** grad += λ W on weights only; biases are not penalised. */
function addWeightDecay(net: Network, lambda: number, grad: Float64Array): void {
  if (lambda === 0) return;
  for (const layer of net.layers) {
    const end = layer.w + layer.inputs * layer.outputs;
    for (let i = layer.w; i < end; i++) grad[i] += lambda * net.params[i];
  }
}

/** Float32 layers from the kept weights; regression's output layer maps back to target units. */
function exportLayers(net: Network, params: Float64Array, mean: number, std: number): MlpLayer[] {
  return net.layers.map((layer, l) => {
    const last = l === net.layers.length - 1;
    const weights = Array.from(params.subarray(layer.w, layer.w + layer.inputs * layer.outputs), (w) => Math.fround(last ? w * std : w));
    const bias = Array.from(params.subarray(layer.b, layer.b + layer.outputs), (b) => Math.fround(last ? b * std + mean : b));
    return { inputs: layer.inputs, outputs: layer.outputs, weights, bias };
  });
}

function shuffleInPlace(a: Int32Array, random: Random): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const v = a[i];
    a[i] = a[j];
    a[j] = v;
  }
}
