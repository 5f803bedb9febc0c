/**
 * numeric in binary (numeric_send/numeric_recv): int16 ndigits, int16 weight, uint16 sign, int16
 * dscale, then ndigits base-10000 digits, most significant first. The value is
 * sum(digit[i] * 10000^(weight - i)); dscale is the number of decimal digits after the point the
 * text shows. PostgreSQL strips zero digits at both ends, and zero has no digits and weight 0.
 */

const POSITIVE = 0x0000;
const NEGATIVE = 0x4000;
const NAN = 0xc000;
const PLUS_INFINITY = 0xd000; // PostgreSQL 14 and later
const MINUS_INFINITY = 0xf000;
const INFINITY_DSCALE = 32;

const NUMBER = /^\s*([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/;

/** numeric_send's bytes for numeric text (with an exponent or not); null when it is not a number. */
export function encodeNumeric(text: string): Buffer | null {
  const special = text.trim().toLowerCase();
  if (special === 'nan') return header(0, 0, NAN, 0);
  // PostgreSQL sends the infinities with dscale 32 (their header's unused scale bits read as such).
  if (special === 'infinity' || special === '+infinity' || special === 'inf') return header(0, 0, PLUS_INFINITY, INFINITY_DSCALE);
  if (special === '-infinity' || special === '-inf') return header(0, 0, MINUS_INFINITY, INFINITY_DSCALE);
  const m = NUMBER.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const integer = m[2];
  const fraction = m[3] ?? '';
  const exponent = m[4] ? Number(m[4]) : 0;
  const dscale = Math.max(0, fraction.length - exponent);
  let digits = integer + fraction;
  // Decimal digits before the point, counted from the start of `digits`.
  let point = integer.length + exponent;
  const lead = digits.length - digits.replace(/^0+/, '').length;
  digits = digits.slice(lead).replace(/0+$/, '');
  point -= lead;
  if (digits === '') return header(0, 0, POSITIVE, dscale);
  // Align groups of four on the decimal point.
  const pad = (4 - (((point % 4) + 4) % 4)) % 4;
  digits = '0'.repeat(pad) + digits;
  point += pad;
  digits += '0'.repeat((4 - (digits.length % 4)) % 4);
  const groups: number[] = [];
  for (let i = 0; i < digits.length; i += 4) groups.push(Number(digits.slice(i, i + 4)));
  const out = header(groups.length, point / 4 - 1, m[1] === '-' ? NEGATIVE : POSITIVE, dscale, groups.length);
  groups.forEach((g, i) => out.writeInt16BE(g, 8 + 2 * i));
  return out;
}

/** numeric_out's text of numeric_send's bytes; null when they are not a numeric. */
export function decodeNumeric(bytes: Buffer): string | null {
  if (bytes.length < 8) return null;
  const ndigits = bytes.readInt16BE(0);
  const weight = bytes.readInt16BE(2);
  const sign = bytes.readUInt16BE(4);
  const dscale = bytes.readInt16BE(6);
  if (ndigits < 0 || dscale < 0 || bytes.length !== 8 + 2 * ndigits) return null;
  if (sign === NAN) return 'NaN';
  if (sign === PLUS_INFINITY) return 'Infinity';
  if (sign === MINUS_INFINITY) return '-Infinity';
  if (sign !== POSITIVE && sign !== NEGATIVE) return null;
  const digit = (i: number) => (i >= 0 && i < ndigits ? bytes.readInt16BE(8 + 2 * i) : 0);
  for (let i = 0; i < ndigits; i++) if (digit(i) < 0 || digit(i) > 9999) return null;
  let integer = '';
  for (let i = 0; i <= weight; i++) integer += i === 0 ? String(digit(i)) : String(digit(i)).padStart(4, '0');
  integer = integer.replace(/^0+(?=\d)/, '') || '0';
  let fraction = '';
  for (let i = weight + 1; fraction.length < dscale; i++) fraction += String(digit(i)).padStart(4, '0');
  fraction = fraction.slice(0, dscale);
  const negative = sign === NEGATIVE && /[1-9]/.test(integer + fraction);
  return `${negative ? '-' : ''}${integer}${dscale > 0 ? `.${fraction}` : ''}`;
}

function header(ndigits: number, weight: number, sign: number, dscale: number, groups = 0): Buffer {
  const out = Buffer.alloc(8 + 2 * groups);
  out.writeInt16BE(ndigits, 0);
  out.writeInt16BE(weight, 2);
  out.writeUInt16BE(sign, 4);
  out.writeInt16BE(dscale, 6);
  return out;
}
