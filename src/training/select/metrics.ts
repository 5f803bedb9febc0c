import type { MetricName, Predictions } from '../types.ts';

/** Validation metrics (lower-case names, as SHOW MODEL prints validation:<name>). */
export function metricValue(metric: MetricName, predictions: Predictions, truth: Float64Array): number {
  if (predictions instanceof Float64Array) {
    let s = 0;
    for (let i = 0; i < truth.length; i++) s += (predictions[i] - truth[i]) ** 2;
    return s / Math.max(1, truth.length);
  }
  const { labels, probabilities } = predictions;
  switch (metric) {
    case 'mse':
      throw new Error('mse needs regression predictions');
    case 'accuracy': {
      let hit = 0;
      for (let i = 0; i < truth.length; i++) if (labels[i] === truth[i]) hit++;
      return hit / Math.max(1, truth.length);
    }
    case 'f1':
      return f1For(1, labels, truth);
    case 'f1macro': {
      const classes = probabilities[0]?.length ?? 2;
      let s = 0;
      for (let c = 0; c < classes; c++) s += f1For(c, labels, truth);
      return s / classes;
    }
    case 'auc':
      return auc(probabilities.map((p) => p[1]), truth);
  }
}

export function higherIsBetter(metric: MetricName): boolean {
  return metric !== 'mse';
}

function f1For(c: number, labels: Int32Array, truth: Float64Array): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < truth.length; i++) {
    if (labels[i] === c && truth[i] === c) tp++;
    else if (labels[i] === c) fp++;
    else if (truth[i] === c) fn++;
  }
  return 2 * tp + fp + fn === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
}

/** Mann–Whitney AUC with tied scores counted half. */
function auc(scores: number[], truth: Float64Array): number {
  const order = scores.map((s, i) => ({ s, y: truth[i] })).sort((a, b) => a.s - b.s);
  let rankSum = 0;
  let positives = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j < order.length && order[j].s === order[i].s) j++;
    const rank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) {
      if (order[k].y === 1) {
        rankSum += rank;
        positives++;
      }
    }
    i = j;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return 0.5;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
