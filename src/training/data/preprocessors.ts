import { TrainingInputError } from '../training-errors.ts';
import type { TrainingColumn } from '../types.ts';
import { type BaseColumn, encodeMatrix, type EncodingPlan } from './feature-encoding.ts';

/**
 * PREPROCESSORS: transformers fitted on the training rows of the base matrix and applied, in the
 * trainer (applyPreprocessing) and in the ONNX graph (onnx/preprocessor-graph.ts), between the
 * base matrix and the model. The semantics are documented in onnx-contract.md ("Preprocessors").
 *
 * The fitted pipeline is a list of ops over "slots" (columns, SSA style: every op writes new slot
 * ids); slots 0..k-1 are the base matrix's columns. Every op is float32 elementwise math rounded
 * at each step (Math.fround), as onnxruntime computes it, except the Normalizer's norm, which is
 * computed in float64 on both sides (so the graph's Sqrt is exact) and rounded once at the end.
 */
export const TRANSFORMER_NAMES = [
  'OneHotEncoder', 'OrdinalEncoder', 'NumericPassthrough', 'Imputer', 'ImputerWithIndicator',
  'Normalizer', 'DateTimeVectorizer', 'StandardScaler', 'MinMax',
] as const;
type Transformer = (typeof TRANSFORMER_NAMES)[number];

/** Most frequent categories a OneHotEncoder keeps (others and missing: all zeros). */
export const MAX_ONE_HOT_CATEGORIES = 100;

export interface PreprocessorStepSpec {
  columnSet: string[];
  transformers: string[];
}

export type PreprocessOp =
  /** dst = fround(fround(src - sub) / div) (StandardScaler, MinMax); NaN stays NaN. */
  | { op: 'affine'; src: number; dst: number; sub: number; div: number }
  /** dst = isNaN(src) ? fill : src (Imputer). */
  | { op: 'impute'; src: number; dst: number; fill: number }
  /** dst = isNaN(src) ? 1 : 0 (ImputerWithIndicator's extra column). */
  | { op: 'isnan'; src: number; dst: number }
  /** dsts[j] = src === codes[j] ? 1 : 0 (OneHotEncoder). */
  | { op: 'onehot'; src: number; dsts: number[]; codes: number[] }
  /** dsts[j] = fround(srcs[j] / d), d = sqrt(sum of srcs² in float64, NaN as 0), 1 when 0. */
  | { op: 'normalize'; srcs: number[]; dsts: number[] };

export interface Preprocessing {
  /** Base-matrix width. */
  baseWidth: number;
  slotCount: number;
  ops: PreprocessOp[];
  /** Slot ids of the model's input matrix, in order. */
  output: number[];
  /** The plan the model reads: the original features, the transformed columns. */
  plan: EncodingPlan;
}

interface Slot {
  id: number;
  column: BaseColumn;
  temporal: boolean;
  /** Values over the training rows (float32). */
  values: Float32Array;
}

/**
 * Fits the steps on the training rows' base matrix `x` (rows × plan.columns.length). Returns
 * undefined when there is nothing to do (no steps), so models without preprocessors stay as
 * they were, byte for byte.
 */
export function fitPreprocessing(
  plan: EncodingPlan,
  steps: PreprocessorStepSpec[] | undefined,
  x: Float32Array,
  rows: number,
): Preprocessing | undefined {
  if (steps === undefined || steps.length === 0) return undefined;
  const k = plan.columns.length;
  const names = new Map(plan.features.map((f, i) => [f.name, i]));
  const ops: PreprocessOp[] = [];
  let next = k;
  let slots: Slot[] = plan.columns.map((column, c) => {
    const values = new Float32Array(rows);
    for (let r = 0; r < rows; r++) values[r] = x[r * k + c];
    return { id: c, column, temporal: plan.features[column.feature].kind === 'temporal', values };
  });

  steps.forEach((step, s) => {
    if (!Array.isArray(step.columnSet) || step.columnSet.length === 0) {
      throw new TrainingInputError(`PREPROCESSORS step ${s + 1} has an empty ColumnSet; name feature columns or "*"`);
    }
    if (!Array.isArray(step.transformers)) {
      throw new TrainingInputError(`PREPROCESSORS step ${s + 1} has no Transformers list`);
    }
    const all = step.columnSet.includes('*');
    const selected = new Set<number>();
    for (const name of step.columnSet) {
      if (name === '*') continue;
      const f = names.get(name);
      if (f === undefined) {
        throw new TrainingInputError(`PREPROCESSORS ColumnSet names ${name}, which is not a feature column (features: ${[...names.keys()].join(', ')})`);
      }
      selected.add(f);
    }
    const inStep = (slot: Slot) => all || selected.has(slot.column.feature);
    for (const t of step.transformers) {
      if (!(TRANSFORMER_NAMES as readonly string[]).includes(t)) {
        throw new TrainingInputError(`unknown PREPROCESSORS transformer ${t}; expected one of ${TRANSFORMER_NAMES.join(', ')}`);
      }
      const transformer = t as Transformer;
      // Applicability: an explicitly named column of the wrong kind is an error; "*" skips it.
      const targets: Slot[] = [];
      for (const slot of slots) {
        if (!inStep(slot)) continue;
        if (applies(transformer, slot)) {
          targets.push(slot);
        } else if (selected.has(slot.column.feature)) {
          const feature = plan.features[slot.column.feature];
          throw new TrainingInputError(
            `PREPROCESSORS transformer ${transformer} does not apply to column ${feature.name} (${describe(slot)}); ${APPLIES_TO[transformer]}`,
          );
        }
      }
      if (targets.length === 0) continue;
      const replaced = new Map<Slot, Slot[]>();
      const fresh = (from: Slot, column: BaseColumn, values: Float32Array, temporal = from.temporal): Slot =>
        ({ id: next++, column, temporal, values });
      switch (transformer) {
        case 'NumericPassthrough':
        case 'OrdinalEncoder':
        case 'DateTimeVectorizer':
          break;
        case 'Imputer':
        case 'ImputerWithIndicator':
          for (const slot of targets) {
            const fill = slot.column.kind === 'category' ? modeCode(slot.values) : meanOf(slot.values);
            const out: Slot[] = [];
            if (!Number.isNaN(fill)) {
              const values = slot.values.map((v) => (Number.isNaN(v) ? fill : v));
              const imputed = fresh(slot, slot.column, values);
              ops.push({ op: 'impute', src: slot.id, dst: imputed.id, fill });
              out.push(imputed);
            } else {
              out.push(slot);
            }
            if (transformer === 'ImputerWithIndicator') {
              const values = slot.values.map((v) => (Number.isNaN(v) ? 1 : 0));
              const column: BaseColumn = { name: `${slot.column.name}.missing`, feature: slot.column.feature, kind: 'number', categoryCount: 0 };
              const indicator = fresh(slot, column, values, false);
              ops.push({ op: 'isnan', src: slot.id, dst: indicator.id });
              out.push(indicator);
            }
            replaced.set(slot, out);
          }
          break;
        case 'StandardScaler':
        case 'MinMax':
          for (const slot of targets) {
            const { sub, div } = transformer === 'StandardScaler' ? standardScale(slot.values) : minMax(slot.values);
            const values = slot.values.map((v) => Math.fround(Math.fround(v - sub) / div));
            const scaled = fresh(slot, slot.column, values);
            ops.push({ op: 'affine', src: slot.id, dst: scaled.id, sub, div });
            replaced.set(slot, [scaled]);
          }
          break;
        case 'OneHotEncoder':
          for (const slot of targets) {
            const feature = plan.features[slot.column.feature];
            const categories = feature.kind === 'category' ? feature.categories : [];
            const codes = frequentCodes(slot.values, MAX_ONE_HOT_CATEGORIES);
            const out = codes.map((code) => {
              const values = slot.values.map((v) => (v === code ? 1 : 0));
              const column: BaseColumn = { name: `${slot.column.name}=${categories[code] ?? code}`, feature: slot.column.feature, kind: 'number', categoryCount: 0 };
              return fresh(slot, column, values, false);
            });
            // A column that was always missing in training has no category: it adds no column.
            if (codes.length > 0) ops.push({ op: 'onehot', src: slot.id, dsts: out.map((o) => o.id), codes });
            replaced.set(slot, out);
          }
          break;
        case 'Normalizer': {
          const norms = rowNorms(targets.map((t) => t.values), rows);
          const out = targets.map((slot) => fresh(slot, slot.column, slot.values.map((v, r) => Math.fround(v / norms[r]))));
          ops.push({ op: 'normalize', srcs: targets.map((t) => t.id), dsts: out.map((o) => o.id) });
          targets.forEach((slot, j) => replaced.set(slot, [out[j]]));
          break;
        }
      }
      slots = slots.flatMap((slot) => replaced.get(slot) ?? [slot]);
    }
  });
  if (slots.length === 0) {
    throw new TrainingInputError('after PREPROCESSORS no column is left for the model (every OneHotEncoder column was always NULL)');
  }
  return {
    baseWidth: k,
    slotCount: next,
    ops,
    output: slots.map((s) => s.id),
    plan: { features: plan.features, columns: slots.map((s) => s.column) },
  };
}

/** The model's input matrix (rows × output.length) from a base matrix (rows × baseWidth). */
export function applyPreprocessing(pre: Preprocessing, x: Float32Array, rows: number): Float32Array {
  const k = pre.baseWidth;
  const slot: Array<Float32Array | undefined> = new Array(pre.slotCount);
  const get = (id: number): Float32Array => {
    let v = slot[id];
    if (v === undefined) {
      v = new Float32Array(rows);
      for (let r = 0; r < rows; r++) v[r] = x[r * k + id];
      slot[id] = v;
    }
    return v;
  };
  for (const op of pre.ops) {
    switch (op.op) {
      case 'affine': {
        const { sub, div } = op;
        slot[op.dst] = get(op.src).map((v) => Math.fround(Math.fround(v - sub) / div));
        break;
      }
      case 'impute':
        slot[op.dst] = get(op.src).map((v) => (Number.isNaN(v) ? op.fill : v));
        break;
      case 'isnan':
        slot[op.dst] = get(op.src).map((v) => (Number.isNaN(v) ? 1 : 0));
        break;
      case 'onehot': {
        const src = get(op.src);
        op.codes.forEach((code, j) => (slot[op.dsts[j]] = src.map((v) => (v === code ? 1 : 0))));
        break;
      }
      case 'normalize': {
        const srcs = op.srcs.map(get);
        const norms = rowNorms(srcs, rows);
        srcs.forEach((src, j) => (slot[op.dsts[j]] = src.map((v, r) => Math.fround(v / norms[r]))));
        break;
      }
    }
  }
  const w = pre.output.length;
  const out = new Float32Array(rows * w);
  pre.output.forEach((id, j) => {
    const v = get(id);
    for (let r = 0; r < rows; r++) out[r * w + j] = v[r];
  });
  return out;
}

/** Per row: sqrt of the sum of squares in float64 in column order (NaN counts 0); 1 when 0. */
function rowNorms(columns: Float32Array[], rows: number): Float64Array {
  const norms = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    columns.forEach((c, j) => {
      const v = Number.isNaN(c[r]) ? 0 : c[r];
      sum = j === 0 ? v * v : sum + v * v;
    });
    const norm = Math.sqrt(sum);
    norms[r] = norm === 0 ? 1 : norm;
  }
  return norms;
}

const APPLIES_TO: Record<Transformer, string> = {
  OneHotEncoder: 'it applies to text (categorical) columns',
  OrdinalEncoder: 'it applies to text (categorical) columns',
  NumericPassthrough: 'it applies to numeric and bool columns',
  Imputer: 'it applies to every column',
  ImputerWithIndicator: 'it applies to every column',
  Normalizer: 'it applies to numeric, bool and date/time columns',
  DateTimeVectorizer: 'it applies to date, time and timestamp columns',
  StandardScaler: 'it applies to numeric, bool and date/time columns',
  MinMax: 'it applies to numeric, bool and date/time columns',
};

function applies(t: Transformer, slot: Slot): boolean {
  const category = slot.column.kind === 'category';
  switch (t) {
    case 'OneHotEncoder':
    case 'OrdinalEncoder':
      return category;
    case 'Imputer':
    case 'ImputerWithIndicator':
      return true;
    case 'DateTimeVectorizer':
      return slot.temporal;
    case 'NumericPassthrough':
      return !category && !slot.temporal;
    case 'Normalizer':
    case 'StandardScaler':
    case 'MinMax':
      return !category;
  }
}

function describe(slot: Slot): string {
  if (slot.column.kind === 'category') return 'text, categorical';
  return slot.temporal ? 'date/time' : 'numeric';
}

/** Mean of the non-NaN training values (float64 sum, rounded to float32); 0 when none. */
function meanOf(values: Float32Array): number {
  let n = 0;
  let sum = 0;
  for (const v of values) {
    if (Number.isFinite(v)) {
      n++;
      sum += v;
    }
  }
  return n > 0 ? Math.fround(sum / n) : 0;
}

/** (x - mean) / std, population std over finite values; a constant or empty column divides by 1. */
function standardScale(values: Float32Array): { sub: number; div: number } {
  const mean = meanOf(values);
  let n = 0;
  let ss = 0;
  for (const v of values) {
    if (Number.isFinite(v)) {
      n++;
      ss += (v - mean) ** 2;
    }
  }
  const std = Math.fround(n > 1 ? Math.sqrt(ss / n) : 0);
  return { sub: mean, div: std > 0 && Number.isFinite(std) ? std : 1 };
}

/** (x - min) / (max - min) over finite values; a constant or empty column divides by 1. */
function minMax(values: Float32Array): { sub: number; div: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (Number.isFinite(v)) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (min > max) return { sub: 0, div: 1 };
  const range = Math.fround(max - min);
  return { sub: min, div: range > 0 && Number.isFinite(range) ? range : 1 };
}

/** Codes by training frequency (ties: lower code), the first `limit`, returned in code order. */
function frequentCodes(values: Float32Array, limit: number): number[] {
  const counts = new Map<number, number>();
  for (const v of values) if (!Number.isNaN(v)) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, limit)
    .map((e) => e[0])
    .sort((a, b) => a - b);
}

/** The most frequent code (ties: lower code); NaN when the column was always missing. */
function modeCode(values: Float32Array): number {
  return frequentCodes(values, 1)[0] ?? NaN;
}

/** The matrix the model reads: the base matrix, through the fitted PREPROCESSORS if any. */
export function modelMatrix(encoding: EncodingPlan, pre: Preprocessing | undefined, features: TrainingColumn[], rows?: Int32Array): Float32Array {
  const base = encodeMatrix(encoding, features, rows);
  const n = rows === undefined ? (features[0]?.values.length ?? 0) : rows.length;
  return pre ? applyPreprocessing(pre, base, n) : base;
}
