import type { LinearModel } from '../linear/linear-model.ts';
import { designGraph } from './design-graph.ts';
import type { GraphBuilder } from './graph-builder.ts';

/** The linear model on the base matrix: the standardised design (design-graph.ts), MatMul, Add. */
export function linearGraph(g: GraphBuilder, model: LinearModel, features: string): string {
  const design = designGraph(g, model, features);
  const product = g.node('MatMul', [design, g.floats('weights', model.weights, [model.width, model.outputs])]);
  return g.node('Add', [product, g.floats('bias', model.bias)]);
}
