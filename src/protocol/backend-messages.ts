import { Backend, type TransactionStatus } from './message-codes.ts';
import { MessageWriter } from './message-writer.ts';
import type { ClientError } from '../errors/client-error.ts';

/** Builders for the backend messages modelgres itself sends to clients. */

export interface FieldDescription {
  name: string;
  tableOid?: number;
  columnNumber?: number;
  typeOid: number;
  typeSize?: number;
  typeModifier?: number;
  format?: 0 | 1;
}

export function readyForQuery(status: TransactionStatus): Buffer {
  return new MessageWriter(Backend.ReadyForQuery, 8).int8(status.charCodeAt(0)).finish();
}

export function commandComplete(tag: string): Buffer {
  return new MessageWriter(Backend.CommandComplete, tag.length + 8).cstring(tag).finish();
}

export function emptyQueryResponse(): Buffer {
  return new MessageWriter(Backend.EmptyQueryResponse, 8).finish();
}

export function backendKeyData(processId: number, secret: Buffer): Buffer {
  return new MessageWriter(Backend.BackendKeyData, 16).int32(processId).bytes(secret).finish();
}

export function rowDescription(fields: readonly FieldDescription[]): Buffer {
  const w = new MessageWriter(Backend.RowDescription, 32 * fields.length + 8).int16(fields.length);
  for (const f of fields) {
    w.cstring(f.name)
      .int32(f.tableOid ?? 0)
      .int16(f.columnNumber ?? 0)
      .int32(f.typeOid)
      .int16(f.typeSize ?? -1)
      .int32(f.typeModifier ?? -1)
      .int16(f.format ?? 0);
  }
  return w.finish();
}

/** A DataRow of text values; null is SQL NULL. */
export function dataRow(values: ReadonlyArray<string | Buffer | null>): Buffer {
  const w = new MessageWriter(Backend.DataRow, 16 * values.length + 8).int16(values.length);
  for (const v of values) w.value(v);
  return w.finish();
}

export function noData(): Buffer {
  return new MessageWriter(Backend.NoData, 8).finish();
}

export function parseComplete(): Buffer {
  return new MessageWriter(Backend.ParseComplete, 8).finish();
}

export function bindComplete(): Buffer {
  return new MessageWriter(Backend.BindComplete, 8).finish();
}

export function closeComplete(): Buffer {
  return new MessageWriter(Backend.CloseComplete, 8).finish();
}

export function parameterDescription(typeOids: readonly number[]): Buffer {
  const w = new MessageWriter(Backend.ParameterDescription, 8 + 4 * typeOids.length).int16(typeOids.length);
  for (const oid of typeOids) w.int32(oid);
  return w.finish();
}

/**
 * ErrorResponse (or NoticeResponse) fields, by their one-byte codes in "Error and Notice Message
 * Fields": S/V severity, C code, M message, D detail, H hint, P position.
 */
export function errorResponse(error: ClientError): Buffer {
  return noticeLike(Backend.ErrorResponse, {
    severity: error.severity,
    code: error.code,
    message: error.message,
    detail: error.detail,
    hint: error.hint,
    position: error.position,
  });
}

export interface NoticeFields {
  severity: string;
  code: string;
  message: string;
  detail?: string;
  hint?: string;
  position?: number;
}

export function noticeResponse(fields: NoticeFields): Buffer {
  return noticeLike(Backend.NoticeResponse, fields);
}

function noticeLike(type: number, f: NoticeFields): Buffer {
  const w = new MessageWriter(type, 128);
  w.int8(0x53).cstring(f.severity); // S: localized severity
  w.int8(0x56).cstring(f.severity); // V: severity, never localized
  w.int8(0x43).cstring(f.code); // C
  w.int8(0x4d).cstring(f.message); // M
  if (f.detail) w.int8(0x44).cstring(f.detail); // D
  if (f.hint) w.int8(0x48).cstring(f.hint); // H
  if (f.position) w.int8(0x50).cstring(String(f.position)); // P
  w.int8(0);
  return w.finish();
}
