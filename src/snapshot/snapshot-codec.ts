import { gunzipSync, gzipSync } from 'node:zlib';
import type { CellValue, FeatureType, TrainingColumn } from '../training/types.ts';
import { splitCopyLine } from '../protocol/copy-text.ts';
import type { SnapshotColumn } from './snapshot-columns.ts';

/** A snapshot is its COPY text rows, newline-separated and gzip-compressed. */
export function encodeSnapshot(lines: readonly string[]): Buffer {
  return gzipSync(Buffer.from(lines.join('\n'), 'utf8'));
}

/** Turns a snapshot back into typed columns, as the trainer takes them. */
export function decodeSnapshot(data: Uint8Array, columns: readonly SnapshotColumn[]): TrainingColumn[] {
  const text = gunzipSync(data).toString('utf8');
  const out: TrainingColumn[] = columns.map((c) => ({ name: c.name, type: c.type as FeatureType, values: [] }));
  if (text.length === 0) return out;
  const parsers = columns.map((c) => parserFor(c.type));
  for (const line of text.split('\n')) {
    const fields = splitCopyLine(line);
    for (let i = 0; i < out.length; i++) {
      const f = fields[i];
      out[i].values.push(f === null || f === undefined ? null : parsers[i](f));
    }
  }
  return out;
}

function parserFor(type: string): (text: string) => CellValue {
  switch (type) {
    case 'int2':
    case 'int4':
    case 'int8':
    case 'numeric':
    case 'float4':
    case 'float8':
      return (t) => (t === 'NaN' ? NaN : t === 'Infinity' ? Infinity : t === '-Infinity' ? -Infinity : Number(t));
    case 'bool':
      return (t) => t === 't';
    // Dates and times arrive as epoch seconds (see featureSelectExpression): no DateStyle or
    // TimeZone setting of the session can change what the trainer sees.
    case 'date':
    case 'timestamp':
    case 'timestamptz':
      return (t) => new Date(Number(t) * 1000);
    case 'time':
      return (t) => secondsToTime(Number(t));
    default:
      return (t) => t;
  }
}

function secondsToTime(seconds: number): string {
  const whole = Math.floor(seconds);
  const micros = Math.round((seconds - whole) * 1e6);
  const hh = String(Math.floor(whole / 3600)).padStart(2, '0');
  const mm = String(Math.floor((whole % 3600) / 60)).padStart(2, '0');
  const ss = String(whole % 60).padStart(2, '0');
  return micros ? `${hh}:${mm}:${ss}.${String(micros).padStart(6, '0')}` : `${hh}:${mm}:${ss}`;
}
