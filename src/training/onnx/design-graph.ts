import type { StandardisedDesign } from '../mlp/standardised-design.ts';
import { type GraphBuilder, int } from './graph-builder.ts';

/**
 * The standardised design [N, width] from the base matrix, shared by LINEAR_LEARNER, MLP and
 * KMEANS: Gather the numeric columns, Sub mean, Mul 1/std, NaN -> 0 (mean imputation); Gather
 * each category column and compare it with its one-hot codes; Concat. Standardisation stays its
 * own Sub/Mul rather than being folded into the next weights: folded, a date's epoch-day column
 * (~20000, std ~300) would cancel in float32 and lose digits.
 */
export function designGraph(g: GraphBuilder, design: StandardisedDesign, features: string): string {
  const blocks: string[] = [];
  if (design.numeric.length > 0) {
    const cols = g.node('Gather', [features, g.int64s('cols', design.numeric.map((c) => c.column))], { axis: int(1) });
    const centred = g.node('Sub', [cols, g.floats('mean', design.numeric.map((c) => c.mean))]);
    const scaled = g.node('Mul', [centred, g.floats('scale', design.numeric.map((c) => c.scale))]);
    blocks.push(g.node('Where', [g.node('IsNaN', [scaled]), g.floats('zero', [0], []), scaled]));
  }
  for (const h of design.oneHot) {
    const code = g.node('Gather', [features, g.int64s('col', [h.column])], { axis: int(1) });
    const hot = g.node('Equal', [code, g.floats('codes', h.codes)]);
    blocks.push(g.node('Cast', [hot], { to: int(1 /* FLOAT */) }));
  }
  return blocks.length === 1 ? blocks[0] : g.node('Concat', blocks, { axis: int(1) });
}
