import type { MlpModel } from '../mlp/mlp-model.ts';
import { designGraph } from './design-graph.ts';
import type { GraphBuilder } from './graph-builder.ts';

/**
 * The network on the base matrix: the standardised design (design-graph.ts), then per layer
 * MatMul and Add, with Relu between layers. Returns the margins [N, outputs]; the shared output
 * head turns them into the contract's outputs.
 */
export function mlpGraph(g: GraphBuilder, model: MlpModel, features: string): string {
  let h = designGraph(g, model.design, features);
  model.layers.forEach((layer, l) => {
    const product = g.node('MatMul', [h, g.floats('weights', layer.weights, [layer.inputs, layer.outputs])]);
    h = g.node('Add', [product, g.floats('bias', layer.bias)]);
    if (l < model.layers.length - 1) h = g.node('Relu', [h]);
  });
  return h;
}
