import { BinaryOid, decodeBinary } from '../protocol/binary-values.ts';
import type { LeadingColumns } from './feature-decoding.ts';

/**
 * Model inputs PostgreSQL sends in binary (the proxy's own Bind asks for it, see
 * argumentFormats), read straight into float tensors. Each value gives exactly the number the
 * text path makes of PostgreSQL's text for it: `Math.fround(Number(text))` for a float32 input,
 * `Number(text)` for a float64 one (dates and times as epoch seconds), NULL as NaN. Binary skips
 * PostgreSQL's float8out and the proxy's decimal parsing, and is half the bytes.
 */

/**
 * Parameter types whose argument column the proxy reads in binary: numbers and bool (a trained
 * model's float32 inputs), and dates and times (featureSelectExpression's epoch seconds, numeric
 * on PostgreSQL 14 and later, float8 before). Text types are the same bytes either way.
 */
const BINARY_PARAMETER_TYPES = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'bool', 'date', 'time', 'timestamp', 'timestamptz']);

export function readsBinary(parameterType: string): boolean {
  return BINARY_PARAMETER_TYPES.has(parameterType);
}

/** 10^0 .. 10^22, each exact in a double. */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

const NUMERIC_NEGATIVE = 0x4000;
const NUMERIC_NAN = 0xc000;
const NUMERIC_PLUS_INFINITY = 0xd000;
const NUMERIC_MINUS_INFINITY = 0xf000;

/**
 * The double `Number(numeric_out(x))` gives for numeric_send's bytes [start, start + len) (see
 * protocol/binary-numeric.ts for the layout). When the digits make an integer up to 2^53 scaled
 * by a power of ten up to 1e22, one exact multiplication or division rounds it once (Clinger's
 * fast path), as Number() does; anything else goes through numeric_out's text and Number().
 */
export function numericToNumber(buf: Buffer, start: number, len: number): number {
  const ndigits = (buf[start] << 8) | buf[start + 1];
  const weight = ((buf[start + 2] << 24) >> 16) | buf[start + 3];
  const sign = (buf[start + 4] << 8) | buf[start + 5];
  const dscale = (buf[start + 6] << 8) | buf[start + 7];
  if (sign === NUMERIC_NAN) return NaN;
  if (sign === NUMERIC_PLUS_INFINITY) return Infinity;
  if (sign === NUMERIC_MINUS_INFINITY) return -Infinity;
  // numeric_out never writes a minus sign before zero.
  if (ndigits === 0) return 0;
  let mantissa = 0;
  let p = start + 8;
  for (let i = 0; i < ndigits; i++, p += 2) mantissa = mantissa * 10000 + ((buf[p] << 8) | buf[p + 1]);
  // The value is mantissa * 10000^(weight - ndigits + 1); the text shows dscale decimals of it.
  let exponent = 4 * (weight - ndigits + 1);
  // Trailing zeros of the last group, so that digits the text cuts at dscale are not counted.
  while (exponent < 0 && mantissa % 10 === 0 && mantissa !== 0 && mantissa <= 9007199254740992) {
    mantissa /= 10;
    exponent++;
  }
  if (mantissa === 0) return 0;
  if (mantissa <= 9007199254740992 && -exponent <= dscale && exponent >= -22 && exponent <= 22) {
    const exact = exponent >= 0 ? mantissa * POW10[exponent] : mantissa / POW10[-exponent];
    return sign === NUMERIC_NEGATIVE ? -exact : exact;
  }
  const text = decodeBinary(BinaryOid.numeric, buf.subarray(start, start + len));
  return text === null ? NaN : Number(text);
}

/** The number the text path gives for one binary value of type `typeOid`, before any float32 rounding. */
function binaryNumber(typeOid: number, buf: Buffer, start: number, len: number): number {
  switch (typeOid) {
    case BinaryOid.float8:
      return buf.readDoubleBE(start);
    case BinaryOid.float4:
      return buf.readFloatBE(start);
    case BinaryOid.int4:
      return buf.readInt32BE(start);
    case BinaryOid.int2:
      return buf.readInt16BE(start);
    case BinaryOid.int8:
      // high * 2^32 is exact and the sum rounds once: Number() of the integer's text.
      return buf.readInt32BE(start) * 4294967296 + buf.readUInt32BE(start + 4);
    case BinaryOid.bool:
      return buf[start] === 0 ? 0 : 1;
    case BinaryOid.numeric:
      return numericToNumber(buf, start, len);
    default: {
      // Not a type argumentFormats asks binary for: through its text, as the text path reads it.
      const text = decodeBinary(typeOid, buf.subarray(start, start + len));
      return text === null ? NaN : text === 't' ? 1 : text === 'f' ? 0 : Number(text);
    }
  }
}

/** Column `column` of rows [from, to), sent in binary of type `typeOid`, as float32 model inputs. */
export function binaryFloat32Column(index: LeadingColumns, column: number, typeOid: number, from = 0, to = index.rows.length): Float32Array {
  const { rows, extra, starts, lengths } = index;
  const out = new Float32Array(to - from);
  if (typeOid === BinaryOid.float8) {
    // The common case by far, without the switch per value.
    for (let r = from, k = from * extra + column, o = 0; r < to; r++, k += extra, o++) {
      out[o] = lengths[k] < 0 ? NaN : rows[r].readDoubleBE(starts[k]);
    }
    return out;
  }
  for (let r = from, k = from * extra + column, o = 0; r < to; r++, k += extra, o++) {
    const len = lengths[k];
    out[o] = len < 0 ? NaN : binaryNumber(typeOid, rows[r], starts[k], len);
  }
  return out;
}

/** As binaryFloat32Column, for a float64 input (epoch seconds of a date or time). */
export function binaryFloat64Column(index: LeadingColumns, column: number, typeOid: number, from = 0, to = index.rows.length): Float64Array {
  const { rows, extra, starts, lengths } = index;
  const out = new Float64Array(to - from);
  for (let r = from, k = from * extra + column, o = 0; r < to; r++, k += extra, o++) {
    const len = lengths[k];
    out[o] = len < 0 ? NaN : binaryNumber(typeOid, rows[r], starts[k], len);
  }
  return out;
}

/** Column `column`, sent in binary, as PostgreSQL's text of each value (for a model that reads text). */
export function binaryTextColumn(index: LeadingColumns, column: number, typeOid: number): Array<string | null> {
  const { rows, extra, starts, lengths } = index;
  const out: Array<string | null> = new Array(rows.length);
  for (let r = 0, k = column; r < rows.length; r++, k += extra) {
    const len = lengths[k];
    out[r] = len < 0 ? null : decodeBinary(typeOid, rows[r].subarray(starts[k], starts[k] + len));
  }
  return out;
}
