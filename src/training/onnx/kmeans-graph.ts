import type { KmeansModel } from '../kmeans/kmeans-model.ts';
import { designGraph } from './design-graph.ts';
import { type GraphBuilder, int } from './graph-builder.ts';

/**
 * Cluster ids from the base matrix: the standardised design (design-graph.ts), then for each
 * design column j in order, Gather it ([N, 1]), Sub the K centres' j-th coordinates (-> [N, K]),
 * square with Mul and Add into the running sum; ArgMin over the K sums is 'label' (int64 [N]).
 * Column by column rather than ReduceSum or the |x|² - 2x·c + |c|² MatMul form: every step is an
 * elementwise float32 operation in a fixed order, so the trainer reproduces the distances bit for
 * bit and the labels agree exactly, ties included.
 */
export function kmeansGraph(g: GraphBuilder, model: KmeansModel, features: string): void {
  const design = designGraph(g, model.design, features);
  const d = model.design.width;
  let sum = '';
  for (let j = 0; j < d; j++) {
    const column = g.node('Gather', [design, g.int64s('col', [j])], { axis: int(1) });
    const coordinates = Array.from({ length: model.k }, (_, c) => model.centroids[c * d + j]);
    const diff = g.node('Sub', [column, g.floats('centre', coordinates)]);
    const square = g.node('Mul', [diff, diff]);
    sum = j === 0 ? square : g.node('Add', [sum, square]);
  }
  g.node('ArgMin', [sum], { axis: int(1), keepdims: int(0), select_last_index: int(0) }, { output: 'label' });
  g.output('label', 'int64', [null]);
}
