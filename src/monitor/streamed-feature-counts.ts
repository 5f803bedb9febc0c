import type { FieldDescription } from '../protocol/backend-messages.ts';
import { BinaryOid } from '../protocol/binary-values.ts';
import type { LeadingColumns } from '../inference/feature-decoding.ts';
import { binaryFloat64Column } from '../inference/binary-feature-decoding.ts';
import type { FeatureBaseline } from './baseline.ts';

/** Rows, non-NULL values per feature, and each numeric feature's rows per baseline bin. */
export interface FeatureCounts {
  total: number;
  nonNull: Map<string, number>;
  bins: Map<string, number[]>;
}

/**
 * Types whose binary value gives, through binaryFloat64Column, exactly the float8 PostgreSQL's
 * cast makes of it: float8 and float4 as they are, integers rounded once to nearest (as C's
 * conversion), numeric through its text as numeric_float8 goes (float8in and Number() both round
 * correctly).
 */
const EXACT_AS_FLOAT8 = new Set<number>([BinaryOid.float8, BinaryOid.float4, BinaryOid.int2, BinaryOid.int4, BinaryOid.int8, BinaryOid.numeric]);

interface Counted {
  feature: string;
  column: number;
  /** Null for a categorical feature: only its non-NULL values are counted here. */
  edges: readonly number[] | null;
  nonNull: number;
  /** Non-NULL values per bin: bin i holds [edges[i-1], edges[i]), NaN the last. */
  bins: number[];
}

/**
 * DRIFT's counts of the features, made from the rows the model is scored on instead of a second
 * scan in PostgreSQL: the same numbers drift.ts's aggregate query gives, counted the same way
 * (NaN is below no edge, so it falls in the last bin, as PostgreSQL orders it above every number).
 */
export class StreamedFeatureCounts {
  private total = 0;
  private exact = true;

  private constructor(private readonly counted: Counted[]) {}

  /**
   * Counts for `features` from streamed columns (`columnOf` gives a feature's column, or -1), or
   * null when some feature cannot be counted exactly from them: it is not streamed, or its type
   * is no longer the baseline's (drift.ts reports that, with its own queries).
   */
  static of(features: readonly FeatureBaseline[], currentTypes: ReadonlyMap<string, string>, columnOf: (feature: string, type: string) => number): StreamedFeatureCounts | null {
    const counted: Counted[] = [];
    for (const f of features) {
      const column = columnOf(f.feature, f.type);
      if (column < 0 || currentTypes.get(f.feature) !== f.type) return null;
      const edges = f.kind === 'numeric' ? f.edges : null;
      counted.push({ feature: f.feature, column, edges, nonNull: 0, bins: new Array((edges?.length ?? 0) + 1).fill(0) });
    }
    return new StreamedFeatureCounts(counted);
  }

  /** One batch as PostgreSQL sent it. */
  add(columns: LeadingColumns, fields: readonly FieldDescription[]): void {
    // A numeric feature that did not come in a binary type that converts exactly: counts() is then
    // null, and the caller counts in PostgreSQL.
    for (const c of this.counted) {
      if (c.edges && !(fields[c.column]?.format === 1 && EXACT_AS_FLOAT8.has(fields[c.column].typeOid))) this.exact = false;
    }
    if (!this.exact) return;
    const rows = columns.rows.length;
    this.total += rows;
    const { extra, lengths } = columns;
    for (const c of this.counted) {
      let nonNull = 0;
      for (let r = 0, k = c.column; r < rows; r++, k += extra) if (lengths[k] >= 0) nonNull++;
      c.nonNull += nonNull;
      if (c.edges) countBins(c, columns, fields[c.column].typeOid);
    }
  }

  /** The counts of every batch added, or null if some could not be counted exactly here. */
  counts(): FeatureCounts | null {
    if (!this.exact) return null;
    const bins = new Map<string, number[]>();
    for (const c of this.counted) if (c.edges) bins.set(c.feature, [...c.bins]);
    return { total: this.total, nonNull: new Map(this.counted.map((c) => [c.feature, c.nonNull])), bins };
  }
}

/**
 * Adds a batch's non-NULL values of a numeric feature to its bins. The bin of x is the number of
 * edges x is not below (`x < edge` false): with strictly increasing edges, what
 * `count(*) FILTER (WHERE x < edge)` per edge gives PostgreSQL, whose NaN is below no edge.
 */
function countBins(c: Counted, columns: LeadingColumns, typeOid: number): void {
  const { rows, extra, starts, lengths } = columns;
  const edges = c.edges!;
  const last = edges.length;
  const bins = c.bins;
  // float8, by far the most common, read in place; other types through the model's decoding.
  const values = typeOid === BinaryOid.float8 ? null : binaryFloat64Column(columns, c.column, typeOid);
  for (let r = 0, k = c.column; r < rows.length; r++, k += extra) {
    if (lengths[k] < 0) continue;
    const v = values ? values[r] : rows[r].readDoubleBE(starts[k]);
    let bin = 0;
    while (bin < last && !(v < edges[bin])) bin++;
    bins[bin]++;
  }
}
