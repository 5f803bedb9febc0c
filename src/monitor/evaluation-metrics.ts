import { ExactAuc } from './exact-auc.ts';

/**
 * Metrics of EVALUATE MODEL, accumulated batch by batch so any number of rows fits in memory
 * (AUC counts rows by distinct score, spilling to disk beyond a bound: exact-auc.ts).
 */
export interface RegressionMetrics {
  mse: number;
  rmse: number;
  mae: number;
  r2: number;
}

export class RegressionAccumulator {
  private n = 0;
  private sumY = 0;
  private sumY2 = 0;
  private sse = 0;
  private sae = 0;

  add(actual: number, predicted: number): void {
    const e = actual - predicted;
    this.n++;
    this.sumY += actual;
    this.sumY2 += actual * actual;
    this.sse += e * e;
    this.sae += Math.abs(e);
  }

  get rows(): number {
    return this.n;
  }

  result(): RegressionMetrics {
    const mse = this.sse / this.n;
    const sst = this.sumY2 - (this.sumY * this.sumY) / this.n;
    return { mse, rmse: Math.sqrt(mse), mae: this.sae / this.n, r2: sst > 0 ? 1 - this.sse / sst : 0 };
  }
}

export interface ClassificationMetrics {
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  /** Binary models only: the area under the ROC curve of the positive class's probability. */
  auc: number | null;
  /** confusion[actual][predicted] = rows. */
  confusion: Record<string, Record<string, number>>;
}

export class ClassificationAccumulator {
  private confusion = new Map<string, Map<string, number>>();
  private readonly scores = new ExactAuc();
  private scored = 0;
  private n = 0;

  /** `positive`: the class whose precision/recall/F1 a binary model reports; null for multiclass (macro averages). */
  constructor(private readonly positive: string | null) {}

  add(actual: string, predicted: string, positiveProbability?: number): void {
    this.n++;
    const row = this.confusion.get(actual) ?? new Map<string, number>();
    row.set(predicted, (row.get(predicted) ?? 0) + 1);
    this.confusion.set(actual, row);
    if (positiveProbability !== undefined && this.positive !== null) {
      this.scores.add(positiveProbability, actual === this.positive);
      this.scored++;
    }
  }

  get rows(): number {
    return this.n;
  }

  result(): ClassificationMetrics {
    const classes = new Set<string>();
    for (const [actual, row] of this.confusion) {
      classes.add(actual);
      for (const predicted of row.keys()) classes.add(predicted);
    }
    const count = (a: string, p: string) => this.confusion.get(a)?.get(p) ?? 0;
    let correct = 0;
    for (const c of classes) correct += count(c, c);
    const perClass = (c: string) => {
      let predictedAsC = 0;
      let actuallyC = 0;
      for (const other of classes) {
        predictedAsC += count(other, c);
        actuallyC += count(c, other);
      }
      const precision = predictedAsC ? count(c, c) / predictedAsC : 0;
      const recall = actuallyC ? count(c, c) / actuallyC : 0;
      const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
      return { precision, recall, f1 };
    };
    let summary: { precision: number; recall: number; f1: number };
    if (this.positive !== null) {
      summary = perClass(this.positive);
    } else {
      const all = [...classes].map(perClass);
      summary = {
        precision: all.reduce((s, m) => s + m.precision, 0) / all.length,
        recall: all.reduce((s, m) => s + m.recall, 0) / all.length,
        f1: all.reduce((s, m) => s + m.f1, 0) / all.length,
      };
    }
    const confusion: Record<string, Record<string, number>> = {};
    for (const a of [...classes].sort()) {
      confusion[a] = {};
      for (const p of [...classes].sort()) confusion[a][p] = count(a, p);
    }
    return { accuracy: correct / this.n, ...summary, auc: this.auc(), confusion };
  }

  /** Mann–Whitney: the chance a random positive row scores above a random negative one (ties count half). */
  private auc(): number | null {
    if (this.positive === null || this.scored === 0) {
      this.scores.close();
      return null;
    }
    return this.scores.result();
  }

  /** Drops what the AUC holds (temporary files) when the evaluation ends early. */
  close(): void {
    this.scores.close();
  }
}
