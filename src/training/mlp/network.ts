import type { Random } from '../util/random.ts';

/**
 * The network being trained, in float64: dense layers sizes[0] -> sizes[1] -> ... with ReLU after
 * every layer but the last. All weights and biases live in one flat vector (per layer: weights
 * row-major inputs × outputs, then biases) so the optimiser sees a single array.
 */
export interface Network {
  sizes: number[];
  params: Float64Array;
  /** Start of each layer's weights and biases in params. */
  layers: Array<{ inputs: number; outputs: number; w: number; b: number }>;
}

export function createNetwork(sizes: number[], random: Random): Network {
  const layers: Network['layers'] = [];
  let at = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const inputs = sizes[l];
    const outputs = sizes[l + 1];
    layers.push({ inputs, outputs, w: at, b: at + inputs * outputs });
    at += inputs * outputs + outputs;
  }
  const params = new Float64Array(at);
  layers.forEach((layer, l) => {
    // He initialisation for layers feeding a ReLU, Glorot-like (1/fan_in) for the output layer.
    const last = l === layers.length - 1;
    const std = Math.sqrt((last ? 1 : 2) / Math.max(1, layer.inputs));
    for (let i = 0; i < layer.inputs * layer.outputs; i++) params[layer.w + i] = std * gaussian(random);
  });
  return { sizes, params, layers };
}

/** Activations and deltas for batches of up to `capacity` rows, allocated once. */
export interface Scratch {
  capacity: number;
  /** acts[0] is the input; acts[l + 1] the output of layer l (after ReLU except the last). */
  acts: Float64Array[];
  deltas: Float64Array[];
}

export function createScratch(net: Network, capacity: number): Scratch {
  return {
    capacity,
    acts: net.sizes.map((n) => new Float64Array(capacity * n)),
    deltas: net.sizes.map((n) => new Float64Array(capacity * n)),
  };
}

/** Fills s.acts for `rows` rows of s.acts[0]; returns the output layer's activations. */
export function forward(net: Network, params: Float64Array, s: Scratch, rows: number): Float64Array {
  net.layers.forEach((layer, l) => {
    const input = s.acts[l];
    const out = s.acts[l + 1];
    const { inputs, outputs } = layer;
    for (let r = 0; r < rows; r++) {
      const o0 = r * outputs;
      for (let o = 0; o < outputs; o++) out[o0 + o] = params[layer.b + o];
      for (let i = 0; i < inputs; i++) {
        const a = input[r * inputs + i];
        if (a === 0) continue; // one-hot, imputed and ReLU-dead inputs are often zero
        const w0 = layer.w + i * outputs;
        for (let o = 0; o < outputs; o++) out[o0 + o] += a * params[w0 + o];
      }
      if (l < net.layers.length - 1) for (let o = 0; o < outputs; o++) if (out[o0 + o] < 0) out[o0 + o] = 0;
    }
  });
  return s.acts[net.sizes.length - 1];
}

/**
 * Backpropagates s.deltas[last] (d loss / d output, already set) through the layers of the last
 * forward() and adds the gradient to grad (same layout as params).
 */
export function backward(net: Network, params: Float64Array, s: Scratch, rows: number, grad: Float64Array): void {
  for (let l = net.layers.length - 1; l >= 0; l--) {
    const layer = net.layers[l];
    const { inputs, outputs } = layer;
    const input = s.acts[l];
    const delta = s.deltas[l + 1];
    const back = s.deltas[l];
    for (let r = 0; r < rows; r++) {
      const d0 = r * outputs;
      for (let o = 0; o < outputs; o++) grad[layer.b + o] += delta[d0 + o];
      for (let i = 0; i < inputs; i++) {
        const a = input[r * inputs + i];
        const w0 = layer.w + i * outputs;
        if (a !== 0) for (let o = 0; o < outputs; o++) grad[w0 + o] += a * delta[d0 + o];
        if (l === 0) continue;
        // The input of this layer is the ReLU output of the one before: no gradient where it is 0.
        if (a === 0) {
          back[r * inputs + i] = 0;
          continue;
        }
        let sum = 0;
        for (let o = 0; o < outputs; o++) sum += delta[d0 + o] * params[w0 + o];
        back[r * inputs + i] = sum;
      }
    }
  }
}

/** Standard normal by Box–Muller from the seeded generator. */
function gaussian(random: Random): number {
  const u = 1 - random.next();
  const v = random.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
