import { FLOAT8_TEXT_MAX_BYTES, writeFloat8Text } from '../protocol/float8-text.ts';
import { Backend } from '../protocol/message-codes.ts';

/** A call's predictions for the batch: text, or a Buffer already in the client's binary format, per row; or float8 values to write as text. */
export type SplicedColumn = ReadonlyArray<string | Buffer | null> | Float32Array;

/**
 * Streaming inference reads rows whose first `extra` columns are the model's inputs (decoded by
 * feature-decoding.ts). Every other column stays the bytes PostgreSQL sent and is copied into the
 * rows the client gets, with predictions written where the calls stood. Decoding and re-encoding
 * every value would cost more than the prediction itself.
 */

/**
 * Whole DataRow messages for the client: each row without its leading input columns, the column
 * at index i replaced by predictions[callAt[i]][row] when callAt[i] is not null. A prediction is
 * text, a Buffer already in the binary format the client asked for, or a float8 value written as
 * PostgreSQL's text of it.
 */
export function spliceRows(
  rows: readonly Buffer[],
  extra: number,
  callAt: ReadonlyArray<number | null>,
  predictions: ReadonlyArray<SplicedColumn>,
): Buffer {
  // One buffer for the batch, sized for the worst case (3 bytes per UTF-16 unit) and cut to fit.
  let size = 0;
  for (let r = 0; r < rows.length; r++) size += 1 + rows[r].length;
  for (const p of predictions) {
    if (p instanceof Float32Array) {
      size += (FLOAT8_TEXT_MAX_BYTES + 4) * rows.length;
      continue;
    }
    for (let r = 0; r < rows.length; r++) size += 3 * (p[r]?.length ?? 0) + 4;
  }
  const out = Buffer.allocUnsafe(size);
  const columns = callAt.length;
  let o = 0;
  for (let r = 0; r < rows.length; r++) {
    const body = rows[r];
    const start = o;
    out[o] = Backend.DataRow;
    out[o + 5] = columns >> 8;
    out[o + 6] = columns & 255;
    o += 7; // type, length (filled in below) and column count
    let pos = pastColumns(body, 2, extra); // the input columns
    for (let c = 0; c < columns; c++) {
      const len = int32At(body, pos);
      const next = pos + 4 + (len > 0 ? len : 0);
      const call = callAt[c];
      const column = call === null ? null : predictions[call];
      if (column === null) {
        o = copyBytes(body, pos, next, out, o);
      } else if (column instanceof Float32Array) {
        const end = writeFloat8Text(out, o + 4, column[r]);
        writeInt32At(out, o, end - o - 4);
        o = end;
      } else {
        const value = column[r];
        if (value === null) {
          o = writeInt32At(out, o, -1);
        } else if (typeof value !== 'string') {
          writeInt32At(out, o, value.length);
          o = copyBytes(value, 0, value.length, out, o + 4);
        } else {
          const written = writeText(out, o + 4, value);
          writeInt32At(out, o, written);
          o += 4 + written;
        }
      }
      pos = next;
    }
    writeInt32At(out, start + 1, o - start - 1);
  }
  return out.subarray(0, o);
}

/** Where the field after `count` fields (each a length, -1 for NULL, and its bytes) from `pos` starts. */
function pastColumns(body: Buffer, pos: number, count: number): number {
  for (let c = 0; c < count; c++) {
    const len = int32At(body, pos);
    pos += 4 + (len > 0 ? len : 0);
  }
  return pos;
}

function int32At(b: Buffer, pos: number): number {
  return (b[pos] << 24) | (b[pos + 1] << 16) | (b[pos + 2] << 8) | b[pos + 3];
}

function writeInt32At(b: Buffer, pos: number, v: number): number {
  b[pos] = v >>> 24;
  b[pos + 1] = (v >>> 16) & 255;
  b[pos + 2] = (v >>> 8) & 255;
  b[pos + 3] = v & 255;
  return pos + 4;
}

/** Bytes [from, to) of `src` at `o` in `out`; short runs by hand, where Buffer.copy's call costs more. */
function copyBytes(src: Buffer, from: number, to: number, out: Buffer, o: number): number {
  if (to - from > 64) return o + src.copy(out, o, from, to);
  for (let i = from; i < to; i++) out[o++] = src[i];
  return o;
}

/** `text` as UTF-8 at `o`; the byte count. Short ASCII (numbers, most labels) by hand. */
function writeText(out: Buffer, o: number, text: string): number {
  const n = text.length;
  if (n <= 64) {
    let i = 0;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 128) break;
      out[o + i] = c;
    }
    if (i === n) return n;
  }
  return out.write(text, o, 'utf8');
}

/** COPY's binary file header: the signature "PGCOPY\n\377\r\n\0", flags 0, no header extension. */
const COPY_BINARY_HEADER = Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);

/**
 * The rows as a whole COPY ... (FORMAT binary) stream: header, one tuple per row, trailer (a field
 * count of -1). A binary tuple is laid out as a DataRow body is (a field count, then each field's
 * length, -1 for NULL, and bytes), so each row is its DataRow body without the leading input
 * columns, the column at index i replaced by predictions[callAt[i]][row]: a float8 value's 8
 * bytes, or a value already in its column's binary format. The rows' other columns must have come
 * in binary, and predictions as float8 values only where the column is float8.
 */
export function spliceCopyBinary(
  rows: readonly Buffer[],
  extra: number,
  callAt: ReadonlyArray<number | null>,
  predictions: ReadonlyArray<Float32Array | ReadonlyArray<Buffer | null>>,
): Buffer {
  let size = COPY_BINARY_HEADER.length + 2;
  for (let r = 0; r < rows.length; r++) size += rows[r].length;
  for (const p of predictions) {
    if (p instanceof Float32Array) size += 12 * rows.length;
    else for (let r = 0; r < rows.length; r++) size += 4 + (p[r]?.length ?? 0);
  }
  const out = Buffer.allocUnsafe(size);
  let o = COPY_BINARY_HEADER.copy(out, 0);
  const columns = callAt.length;
  for (let r = 0; r < rows.length; r++) {
    const body = rows[r];
    out[o] = columns >> 8;
    out[o + 1] = columns & 255;
    o += 2;
    let pos = pastColumns(body, 2, extra); // the input columns
    for (let c = 0; c < columns; c++) {
      const len = int32At(body, pos);
      const next = pos + 4 + (len > 0 ? len : 0);
      const call = callAt[c];
      const column = call === null ? null : predictions[call];
      if (column === null) {
        o = copyBytes(body, pos, next, out, o);
      } else if (column instanceof Float32Array) {
        o = writeInt32At(out, o, 8);
        o = out.writeDoubleBE(column[r], o);
      } else {
        const value = column[r];
        if (value === null) {
          o = writeInt32At(out, o, -1);
        } else {
          o = writeInt32At(out, o, value.length);
          o = copyBytes(value, 0, value.length, out, o);
        }
      }
      pos = next;
    }
  }
  out[o] = 0xff;
  out[o + 1] = 0xff;
  return out.subarray(0, o + 2);
}
