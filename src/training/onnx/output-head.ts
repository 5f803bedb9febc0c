import type { OutputTransform } from '../gbdt/objectives.ts';
import { type GraphBuilder, int } from './graph-builder.ts';

/**
 * Margins [N, outputs] to the contract's outputs: 'variable' [N,1] float32 for regression;
 * 'label' [N] int64 (class index) and 'probabilities' [N, C] float32 for classification, with
 * binary probabilities as [1 - p, p] and the label as ArgMax over them (ties to the lower index).
 */
export function outputHead(g: GraphBuilder, transform: OutputTransform, classification: boolean, classCount: number, margin: string): void {
  if (!classification) {
    const op = { identity: 'Identity', sigmoid: 'Sigmoid', exp: 'Exp', softmax: 'Identity', hinge: 'Identity' }[transform];
    g.node(op, [margin], {}, { output: 'variable' });
    g.output('variable', 'float32', [null, 1]);
    return;
  }
  let probabilities: string;
  if (transform === 'softmax') {
    probabilities = g.node('Softmax', [margin], { axis: int(1) }, { output: 'probabilities' });
  } else {
    const positive = transform === 'hinge'
      ? g.node('Cast', [g.node('Greater', [margin, g.floats('zero', [0], [])])], { to: int(1 /* FLOAT */) })
      : g.node('Sigmoid', [margin]);
    const negative = g.node('Sub', [g.floats('one', [1], []), positive]);
    probabilities = g.node('Concat', [negative, positive], { axis: int(1) }, { output: 'probabilities' });
  }
  g.node('ArgMax', [probabilities], { axis: int(1), keepdims: int(0) }, { output: 'label' });
  g.output('label', 'int64', [null]);
  g.output('probabilities', 'float32', [null, classCount]);
}
