import { BufferReader } from './buffer-reader.ts';

/** Decoders for the extended-protocol messages the proxy answers itself. */

export interface ParseMessage {
  name: string;
  query: string;
  parameterTypes: number[];
}

export function decodeParse(body: Buffer): ParseMessage {
  const r = new BufferReader(body);
  const name = r.cstring();
  const query = r.cstring();
  const count = r.int16();
  const parameterTypes: number[] = [];
  for (let i = 0; i < count; i++) parameterTypes.push(r.int32());
  return { name, query, parameterTypes };
}

export interface BindMessage {
  portal: string;
  statement: string;
  parameterFormats: number[];
  parameters: Array<Buffer | null>;
  resultFormats: number[];
}

export function decodeBind(body: Buffer): BindMessage {
  const r = new BufferReader(body);
  const portal = r.cstring();
  const statement = r.cstring();
  const parameterFormats: number[] = [];
  for (let i = r.int16(); i > 0; i--) parameterFormats.push(r.int16());
  const parameters: Array<Buffer | null> = [];
  for (let i = r.int16(); i > 0; i--) {
    const length = r.int32();
    parameters.push(length < 0 ? null : r.bytes(length));
  }
  const resultFormats: number[] = [];
  for (let i = r.int16(); i > 0; i--) resultFormats.push(r.int16());
  return { portal, statement, parameterFormats, parameters, resultFormats };
}

/** Describe and Close: 'S' for a statement or 'P' for a portal, then its name. */
export function decodeTarget(body: Buffer): { target: 'S' | 'P'; name: string } {
  const r = new BufferReader(body);
  const target = String.fromCharCode(r.byte()) as 'S' | 'P';
  return { target, name: r.cstring() };
}

export function decodeExecute(body: Buffer): { portal: string; maxRows: number } {
  const r = new BufferReader(body);
  return { portal: r.cstring(), maxRows: r.int32() };
}
