import { TrainingInputError } from '../training-errors.ts';
import type { CellValue, ClassValue, FeatureType, ProblemType, TrainingColumn } from '../types.ts';

/** The target as the trainers see it; rows with a NULL target are dropped before this. */
export type EncodedTarget =
  | { kind: 'regression'; y: Float64Array }
  | { kind: 'classes'; classes: ClassValue[]; y: Int32Array };

export const MAX_CLASSES = 1000;

/** Row indices whose target is not NULL (a missing target cannot teach anything). */
export function rowsWithTarget(target: TrainingColumn): Int32Array {
  const keep: number[] = [];
  target.values.forEach((v, i) => {
    if (v !== null && v !== undefined && !(typeof v === 'number' && Number.isNaN(v))) keep.push(i);
  });
  return Int32Array.from(keep);
}

export function distinctCount(target: TrainingColumn, rows: Int32Array): number {
  const seen = new Set<unknown>();
  for (const r of rows) seen.add(classKey(target.type, target.values[r]));
  return seen.size;
}

export function encodeTarget(target: TrainingColumn, rows: Int32Array, problem: ProblemType): EncodedTarget {
  if (problem === 'REGRESSION') {
    if (isTextType(target.type)) {
      throw new TrainingInputError(`REGRESSION needs a numeric or bool target; ${target.name} is ${target.type}`);
    }
    const y = new Float64Array(rows.length);
    rows.forEach((r, i) => {
      const v = asNumber(target.values[r]);
      if (!Number.isFinite(v)) throw new TrainingInputError(`target ${target.name} has a non-numeric value`);
      y[i] = v;
    });
    return { kind: 'regression', y };
  }
  const classes = sortedClasses(target, rows);
  if (classes.length < 2) {
    throw new TrainingInputError(`${problem} needs at least two distinct values in target ${target.name}`);
  }
  if (problem === 'BINARY_CLASSIFICATION' && classes.length > 2) {
    throw new TrainingInputError(
      `BINARY_CLASSIFICATION needs exactly two distinct target values; ${target.name} has ${classes.length}`,
    );
  }
  if (classes.length > MAX_CLASSES) {
    throw new TrainingInputError(`target ${target.name} has ${classes.length} classes; at most ${MAX_CLASSES} are supported`);
  }
  const index = new Map<unknown, number>(classes.map((c, i) => [classKey(target.type, c), i]));
  const y = new Int32Array(rows.length);
  rows.forEach((r, i) => {
    y[i] = index.get(classKey(target.type, target.values[r])) as number;
  });
  return { kind: 'classes', classes, y };
}

/**
 * Classes in a fixed order, so class ids do not depend on row order: numbers ascending, false
 * before true, strings by code unit. For binary models class 1 (the larger) is the positive one.
 */
function sortedClasses(target: TrainingColumn, rows: Int32Array): ClassValue[] {
  const byKey = new Map<unknown, ClassValue>();
  for (const r of rows) {
    const v = classValue(target.type, target.values[r]);
    byKey.set(classKey(target.type, v), v);
  }
  const values = [...byKey.values()];
  if (isTextType(target.type)) return (values as string[]).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (target.type === 'bool') return (values as boolean[]).sort((a, b) => Number(a) - Number(b));
  return (values as number[]).sort((a, b) => a - b);
}

function classValue(type: FeatureType, v: CellValue): ClassValue {
  if (isTextType(type)) return String(v);
  if (type === 'bool') return v === true || v === 't' || v === 'true' || v === 1;
  return asNumber(v);
}

function classKey(type: FeatureType, v: CellValue): unknown {
  return classValue(type, v);
}

function asNumber(v: CellValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') return v.trim() === '' ? NaN : Number(v);
  return NaN;
}

export function isTextType(type: FeatureType): boolean {
  return type === 'char' || type === 'bpchar' || type === 'varchar' || type === 'text';
}
