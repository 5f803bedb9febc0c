import { ClientError } from '../errors/client-error.ts';
import { decodeDate, decodeTime, decodeTimestamp, encodeDate, encodeTime, encodeTimestamp } from './binary-datetime.ts';
import { decodeNumeric, encodeNumeric } from './binary-numeric.ts';

/**
 * Values in the binary format of the extended protocol, by type OID (pg_type.dat), as each type's
 * send/recv functions write and read them: integers and floats big-endian, bool one byte, text
 * types their UTF-8 bytes, jsonb a version byte 1 then its text, bytea its bytes, uuid 16 bytes,
 * numeric and the date/time types as binary-numeric.ts and binary-datetime.ts say.
 *
 * Both directions go through PostgreSQL's text, which the rest of the proxy works in. null means
 * "not this way": a type the proxy does not know, or text in a style it does not read (a
 * timestamptz under DateStyle SQL); PostgreSQL converts those values itself.
 */
export const BinaryOid = {
  bool: 16,
  bytea: 17,
  char: 18,
  name: 19,
  int8: 20,
  int2: 21,
  int4: 23,
  text: 25,
  oid: 26,
  json: 114,
  float4: 700,
  float8: 701,
  unknown: 705,
  bpchar: 1042,
  varchar: 1043,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  numeric: 1700,
  uuid: 2950,
  jsonb: 3802,
} as const;

/** invalid_binary_representation: PostgreSQL's answer to a binary parameter its recv function refuses. */
const INVALID_BINARY_REPRESENTATION = '22P03';

const INTEGER = /^\s*[+-]?\d+\s*$/;
const FLOAT = /^\s*(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?Infinity|NaN)\s*$/i;
const UUID = /^\{?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})\}?$/i;

type Encoder = (text: string) => Buffer | null;
type Decoder = (bytes: Buffer) => string | null;

const ENCODERS: Record<number, Encoder> = {
  [BinaryOid.bool]: (t) => (/^\s*(t|true|y|yes|on|1)\s*$/i.test(t) ? Buffer.of(1) : /^\s*(f|false|n|no|off|0)\s*$/i.test(t) ? Buffer.of(0) : null),
  [BinaryOid.bytea]: (t) => (/^\\x([0-9a-fA-F]{2})*$/.test(t) ? Buffer.from(t.slice(2), 'hex') : null),
  [BinaryOid.char]: encodeChar,
  [BinaryOid.name]: utf8,
  [BinaryOid.int2]: (t) => integer(t, 2),
  [BinaryOid.int4]: (t) => integer(t, 4),
  [BinaryOid.int8]: (t) => integer(t, 8),
  [BinaryOid.text]: utf8,
  [BinaryOid.oid]: (t) => (INTEGER.test(t) && Number(t) >= 0 && Number(t) <= 0xffffffff ? uint32(Number(t)) : null),
  [BinaryOid.json]: utf8,
  [BinaryOid.float4]: (t) => float(t, 4),
  [BinaryOid.float8]: (t) => float(t, 8),
  [BinaryOid.unknown]: utf8,
  [BinaryOid.bpchar]: utf8,
  [BinaryOid.varchar]: utf8,
  [BinaryOid.date]: encodeDate,
  [BinaryOid.time]: encodeTime,
  [BinaryOid.timestamp]: (t) => encodeTimestamp(t, false),
  [BinaryOid.timestamptz]: (t) => encodeTimestamp(t, true),
  [BinaryOid.numeric]: encodeNumeric,
  [BinaryOid.uuid]: (t) => {
    const m = UUID.exec(t.trim());
    return m ? Buffer.from(m.slice(1).join(''), 'hex') : null;
  },
  [BinaryOid.jsonb]: (t) => Buffer.concat([Buffer.of(1), Buffer.from(t, 'utf8')]),
};

const DECODERS: Record<number, Decoder> = {
  [BinaryOid.bool]: (b) => (b.length === 1 ? (b[0] ? 't' : 'f') : null),
  [BinaryOid.bytea]: (b) => `\\x${b.toString('hex')}`,
  [BinaryOid.char]: decodeChar,
  [BinaryOid.name]: (b) => b.toString('utf8'),
  [BinaryOid.int2]: (b) => (b.length === 2 ? String(b.readInt16BE(0)) : null),
  [BinaryOid.int4]: (b) => (b.length === 4 ? String(b.readInt32BE(0)) : null),
  [BinaryOid.int8]: (b) => (b.length === 8 ? String(b.readBigInt64BE(0)) : null),
  [BinaryOid.text]: (b) => b.toString('utf8'),
  [BinaryOid.oid]: (b) => (b.length === 4 ? String(b.readUInt32BE(0)) : null),
  [BinaryOid.json]: (b) => b.toString('utf8'),
  [BinaryOid.float4]: (b) => (b.length === 4 ? float4Text(b.readFloatBE(0)) : null),
  [BinaryOid.float8]: (b) => (b.length === 8 ? float8Text(b.readDoubleBE(0)) : null),
  [BinaryOid.unknown]: (b) => b.toString('utf8'),
  [BinaryOid.bpchar]: (b) => b.toString('utf8'),
  [BinaryOid.varchar]: (b) => b.toString('utf8'),
  [BinaryOid.date]: decodeDate,
  [BinaryOid.time]: decodeTime,
  [BinaryOid.timestamp]: (b) => decodeTimestamp(b, false),
  [BinaryOid.timestamptz]: (b) => decodeTimestamp(b, true),
  [BinaryOid.numeric]: decodeNumeric,
  [BinaryOid.uuid]: (b) => {
    if (b.length !== 16) return null;
    const h = b.toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  },
  [BinaryOid.jsonb]: (b) => (b.length >= 1 && b[0] === 1 ? b.toString('utf8', 1) : null),
};

/** The binary form of a value given as PostgreSQL's text of type `typeOid`; null: PostgreSQL must convert it. */
export function encodeBinary(typeOid: number, text: string): Buffer | null {
  return ENCODERS[typeOid]?.(text) ?? null;
}

/** Whether encodeBinary knows the type (it may still give null for text in a style it does not read). */
export function encodesBinary(typeOid: number): boolean {
  return typeOid in ENCODERS;
}

/**
 * PostgreSQL's text of a binary value of type `typeOid`; null when the proxy does not know the
 * type (PostgreSQL converts it then). Bytes the type cannot hold are refused as PostgreSQL's
 * recv function would (22P03).
 */
export function decodeBinary(typeOid: number, bytes: Buffer): string | null {
  const decode = DECODERS[typeOid];
  if (!decode) return null;
  const text = decode(bytes);
  if (text === null) throw new ClientError(INVALID_BINARY_REPRESENTATION, `incorrect binary data format for type ${typeOid}`);
  return text;
}

function utf8(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

function integer(text: string, size: 2 | 4 | 8): Buffer | null {
  if (!INTEGER.test(text)) return null;
  const n = BigInt(text.trim());
  const limit = 1n << BigInt(8 * size - 1);
  if (n < -limit || n >= limit) return null;
  const out = Buffer.alloc(size);
  if (size === 2) out.writeInt16BE(Number(n));
  else if (size === 4) out.writeInt32BE(Number(n));
  else out.writeBigInt64BE(n);
  return out;
}

function uint32(n: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(n);
  return out;
}

function float(text: string, size: 4 | 8): Buffer | null {
  if (!FLOAT.test(text)) return null;
  const trimmed = text.trim().toLowerCase();
  const n = trimmed.endsWith('infinity') ? (trimmed.startsWith('-') ? -Infinity : Infinity) : trimmed === 'nan' ? NaN : Number(trimmed);
  const out = Buffer.alloc(size);
  if (size === 4) out.writeFloatBE(n);
  else out.writeDoubleBE(n);
  return out;
}

/** "char" is one byte; its text is the character, or \ooo in octal for bytes above 127 (charout). */
function encodeChar(text: string): Buffer | null {
  if (/^\\[0-3][0-7]{2}$/.test(text)) return Buffer.of(parseInt(text.slice(1), 8));
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length <= 1 ? Buffer.of(bytes[0] ?? 0) : null;
}

function decodeChar(bytes: Buffer): string | null {
  if (bytes.length !== 1) return null;
  const b = bytes[0];
  if (b === 0) return '';
  return b < 128 ? String.fromCharCode(b) : `\\${b.toString(8).padStart(3, '0')}`;
}

/** Shortest text that reads back as the same float4 (float4in rounds to nearest). */
function float4Text(v: number): string {
  if (!Number.isFinite(v)) return float8Text(v);
  for (let digits = 1; digits < 9; digits++) {
    const text = String(Number(v.toPrecision(digits)));
    if (Math.fround(Number(text)) === v) return Object.is(v, -0) ? '-0' : text;
  }
  return float8Text(v);
}

function float8Text(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}
