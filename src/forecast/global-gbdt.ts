import { gbdtMargins, type GbdtModel } from '../training/gbdt/gbdt-model.ts';
import { trainGbdt } from '../training/gbdt/gbdt-trainer.ts';
import { parseHyperparameters } from '../training/spec/hyperparameters.ts';
import { createRandom } from '../training/util/random.ts';
import { calendarFeatures, calendarWidth, type Frequency } from './frequency.ts';
import { seriesScale, type Series } from './series.ts';
import { drift } from './simple-methods.ts';

/** Lags beyond one season the model sees: enough to learn a trend's and a season's shape. */
const EXTRA_LAGS = 3;
/** Lags are rounded to this many series scales (see features). */
const LAG_GRID = 1e-3;
/** Training rows at most: longer histories are thinned evenly, keeping each series' newest window. */
const MAX_ROWS = 200_000;
/** Fewer training rows than this and the global model is not trained: every series uses drift. */
const MIN_ROWS = 10;
/** Shallow trees and a small step: many small series, where deep trees learn each one by heart. */
const PARAMS = parseHyperparameters({ num_round: '150', max_depth: '4', eta: '0.1' });

export interface GbdtBudget {
  deadline: number;
  signal?: AbortSignal;
  onRound?(done: number, total: number): void;
}

/**
 * The global gradient-boosted candidate: one model over every series at once. It predicts the
 * next step's first difference divided by the series' scale (mean absolute difference), from the
 * last season + 3 scaled differences, the calendar parts of the step predicted, the series' scale
 * (log) and its last level relative to its mean; applied recursively over the horizon. Because it
 * predicts differences, a constant change (a linear trend) is one value to learn, and a seasonal
 * pattern is the lag one season back.
 */
export class GlobalGbdt {
  private constructor(
    private readonly model: GbdtModel | null,
    private readonly lags: number,
    private readonly frequency: Frequency,
  ) {}

  static async fit(series: readonly Series[], frequency: Frequency, season: number, budget: GbdtBudget): Promise<GlobalGbdt> {
    const lags = season + EXTRA_LAGS;
    const width = featureWidth(lags, frequency);
    const rows: number[][] = [];
    const y: number[] = [];
    // Every stride-th window from each series' newest back, so that at most MAX_ROWS are built.
    const windows = series.reduce((n, s) => n + Math.max(0, s.values.length - 1 - lags), 0);
    const stride = Math.max(1, Math.ceil(windows / MAX_ROWS));
    for (const s of series) {
      const scale = seriesScale(s.values);
      const d = scaledDifferences(s.values, scale);
      const mean = meanOf(s.values);
      // d[t] is the change into values[t + 1]; its features need the `lags` changes before it.
      for (let t = lags; t < d.length; t++) {
        if ((d.length - 1 - t) % stride !== 0) continue;
        rows.push(features(d.slice(t - lags, t), s.values[t], mean, scale, s.firstBucket + t + 1, frequency));
        y.push(d[t]);
      }
    }
    if (rows.length < MIN_ROWS) return new GlobalGbdt(null, lags, frequency);
    const x = new Float32Array(rows.length * width);
    rows.forEach((r, i) => x.set(r, i * width));
    const { model } = await trainGbdt(
      { x, rows: rows.length, features: width, y: Float64Array.from(y), classCount: 0 },
      'reg:squarederror',
      PARAMS,
      createRandom(1),
      { deadline: budget.deadline, signal: budget.signal, onRound: budget.onRound, yield: () => new Promise((r) => setImmediate(r)) },
      'one',
    );
    return new GlobalGbdt(model, lags, frequency);
  }

  /** The next `horizon` values of a series; drift for one too short for the lags (or without a model). */
  forecast(s: Series, horizon: number): number[] {
    if (!this.model || s.values.length < this.lags + 2) return drift(s.values, horizon);
    const scale = seriesScale(s.values);
    const mean = meanOf(s.values);
    const d = scaledDifferences(s.values, scale);
    let level = s.values[s.values.length - 1];
    const out: number[] = [];
    for (let h = 0; h < horizon; h++) {
      const bucket = s.firstBucket + s.values.length + h;
      const x = Float32Array.from(features(d.slice(d.length - this.lags), level, mean, scale, bucket, this.frequency));
      const step = gbdtMargins(this.model, x, 1)[0];
      d.push(step);
      level += step * scale;
      out.push(level);
    }
    return out;
  }
}

function featureWidth(lags: number, frequency: Frequency): number {
  return lags + calendarWidth(frequency) + 2;
}

/**
 * Lags newest first, the step's calendar, log scale, last level in scales from the mean. The lags
 * are rounded to LAG_GRID: the trees' split points sit on values seen in training, and a recursive
 * prediction a rounding error below one (1.49997 for 1.5) would fall on the other side.
 */
function features(lagged: number[], level: number, mean: number, scale: number, bucket: number, frequency: Frequency): number[] {
  return [...lagged.reverse().map((v) => Math.round(v / LAG_GRID) * LAG_GRID), ...calendarFeatures(frequency, bucket), Math.log(scale), (level - mean) / scale];
}

function scaledDifferences(values: readonly number[], scale: number): number[] {
  const d: number[] = [];
  for (let t = 1; t < values.length; t++) d.push((values[t] - values[t - 1]) / scale);
  return d;
}

function meanOf(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}
