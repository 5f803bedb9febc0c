import type { UpstreamSession } from '../session/upstream-session.ts';
import { quoteIdent } from '../sql/identifiers.ts';
import { typeNameOfOid } from '../catalog/pg-types.ts';
import { binOf, PREDICTION_FEATURE, type PredictionBaseline } from './prediction-baseline.ts';
import { isCategorical, measured, type Baseline, type CategoricalBaseline, type FeatureBaseline, type NumericBaseline } from './baseline.ts';
import { pgArray } from '../sql/pg-array.ts';
import type { FeatureCounts } from './streamed-feature-counts.ts';

export const DEFAULT_PSI_THRESHOLD = 0.2;
export const DEFAULT_LINF_THRESHOLD = 0.1;
/** Empty bins count as this share, so PSI stays finite. */
const SMOOTHING = 1e-4;
/** A fall in completeness (share of non-NULL values) beyond this many points is drift. */
const COMPLETENESS_DROP = 0.05;

export interface DriftRow {
  feature: string;
  kind: 'numeric' | 'categorical';
  metric: 'psi' | 'linf' | null;
  value: number | null;
  threshold: number | null;
  drifted: boolean;
  baselineCount: number | null;
  currentCount: number | null;
  check: string;
}

/**
 * Population Stability Index over the baseline's bins: sum over bins of (current − baseline) ×
 * ln(current / baseline), shares of non-NULL rows, empty bins smoothed to 1e-4.
 */
export function psi(baseline: number[], current: number[]): number {
  const b = shares(baseline);
  const c = shares(current);
  let total = 0;
  for (let i = 0; i < b.length; i++) {
    const bi = Math.max(b[i], SMOOTHING);
    const ci = Math.max(c[i], SMOOTHING);
    total += (ci - bi) * Math.log(ci / bi);
  }
  return total;
}

/** L-infinity distance between category shares; keys absent on one side count 0 there. */
export function lInfinity(baseline: Map<string, number>, current: Map<string, number>): number {
  const b = shareMap(baseline);
  const c = shareMap(current);
  let worst = 0;
  for (const key of new Set([...b.keys(), ...c.keys()])) worst = Math.max(worst, Math.abs((b.get(key) ?? 0) - (c.get(key) ?? 0)));
  return worst;
}

/**
 * Compares data (as the caller reads it) with the baseline, with aggregates inside PostgreSQL.
 * `countedElsewhere`, given each column's type, may count the features itself as it reads the
 * rows for another purpose (StreamedFeatureCounts, while the model scores them), saving a scan;
 * it answers null to leave the counting to PostgreSQL.
 */
export async function measureDrift(
  link: UpstreamSession,
  baseline: Baseline,
  sourceSql: string,
  thresholds: { psi: number; linf: number },
  countedElsewhere?: (currentTypes: ReadonlyMap<string, string>) => Promise<FeatureCounts | null>,
): Promise<DriftRow[]> {
  const from = `FROM (${sourceSql}) AS current_data`;
  const described = await link.query(`SELECT * ${from} LIMIT 0`);
  const types = new Map(described.fields.map((f) => [f.name, f.typeOid]));
  const rows: DriftRow[] = [];
  const present = baseline.features.filter((f) => types.has(f.feature));
  // Numeric features still measured as numbers (not turned categorical or back): binned below.
  const binned = present.filter(
    (f): f is NumericBaseline => f.kind === 'numeric' && isCategorical(typeName(types.get(f.feature)!)) === isCategorical(f.type),
  );
  const currentTypes = new Map([...types].map(([name, oid]) => [name, typeName(oid)]));
  const { total, nonNull, bins } = (await countedElsewhere?.(currentTypes)) ?? (await countRowsAndBins(link, from, present, binned));
  if (total === 0) {
    // Nothing to compare (no rows captured yet, say): no verdict rather than a false alarm.
    return baseline.features.map((f) => ({
      feature: f.feature, kind: f.kind, metric: null, value: null, threshold: null, drifted: false,
      baselineCount: f.count, currentCount: 0, check: 'no rows to compare',
    }));
  }

  for (const f of baseline.features) {
    if (!types.has(f.feature)) {
      rows.push({ feature: f.feature, kind: f.kind, metric: null, value: null, threshold: null, drifted: true, baselineCount: f.count, currentCount: null, check: 'missing column' });
      continue;
    }
    const checks: string[] = [];
    let drifted = false;
    const baseComplete = f.count ? f.nonNull / f.count : 1;
    const currentComplete = total ? nonNull.get(f.feature)! / total : 1;
    if (baseComplete - currentComplete > COMPLETENESS_DROP) {
      drifted = true;
      checks.push(`completeness fell from ${percent(baseComplete)} to ${percent(currentComplete)}`);
    }
    const currentType = typeName(types.get(f.feature)!);
    if (currentType !== f.type) {
      if (isCategorical(currentType) !== isCategorical(f.type)) {
        drifted = true;
        checks.push(`data type changed from ${f.type} to ${currentType}`);
        rows.push({ feature: f.feature, kind: f.kind, metric: null, value: null, threshold: null, drifted, baselineCount: f.count, currentCount: total, check: checks.join('; ') });
        continue;
      }
      checks.push(`data type ${currentType}, was ${f.type}`);
    }
    if (f.kind === 'numeric') {
      const value = psi(f.binCounts, bins.get(f.feature)!);
      if (value > thresholds.psi) drifted = true;
      rows.push({ feature: f.feature, kind: 'numeric', metric: 'psi', value, threshold: thresholds.psi, drifted, baselineCount: f.count, currentCount: total, check: checks.join('; ') || 'ok' });
    } else {
      const { value, unseen } = await categoricalDrift(link, from, f);
      if (value > thresholds.linf) drifted = true;
      if (unseen.length) {
        drifted = true;
        checks.push(`unseen categories: ${unseen.slice(0, 5).join(', ')}${unseen.length > 5 ? ', ...' : ''}`);
      }
      rows.push({ feature: f.feature, kind: 'categorical', metric: 'linf', value, threshold: thresholds.linf, drifted, baselineCount: f.count, currentCount: total, check: checks.join('; ') || 'ok' });
    }
  }
  for (const name of types.keys()) {
    if (name !== baseline.target && !baseline.features.some((f) => f.feature === name)) {
      rows.push({ feature: name, kind: isCategorical(typeName(types.get(name)!)) ? 'categorical' : 'numeric', metric: null, value: null, threshold: null, drifted: false, baselineCount: null, currentCount: total, check: 'extra column' });
    }
  }
  return rows;
}

/**
 * Every row count DRIFT needs of the features, in one scan and one aggregate row (which
 * PostgreSQL runs in parallel): rows, non-NULL values per feature, and per numeric feature the
 * rows below each baseline edge, from which its bins follow. Bin i holds [edges[i-1], edges[i]),
 * as width_bucket(x, edges) numbers them: NaN above every edge, in the last bin.
 */
async function countRowsAndBins(
  link: UpstreamSession,
  from: string,
  present: readonly FeatureBaseline[],
  binned: readonly NumericBaseline[],
): Promise<FeatureCounts> {
  const parts = ['count(*)', ...present.map((f) => `count(${quoteIdent(f.feature)})`)];
  for (const f of binned) {
    const e = measured(f.feature, f.type);
    parts.push(`count(${e})`, ...f.edges.map((edge) => `count(*) FILTER (WHERE ${e} < '${edge}'::float8)`));
  }
  const counts = (await link.query(`SELECT ${parts.join(', ')} ${from}`)).rows[0].map(Number);
  const nonNull = new Map(present.map((f, i) => [f.feature, counts[1 + i]]));
  const bins = new Map<string, number[]>();
  let k = 1 + present.length;
  for (const f of binned) {
    const measuredRows = counts[k++];
    const below = counts.slice(k, (k += f.edges.length));
    bins.set(f.feature, [...below, measuredRows].map((n, i) => n - (i > 0 ? below[i - 1] : 0)));
  }
  return { total: counts[0], nonNull, bins };
}

/**
 * Shares by category; values the baseline never saw are a bucket of their own. PostgreSQL groups
 * the rows into the baseline's top values and the rest, so the answer is a bounded number of
 * rows however many distinct values the data has; up to six unseen ones are named.
 */
async function categoricalDrift(link: UpstreamSession, from: string, f: CategoricalBaseline): Promise<{ value: number; unseen: string[] }> {
  const value = `(${quoteIdent(f.feature)})::text`;
  const top = pgArray(f.top.map(([v]) => v));
  const r = await link.query(
    `SELECT CASE WHEN ${value} = ANY($1::text[]) THEN ${value} END, count(*) ${from} WHERE ${quoteIdent(f.feature)} IS NOT NULL GROUP BY 1`,
    [top],
  );
  const base = new Map(f.top);
  if (f.otherCount > 0) base.set('\u0000other', f.otherCount);
  const current = new Map<string, number>();
  let unseenRows = 0;
  for (const [known, n] of r.rows) {
    // Beyond the baseline's top values it may be one of the rarer known ones.
    if (known === null && f.otherCount === 0) unseenRows = Number(n);
    current.set(known ?? (f.otherCount > 0 ? '\u0000other' : '\u0000unseen'), Number(n));
  }
  const unseen = unseenRows === 0 ? [] : (await link.query(
    `SELECT DISTINCT ${value} COLLATE "C" ${from} WHERE ${quoteIdent(f.feature)} IS NOT NULL AND NOT (${value} = ANY($1::text[])) ORDER BY 1 LIMIT 6`,
    [top],
  )).rows.map(([v]) => v!);
  return { value: lInfinity(base, current), unseen };
}

function shares(counts: number[]): number[] {
  const total = counts.reduce((s, n) => s + n, 0);
  return counts.map((n) => (total ? n / total : 0));
}

function shareMap(counts: Map<string, number>): Map<string, number> {
  const total = [...counts.values()].reduce((s, n) => s + n, 0);
  return new Map([...counts].map(([k, n]) => [k, total ? n / total : 0]));
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

function typeName(oid: number): string {
  return typeNameOfOid(oid) ?? `oid ${oid}`;
}

/**
 * The model's outputs on current data, counted batch by batch as they are predicted: into the
 * baseline's bins for a numeric output, by label for a categorical one (labels the baseline
 * does not know fall into its "other" bucket, or an "unseen" one). Fixed memory however many rows.
 */
export class PredictionCounts {
  /** Non-NULL outputs. */
  count = 0;
  private readonly bins: number[];
  private readonly labels = new Map<string, number>();
  private readonly known: Set<string>;

  constructor(private readonly baseline: PredictionBaseline) {
    this.bins = new Array(baseline.kind === 'numeric' ? baseline.edges.length + 1 : 0).fill(0);
    this.known = new Set(baseline.kind === 'categorical' ? baseline.top.map(([label]) => label) : []);
  }

  /** Whether the baseline is of numbers (addNumbers) rather than labels. */
  get numeric(): boolean {
    return this.baseline.kind === 'numeric';
  }

  /** A batch of a regression's outputs as numbers (as `add` of each one's text). */
  addNumbers(values: Float32Array): void {
    const b = this.baseline;
    if (b.kind !== 'numeric') throw new Error('a categorical prediction baseline counts labels, not numbers');
    this.count += values.length;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (Number.isFinite(v)) this.bins[binOf(v, b.edges)]++;
    }
  }

  /** One output as PostgreSQL text; NULL is not counted. */
  add(output: string | null): void {
    if (output === null) return;
    this.count++;
    const b = this.baseline;
    if (b.kind === 'numeric') {
      // As binCounts: non-finite outputs count as rows but fall in no bin.
      const v = Number(output);
      if (Number.isFinite(v)) this.bins[binOf(v, b.edges)]++;
      return;
    }
    const key = this.known.has(output) ? output : b.otherCount > 0 ? OTHER : UNSEEN;
    this.labels.set(key, (this.labels.get(key) ?? 0) + 1);
  }

  /** The prediction's row of DRIFT: these outputs against the training rows' outputs. */
  drift(thresholds: { psi: number; linf: number }): DriftRow {
    const b = this.baseline;
    const common = { feature: PREDICTION_FEATURE, baselineCount: b.count, currentCount: this.count };
    if (this.count === 0) {
      return { ...common, kind: b.kind, metric: null, value: null, threshold: null, drifted: false, check: 'no rows to compare' };
    }
    if (b.kind === 'numeric') {
      const value = psi(b.binCounts, this.bins);
      return { ...common, kind: 'numeric', metric: 'psi', value, threshold: thresholds.psi, drifted: value > thresholds.psi, check: 'ok' };
    }
    const base = new Map(b.top);
    if (b.otherCount > 0) base.set(OTHER, b.otherCount);
    const value = lInfinity(base, this.labels);
    return { ...common, kind: 'categorical', metric: 'linf', value, threshold: thresholds.linf, drifted: value > thresholds.linf, check: 'ok' };
  }
}

const OTHER = '\u0000other';
const UNSEEN = '\u0000unseen';
