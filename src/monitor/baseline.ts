import type { UpstreamSession } from '../session/upstream-session.ts';
import { featureSelectExpression } from '../snapshot/feature-select-expression.ts';
import type { SnapshotColumn } from '../snapshot/snapshot-columns.ts';
import { quoteIdent } from '../sql/identifiers.ts';
import type { PredictionBaseline } from './prediction-baseline.ts';

/** A feature's distribution in the training data. Dates and times are measured as epoch seconds. */
export type FeatureBaseline = NumericBaseline | CategoricalBaseline;

export interface NumericBaseline {
  feature: string;
  kind: 'numeric';
  type: string;
  count: number;
  nonNull: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  std: number | null;
  /** Decile edges (strictly increasing); bin i holds values in [edges[i-1], edges[i]), the outer bins are open. */
  edges: number[];
  binCounts: number[];
}

export interface CategoricalBaseline {
  feature: string;
  kind: 'categorical';
  type: string;
  count: number;
  nonNull: number;
  /** The most frequent values with their counts, most frequent first. */
  top: Array<[string, number]>;
  /** Non-NULL rows whose value is not among `top`. */
  otherCount: number;
}

export interface Baseline {
  rows: number;
  features: FeatureBaseline[];
  /** The TARGET column: in data compared later it is expected, not an extra column. */
  target?: string;
  /** The model's output on its training rows, added when training ends. */
  prediction?: PredictionBaseline | null;
}

const TOP_VALUES = 100;
const DECILES = 'ARRAY[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]';
const CATEGORICAL = new Set(['bool', 'char', 'bpchar', 'varchar', 'text']);

export function isCategorical(type: string): boolean {
  return CATEGORICAL.has(type);
}

/** The expression a numeric feature is measured by: the model's own input, as float8. */
export function measured(column: string, type: string): string {
  return `(${featureSelectExpression(quoteIdent(column), type)})::float8`;
}

/**
 * Measures every feature of the training data with aggregates inside PostgreSQL, on the caller's
 * session: counts, completeness, numeric moments and decile edges with their counts, the top
 * values of categorical features.
 */
export async function measureBaseline(
  link: UpstreamSession,
  sourceSql: string,
  features: SnapshotColumn[],
  target?: string,
): Promise<Baseline> {
  const from = `FROM (${sourceSql}) AS baseline_data`;
  const numeric = features.filter((f) => !isCategorical(f.type));
  const parts = ['count(*)'];
  for (const f of features) parts.push(`count(${quoteIdent(f.name)})`);
  for (const f of numeric) {
    const e = measured(f.name, f.type);
    parts.push(`min(${e})`, `max(${e})`, `avg(${e})`, `stddev_pop(${e})`, `percentile_cont(${DECILES}) WITHIN GROUP (ORDER BY ${e})`);
  }
  const summary = (await link.query(`SELECT ${parts.join(', ')} ${from}`)).rows[0];
  const rows = Number(summary[0]);
  const nonNull = new Map(features.map((f, i) => [f.name, Number(summary[1 + i])]));
  const out: FeatureBaseline[] = [];
  let k = 1 + features.length;
  const stats = new Map<string, Array<string | null>>();
  for (const f of numeric) {
    stats.set(f.name, summary.slice(k, k + 5));
    k += 5;
  }
  for (const f of features) {
    if (isCategorical(f.type)) {
      const top = await link.query(
        `SELECT (${quoteIdent(f.name)})::text, count(*) ${from} WHERE ${quoteIdent(f.name)} IS NOT NULL
          GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${TOP_VALUES}`,
      );
      const values = top.rows.map(([v, n]) => [v!, Number(n)] as [string, number]);
      const inTop = values.reduce((s, [, n]) => s + n, 0);
      out.push({ feature: f.name, kind: 'categorical', type: f.type, count: rows, nonNull: nonNull.get(f.name)!, top: values, otherCount: nonNull.get(f.name)! - inTop });
      continue;
    }
    const [min, max, mean, std, deciles] = stats.get(f.name)!;
    const edges = parseArray(deciles).filter((e, i, all) => i === 0 || e > all[i - 1]);
    const binCounts = await countBins(link, from, measured(f.name, f.type), edges);
    out.push({
      feature: f.name,
      kind: 'numeric',
      type: f.type,
      count: rows,
      nonNull: nonNull.get(f.name)!,
      min: num(min),
      max: num(max),
      mean: num(mean),
      std: num(std),
      edges,
      binCounts,
    });
  }
  return { rows, features: out, target };
}

/** Rows per bin of `edges` (width_bucket: 0 below the first edge, edges.length at or above the last). */
export async function countBins(link: UpstreamSession, from: string, expression: string, edges: number[]): Promise<number[]> {
  const counts = new Array(edges.length + 1).fill(0);
  if (edges.length === 0) {
    const r = await link.query(`SELECT count(*) ${from} WHERE ${expression} IS NOT NULL`);
    counts[0] = Number(r.rows[0][0]);
    return counts;
  }
  const r = await link.query(
    `SELECT width_bucket(${expression}, $1::float8[]), count(*) ${from} WHERE ${expression} IS NOT NULL GROUP BY 1`,
    [`{${edges.join(',')}}`],
  );
  for (const [bucket, n] of r.rows) counts[Number(bucket)] = Number(n);
  return counts;
}

function parseArray(text: string | null): number[] {
  if (!text) return [];
  return text.replace(/[{}]/g, '').split(',').filter(Boolean).map(Number);
}

function num(text: string | null): number | null {
  return text === null ? null : Number(text);
}
