import { Backend } from '../protocol/message-codes.ts';

/**
 * Streaming inference reads rows whose first `extra` columns are the model's inputs. The inputs
 * are decoded; every other column stays the bytes PostgreSQL sent and is copied into the rows
 * the client gets, with predictions written where the calls stood. Decoding and re-encoding
 * every value would cost more than the prediction itself.
 */

/** The first `extra` columns of each DataRow body, column-major, as text (null for NULL). */
export function readLeadingColumns(rows: readonly Buffer[], extra: number): Array<Array<string | null>> {
  const columns: Array<Array<string | null>> = Array.from({ length: extra }, () => new Array(rows.length));
  for (let r = 0; r < rows.length; r++) {
    const body = rows[r];
    let pos = 2;
    for (let c = 0; c < extra; c++) {
      const len = body.readInt32BE(pos);
      pos += 4;
      if (len < 0) {
        columns[c][r] = null;
      } else {
        columns[c][r] = body.toString('utf8', pos, pos + len);
        pos += len;
      }
    }
  }
  return columns;
}

/**
 * Whole DataRow messages for the client: each row without its leading input columns, the column
 * at index i replaced by predictions[callAt[i]][row] when callAt[i] is not null.
 */
export function spliceRows(
  rows: readonly Buffer[],
  extra: number,
  callAt: ReadonlyArray<number | null>,
  predictions: ReadonlyArray<ReadonlyArray<string | null>>,
): Buffer {
  let size = 0;
  for (let r = 0; r < rows.length; r++) {
    size += 1 + rows[r].length;
    for (const p of predictions) size += Buffer.byteLength(p[r] ?? '') + 4;
  }
  const out = Buffer.allocUnsafe(size);
  let o = 0;
  for (let r = 0; r < rows.length; r++) {
    const body = rows[r];
    const start = o;
    out[o] = Backend.DataRow;
    o += 5; // type and length, the length filled in below
    out.writeInt16BE(callAt.length, o);
    o += 2;
    let pos = 2;
    // Skip the input columns.
    for (let c = 0; c < extra; c++) {
      const len = body.readInt32BE(pos);
      pos += 4 + (len > 0 ? len : 0);
    }
    for (let c = 0; c < callAt.length; c++) {
      const len = body.readInt32BE(pos);
      const next = pos + 4 + (len > 0 ? len : 0);
      const call = callAt[c];
      if (call === null) {
        body.copy(out, o, pos, next);
        o += next - pos;
      } else {
        const value = predictions[call][r];
        if (value === null) {
          out.writeInt32BE(-1, o);
          o += 4;
        } else {
          const written = out.write(value, o + 4, 'utf8');
          out.writeInt32BE(written, o);
          o += 4 + written;
        }
      }
      pos = next;
    }
    out.writeInt32BE(o - start - 1, start + 1);
  }
  return out.subarray(0, o);
}
