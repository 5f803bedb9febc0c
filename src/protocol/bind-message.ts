import { Frontend } from './message-codes.ts';
import { MessageWriter } from './message-writer.ts';

/** A Bind the proxy sends upstream, with format codes pg-protocol's serializer cannot give. */
export interface BindFields {
  portal?: string;
  statement?: string;
  /** Strings are sent in text, Buffers in binary (format code 1), null as SQL NULL. */
  values?: ReadonlyArray<string | Buffer | null>;
  /** One code per column, one for all, or none (all text). */
  resultFormats?: readonly number[];
}

/** Bind: portal, statement, parameter format codes, parameter values, result format codes. */
export function bindMessage(fields: BindFields): Buffer {
  const values = fields.values ?? [];
  const results = fields.resultFormats ?? [];
  const w = new MessageWriter(Frontend.Bind, 64).cstring(fields.portal ?? '').cstring(fields.statement ?? '');
  w.int16(values.length);
  for (const v of values) w.int16(Buffer.isBuffer(v) ? 1 : 0);
  w.int16(values.length);
  for (const v of values) w.value(v);
  w.int16(results.length);
  for (const code of results) w.int16(code);
  return w.finish();
}
