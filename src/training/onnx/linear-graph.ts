import type { LinearModel } from '../linear/linear-model.ts';
import { type GraphBuilder, int } from './graph-builder.ts';

/**
 * The linear model on the base matrix: Gather the numeric columns, Sub mean, Mul 1/std, NaN -> 0
 * (mean imputation); Gather each category column and compare it with its one-hot codes; Concat,
 * MatMul, Add. Standardisation is kept as its own Sub/Mul rather than folded into the weights:
 * folded, a date's epoch-day column (~20000, std ~300) would cancel in float32 and lose digits.
 */
export function linearGraph(g: GraphBuilder, model: LinearModel, features: string): string {
  const blocks: string[] = [];
  if (model.numeric.length > 0) {
    const cols = g.node('Gather', [features, g.int64s('cols', model.numeric.map((c) => c.column))], { axis: int(1) });
    const centred = g.node('Sub', [cols, g.floats('mean', model.numeric.map((c) => c.mean))]);
    const scaled = g.node('Mul', [centred, g.floats('scale', model.numeric.map((c) => c.scale))]);
    blocks.push(g.node('Where', [g.node('IsNaN', [scaled]), g.floats('zero', [0], []), scaled]));
  }
  for (const h of model.oneHot) {
    const code = g.node('Gather', [features, g.int64s('col', [h.column])], { axis: int(1) });
    const hot = g.node('Equal', [code, g.floats('codes', h.codes)]);
    blocks.push(g.node('Cast', [hot], { to: int(1 /* FLOAT */) }));
  }
  const design = blocks.length === 1 ? blocks[0] : g.node('Concat', blocks, { axis: int(1) });
  const product = g.node('MatMul', [design, g.floats('weights', model.weights, [model.width, model.outputs])]);
  return g.node('Add', [product, g.floats('bias', model.bias)]);
}
