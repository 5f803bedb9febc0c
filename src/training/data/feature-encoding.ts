import { TrainingInputError } from '../training-errors.ts';
import type { FeatureType, TrainingColumn } from '../types.ts';
import { evaluate } from './arith-expr.ts';
import { datePartsOf, type TemporalType } from './date-parts.ts';
import { isTemporalType, numberOf, secondsOf, textOf } from './input-values.ts';
import { isTextType } from './target-encoder.ts';

/**
 * How each feature column becomes numeric "base columns" (float32, NaN = missing). Trees read the
 * base matrix as it is; the linear learner standardises and one-hot encodes it further. The ONNX
 * preprocessing graph computes exactly this matrix.
 */
export type FeatureEncoding =
  | { kind: 'number'; name: string; type: FeatureType; input: string }
  | { kind: 'category'; name: string; type: FeatureType; input: string; categories: string[]; counts: number[] }
  | { kind: 'temporal'; name: string; type: TemporalType; input: string };

export interface BaseColumn {
  name: string;
  feature: number;
  /** Category codes are 0..count-1 (NaN = NULL, empty or unseen); numbers are anything else. */
  kind: 'number' | 'category';
  categoryCount: number;
}

export interface EncodingPlan {
  features: FeatureEncoding[];
  columns: BaseColumn[];
}

/** Most frequent categories kept per text feature; rarer ones are treated as unseen (missing). */
export const MAX_CATEGORIES = 1000;

const OUTPUT_NAMES = new Set(['variable', 'label', 'probabilities']);

export const FEATURE_TYPES: FeatureType[] = [
  'int2', 'int4', 'int8', 'numeric', 'float4', 'float8', 'bool', 'char', 'bpchar', 'varchar',
  'text', 'date', 'time', 'timestamp', 'timestamptz',
];

/**
 * Fits the plan on the training rows. `order` scores rows (the target for regression, the class
 * id for binary, undefined for multiclass): categories are coded in order of their mean score, so
 * a tree's ordinal split on the code separates low-target from high-target categories.
 */
export function fitEncoding(
  features: TrainingColumn[],
  rows: Int32Array,
  order: Float64Array | undefined,
): EncodingPlan {
  const used = new Set(features.map((f) => f.name));
  const encodings = features.map((f): FeatureEncoding => {
    if (!FEATURE_TYPES.includes(f.type)) {
      throw new TrainingInputError(`feature ${f.name} has type ${f.type}, which cannot be used to train a model`);
    }
    const input = inputName(f.name, used);
    if (isTextType(f.type)) return { kind: 'category', name: f.name, type: f.type, input, ...fitCategories(f, rows, order) };
    if (isTemporalType(f.type)) return { kind: 'temporal', name: f.name, type: f.type, input };
    return { kind: 'number', name: f.name, type: f.type, input };
  });
  const columns: BaseColumn[] = [];
  encodings.forEach((e, feature) => {
    if (e.kind === 'temporal') {
      for (const p of datePartsOf(e.type)) columns.push({ name: `${e.name}.${p.name}`, feature, kind: 'number', categoryCount: 0 });
    } else if (e.kind === 'category') {
      columns.push({ name: e.name, feature, kind: 'category', categoryCount: e.categories.length });
    } else {
      columns.push({ name: e.name, feature, kind: 'number', categoryCount: 0 });
    }
  });
  return { features: encodings, columns };
}

/** A feature named like an output gets a suffixed input name: ONNX names must be unique. */
function inputName(name: string, used: Set<string>): string {
  if (!OUTPUT_NAMES.has(name)) return name;
  let candidate = `${name}_input`;
  while (used.has(candidate) || OUTPUT_NAMES.has(candidate)) candidate += '_';
  used.add(candidate);
  return candidate;
}

function fitCategories(
  f: TrainingColumn,
  rows: Int32Array,
  order: Float64Array | undefined,
): { categories: string[]; counts: number[] } {
  const stats = new Map<string, { count: number; sum: number }>();
  rows.forEach((r, i) => {
    const s = textOf(f.values[r]);
    if (s === '') return;
    const st = stats.get(s) ?? { count: 0, sum: 0 };
    st.count++;
    st.sum += order === undefined ? 0 : order[i];
    stats.set(s, st);
  });
  const byFrequency = [...stats.entries()]
    .sort((a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, MAX_CATEGORIES);
  if (order !== undefined) {
    byFrequency.sort(
      (a, b) => a[1].sum / a[1].count - b[1].sum / b[1].count || b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1),
    );
  }
  return { categories: byFrequency.map((e) => e[0]), counts: byFrequency.map((e) => e[1].count) };
}

/** The base matrix, row-major rows × plan.columns.length, for the given rows (default: all). */
export function encodeMatrix(plan: EncodingPlan, features: TrainingColumn[], rows?: Int32Array): Float32Array {
  const n = rows === undefined ? (features[0]?.values.length ?? 0) : rows.length;
  const k = plan.columns.length;
  const out = new Float32Array(n * k);
  const rowAt = rows === undefined ? (i: number) => i : (i: number) => rows[i];
  let col = 0;
  plan.features.forEach((e, fi) => {
    const values = features[fi].values;
    if (e.kind === 'number') {
      for (let i = 0; i < n; i++) out[i * k + col] = numberOf(values[rowAt(i)]);
      col++;
    } else if (e.kind === 'category') {
      const codes = new Map(e.categories.map((c, i) => [c, i]));
      for (let i = 0; i < n; i++) out[i * k + col] = codes.get(textOf(values[rowAt(i)])) ?? NaN;
      col++;
    } else {
      const seconds = new Float64Array(n);
      for (let i = 0; i < n; i++) seconds[i] = secondsOf(e.type, values[rowAt(i)]);
      const memo = new Map();
      for (const part of datePartsOf(e.type)) {
        const v = evaluate(part.expr, seconds, memo);
        for (let i = 0; i < n; i++) out[i * k + col] = v[i];
        col++;
      }
    }
  });
  return out;
}
