import { BufferReader } from './buffer-reader.ts';
import type { FieldDescription } from './backend-messages.ts';
import type { TransactionStatus } from './message-codes.ts';

/** Decoders for the backend messages the proxy reads when it runs statements of its own. */

export type ErrorFields = Record<string, string>;

/** ErrorResponse / NoticeResponse body → fields keyed by their one-byte code (C, M, D, ...). */
export function decodeErrorFields(body: Buffer): ErrorFields {
  const r = new BufferReader(body);
  const fields: ErrorFields = {};
  while (r.remaining > 0) {
    const code = r.byte();
    if (code === 0) break;
    fields[String.fromCharCode(code)] = r.cstring();
  }
  return fields;
}

export function decodeRowDescription(body: Buffer): FieldDescription[] {
  const r = new BufferReader(body);
  const count = r.int16();
  const fields: FieldDescription[] = [];
  for (let i = 0; i < count; i++) {
    fields.push({
      name: r.cstring(),
      tableOid: r.int32(),
      columnNumber: r.int16(),
      typeOid: r.int32(),
      typeSize: r.int16(),
      typeModifier: r.int32(),
      format: r.int16() as 0 | 1,
    });
  }
  return fields;
}

/** DataRow body → raw column values (null for SQL NULL); text results decode with toString. */
export function decodeDataRow(body: Buffer): Array<Buffer | null> {
  const r = new BufferReader(body);
  const count = r.int16();
  const values: Array<Buffer | null> = new Array(count);
  for (let i = 0; i < count; i++) {
    const length = r.int32();
    values[i] = length < 0 ? null : r.bytes(length);
  }
  return values;
}

export function decodeCommandTag(body: Buffer): string {
  return new BufferReader(body).cstring();
}

/** ReadyForQuery's one byte: the transaction status 'I', 'T' or 'E'. */
export function decodeTransactionStatus(body: Buffer): TransactionStatus {
  return String.fromCharCode(body[0]) as TransactionStatus;
}

/** Text values of a DataRow, as PostgreSQL wrote them. */
export function decodeTextRow(body: Buffer): Array<string | null> {
  return decodeDataRow(body).map((v) => (v === null ? null : v.toString('utf8')));
}
