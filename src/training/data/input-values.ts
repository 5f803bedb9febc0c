import type { CellValue, FeatureType, TrainingColumn } from '../types.ts';
import { isTextType } from './target-encoder.ts';

/**
 * The ONNX input tensor for one feature column (see onnx-contract.md). The proxy builds its feeds
 * with this same function, so training and inference read SQL values identically.
 */
export type OnnxInput =
  | { name: string; type: 'float32'; data: Float32Array; dims: [number, 1] }
  | { name: string; type: 'float64'; data: Float64Array; dims: [number, 1] }
  | { name: string; type: 'string'; data: string[]; dims: [number, 1] };

export type InputKind = OnnxInput['type'];

export function inputKindOf(type: FeatureType): InputKind {
  if (isTextType(type)) return 'string';
  if (isTemporalType(type)) return 'float64';
  return 'float32';
}

export function isTemporalType(type: FeatureType): type is 'date' | 'time' | 'timestamp' | 'timestamptz' {
  return type === 'date' || type === 'time' || type === 'timestamp' || type === 'timestamptz';
}

/** `inputName` defaults to the column name; the model's metadata says which name it expects. */
export function toOnnxInput(column: TrainingColumn, inputName = column.name): OnnxInput {
  const n = column.values.length;
  const kind = inputKindOf(column.type);
  if (kind === 'string') {
    return { name: inputName, type: 'string', data: column.values.map(textOf), dims: [n, 1] };
  }
  if (kind === 'float64') {
    const data = new Float64Array(n);
    for (let i = 0; i < n; i++) data[i] = secondsOf(column.type, column.values[i]);
    return { name: inputName, type: 'float64', data, dims: [n, 1] };
  }
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = numberOf(column.values[i]);
  return { name: inputName, type: 'float32', data, dims: [n, 1] };
}

/**
 * NULL is fed as the empty string, and the empty string means missing, at training and at
 * inference alike. A sentinel cannot be used instead: onnxruntime's string tensors are C strings,
 * so '\u0000' (the one character PostgreSQL text can never hold) would arrive as '' anyway.
 */
export function textOf(v: CellValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

/** Numbers as they are, bool as 0/1, NULL (and anything unreadable) as NaN = missing. */
export function numberOf(v: CellValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const t = v.trim();
    if (t === 't' || t === 'true') return 1;
    if (t === 'f' || t === 'false') return 0;
    return t === '' ? NaN : Number(t);
  }
  return NaN;
}

/** Epoch seconds (UTC) for date/timestamp/timestamptz, seconds since midnight for time. */
export function secondsOf(type: FeatureType, v: CellValue): number {
  if (v === null || v === undefined) return NaN;
  if (type === 'time') return typeof v === 'string' ? timeOfDaySeconds(v) : NaN;
  if (v instanceof Date) return v.getTime() / 1000;
  if (typeof v === 'string') {
    const ms = Date.parse(/[zZ]|[+-]\d\d(:?\d\d)?$/.test(v) || v.length <= 10 ? v : `${v}Z`);
    return Number.isNaN(ms) ? NaN : ms / 1000;
  }
  return NaN;
}

/** 'HH:MM:SS[.ffffff]' (an optional '+hh' zone of timetz is ignored) to seconds since midnight. */
export function timeOfDaySeconds(text: string): number {
  const m = /^\s*(\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d*)?))?/.exec(text);
  if (m === null) return NaN;
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + (m[3] === undefined ? 0 : Number(m[3]));
}
