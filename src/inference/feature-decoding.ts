/**
 * Model inputs read straight from DataRow bytes into float32 tensors, without a JS string per
 * value. Each value gives exactly what predictBatch makes of its text (`Number(text)` stored in a
 * Float32Array, 't' as 1, 'f' as 0, NULL as NaN): text the fast parser is not sure of goes through
 * that very expression.
 */

/** 10^0 .. 10^22, each exact in a double. */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/** Relative margin around the parsed value: far wider than its error (a few 1e-16). */
const MARGIN = 1e-13;

/**
 * The float32 that `Math.fround(Number(text))` gives for the bytes [start, end) of `buf`, when the
 * text is a plain decimal ([+-]digits[.digits][(e|E)[+-]digits]) whose float32 rounding the
 * double arithmetic here decides for certain; undefined otherwise (the caller then asks Number()).
 *
 * The digits (up to 19 significant) are read into a double and scaled by powers of ten: a value
 * within ~1e-15 of the exact decimal (a few roundings of 2^-53 each). Rounding to float32 is
 * monotone, so when the value widened by MARGIN on either side rounds to one float32, the exact
 * decimal, and Number()'s double of it, round to that float32 too. Only text within ~1e-13 of a
 * float32 rounding boundary and too long for Clinger's exact fast path (up to 2^53 over a power
 * of ten up to 1e22) is left to Number().
 */
export function parseFloat32Bytes(buf: Uint8Array, start: number, end: number): number | undefined {
  let i = start;
  if (i >= end) return undefined;
  let negative = false;
  let c = buf[i];
  if (c === 45 /* - */ || c === 43 /* + */) {
    negative = c === 45;
    if (++i >= end) return undefined;
  }
  let mantissa = 0;
  let significant = 0;
  let exponent = 0;
  let digits = 0;
  for (; i < end; i++) {
    c = buf[i] - 48;
    if (c < 0 || c > 9) break;
    digits++;
    if (mantissa === 0 && c === 0) continue;
    if (++significant > 19) return undefined;
    mantissa = mantissa * 10 + c;
  }
  if (i < end && buf[i] === 46 /* . */) {
    for (i++; i < end; i++) {
      c = buf[i] - 48;
      if (c < 0 || c > 9) break;
      digits++;
      exponent--;
      if (mantissa === 0 && c === 0) continue;
      if (++significant > 19) return undefined;
      mantissa = mantissa * 10 + c;
    }
  }
  if (digits === 0) return undefined;
  if (i < end && (buf[i] === 101 /* e */ || buf[i] === 69 /* E */)) {
    i++;
    let expNegative = false;
    if (i < end && (buf[i] === 45 || buf[i] === 43)) expNegative = buf[i++] === 45;
    let e = 0;
    let expDigits = 0;
    for (; i < end; i++) {
      c = buf[i] - 48;
      if (c < 0 || c > 9) break;
      if (++expDigits > 4) return undefined;
      e = e * 10 + c;
    }
    if (expDigits === 0) return undefined;
    exponent += expNegative ? -e : e;
  }
  if (i !== end) return undefined;
  if (mantissa === 0) return negative ? -0 : 0;
  // Clinger's fast path: an exact integer times or over an exact power of ten is rounded once,
  // so it is Number()'s double itself, and its float32 is the answer even on a float32 tie.
  if (mantissa <= 9007199254740992 && exponent >= -22 && exponent <= 22) {
    const exact = exponent >= 0 ? mantissa * POW10[exponent] : mantissa / POW10[-exponent];
    return Math.fround(negative ? -exact : exact);
  }
  let value: number;
  if (exponent >= 0) {
    if (exponent > 22) {
      if (exponent > 44) return undefined;
      value = mantissa * POW10[22] * POW10[exponent - 22];
    } else {
      value = mantissa * POW10[exponent];
    }
  } else if (exponent >= -22) {
    value = mantissa / POW10[-exponent];
  } else {
    if (exponent < -44) return undefined;
    value = mantissa / POW10[22] / POW10[-exponent - 22];
  }
  const f = Math.fround(value);
  if (Math.fround(value * (1 - MARGIN)) !== f || Math.fround(value * (1 + MARGIN)) !== f) return undefined;
  return negative ? -f : f;
}

/** What predictBatch makes of a float32 input's text (null for NULL). */
export function float32OfText(v: string | null): number {
  return Math.fround(v === null ? NaN : v === 't' ? 1 : v === 'f' ? 0 : Number(v));
}

/**
 * Where the first `extra` columns of each DataRow body start (`starts[r * extra + c]`, the byte
 * after the length) and how long they are (`lengths[...]`, -1 for NULL).
 */
export interface LeadingColumns {
  rows: readonly Buffer[];
  extra: number;
  starts: Int32Array;
  lengths: Int32Array;
}

export function indexLeadingColumns(rows: readonly Buffer[], extra: number): LeadingColumns {
  const n = rows.length;
  const starts = new Int32Array(n * extra);
  const lengths = new Int32Array(n * extra);
  let k = 0;
  for (let r = 0; r < n; r++) {
    const body = rows[r];
    let pos = 2;
    for (let c = 0; c < extra; c++, k++) {
      const len = (body[pos] << 24) | (body[pos + 1] << 16) | (body[pos + 2] << 8) | body[pos + 3];
      pos += 4;
      starts[k] = pos;
      lengths[k] = len;
      if (len > 0) pos += len;
    }
  }
  return { rows, extra, starts, lengths };
}

/** Column `column` of every row as PostgreSQL text (null for NULL). */
export function textColumn(index: LeadingColumns, column: number): Array<string | null> {
  const { rows, extra, starts, lengths } = index;
  const out: Array<string | null> = new Array(rows.length);
  for (let r = 0, k = column; r < rows.length; r++, k += extra) {
    const len = lengths[k];
    out[r] = len < 0 ? null : rows[r].toString('utf8', starts[k], starts[k] + len);
  }
  return out;
}

/** Column `column` of rows [from, to) as the float32 model input predictBatch would make of its text. */
export function float32Column(index: LeadingColumns, column: number, from = 0, to = index.rows.length): Float32Array {
  const { rows, extra, starts, lengths } = index;
  const out = new Float32Array(to - from);
  for (let r = from, k = from * extra + column, o = 0; r < to; r++, k += extra, o++) {
    const len = lengths[k];
    if (len < 0) {
      out[o] = NaN;
      continue;
    }
    const body = rows[r];
    const start = starts[k];
    if (len === 1) {
      const b = body[start];
      if (b === 116 /* t */) {
        out[o] = 1;
        continue;
      }
      if (b === 102 /* f */) {
        out[o] = 0;
        continue;
      }
    }
    const v = parseFloat32Bytes(body, start, start + len);
    out[o] = v !== undefined ? v : float32OfText(body.toString('utf8', start, start + len));
  }
  return out;
}
