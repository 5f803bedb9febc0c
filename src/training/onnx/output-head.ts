import type { OutputTransform } from '../gbdt/objectives.ts';
import { type GraphBuilder, int } from './graph-builder.ts';

/**
 * Margins [N, outputs] to the contract's outputs: 'variable' [N,1] float32 for regression;
 * 'label' [N] int64 (class index) and 'probabilities' [N, C] float32 for classification, with
 * binary probabilities as [sigmoid(-m), sigmoid(m)] and the label as ArgMax over them (ties to the lower index).
 */
export function outputHead(g: GraphBuilder, transform: OutputTransform, classification: boolean, classCount: number, margin: string): void {
  if (!classification) {
    if (transform === 'sigmoid') logistic(g, g.node('Neg', [margin]), 'variable');
    else g.node(transform === 'exp' ? 'Exp' : 'Identity', [margin], {}, { output: 'variable' });
    g.output('variable', 'float32', [null, 1]);
    return;
  }
  let probabilities: string;
  if (transform === 'softmax') {
    probabilities = g.node('Softmax', [margin], { axis: int(1) }, { output: 'probabilities' });
  } else {
    let positive: string;
    let negative: string;
    if (transform === 'hinge') {
      positive = g.node('Cast', [g.node('Greater', [margin, g.floats('zero', [0], [])])], { to: int(1 /* FLOAT */) });
      negative = g.node('Sub', [g.floats('one', [1], []), positive]);
    } else {
      // sigmoid(-m) rather than 1 - sigmoid(m): a small probability keeps its relative precision.
      positive = logistic(g, g.node('Neg', [margin]));
      negative = logistic(g, margin);
    }
    probabilities = g.node('Concat', [negative, positive], { axis: int(1) }, { output: 'probabilities' });
  }
  g.node('ArgMax', [probabilities], { axis: int(1), keepdims: int(0) }, { output: 'label' });
  g.output('label', 'int64', [null]);
  g.output('probabilities', 'float32', [null, classCount]);
}

/**
 * 1 / (1 + exp(-x)) from Exp, Add and Div, given -x. onnxruntime's Sigmoid kernel is a rational
 * approximation accurate only in absolute terms (a probability of 1e-3 came out 6e-5 off
 * relatively); Exp is accurate to an ulp or two and Add/Div are exact IEEE float32 steps that the
 * trainer repeats with Math.fround.
 */
function logistic(g: GraphBuilder, negated: string, output?: string): string {
  const one = g.floats('one', [1], []);
  return g.node('Div', [one, g.node('Add', [one, g.node('Exp', [negated])])], {}, output ? { output } : {});
}
