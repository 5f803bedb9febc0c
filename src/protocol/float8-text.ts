/**
 * PostgreSQL's text of a float8 (float8out with extra_float_digits ≥ 1, its default): the
 * shortest decimal that reads back as the same double, as Ryu finds it, the one nearest the value
 * when several are as short; fixed notation for decimal exponents from -4 to 14, else d.ddde±XX
 * with at least two exponent digits; '-0', 'NaN', 'Infinity', '-Infinity'.
 *
 * Predictions of trained models are float32 values sent as float8, and formatting them was a
 * fifth of the proxy's JavaScript per row. For a float32 value between 2^-10 and 2^53 the digits
 * are generated here with exact double arithmetic, ASCII straight into the caller's buffer: the
 * value has at most 24 significant bits, so its fraction times ten stays exact digit after digit,
 * and so do the bounds of the interval that reads back as the value (2^-53 of it either side,
 * both included as the double's significand is even; in that range the interval's ends never
 * have fewer digits than the value, so Ryu's handling of them does not matter). Anything else
 * goes the slow way Ryu itself goes (shortestDigits).
 */

/** Room enough for any float8 text: '-', 17 digits, '.', 'e-308' and more. */
export const FLOAT8_TEXT_MAX_BYTES = 32;

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // little-endian: the high word is words[1]
const digits = new Uint8Array(40);
/** 2^(k - 1100) for k in [0, 2100): the halves of the gaps between doubles. */
const POW2 = Float64Array.from({ length: 2100 }, (_, k) => 2 ** (k - 1100));
const MIN_FAST = 2 ** -10;
const MAX_FAST = 2 ** 53;
const scratch = Buffer.allocUnsafe(FLOAT8_TEXT_MAX_BYTES);

/** `v` as float8 text at `out[o]`; returns the offset after it. `out` needs FLOAT8_TEXT_MAX_BYTES from `o`. */
export function writeFloat8Text(out: Uint8Array, o: number, v: number): number {
  if (v !== v) return ascii(out, o, 'NaN');
  if (v === Infinity) return ascii(out, o, 'Infinity');
  if (v === -Infinity) return ascii(out, o, '-Infinity');
  if (v === 0) return 1 / v < 0 ? ascii(out, o, '-0') : ascii(out, o, '0');
  if (v < 0) {
    out[o++] = 45; // '-'
    v = -v;
  }
  const n = v >= MIN_FAST && v < MAX_FAST && Math.fround(v) === v ? float32Digits(v) : shortestDigits(v);
  return layout(out, o, n, exponent10);
}

/** `v` as float8 text. */
export function float8Text(v: number): string {
  return scratch.toString('latin1', 0, writeFloat8Text(scratch, 0, v));
}

/** The decimal exponent of the first of the digits the last call of float32Digits or shortestDigits left. */
let exponent10 = 0;

/**
 * The shortest digits of a float32 value v in [2^-10, 2^53) (see the file's comment) into
 * `digits`; returns their count, and sets exponent10.
 */
function float32Digits(v: number): number {
  bits[0] = v;
  const hi = words[HI];
  const e2 = ((hi >>> 20) & 0x7ff) - 1023;
  // Half the gap to the next double above; below, half of a gap half as wide at a power of two.
  const above = POW2[e2 - 53 + 1100];
  const below = (hi & 0xfffff) === 0 && words[1 - HI] === 0 ? above / 2 : above;
  const whole = Math.floor(v);
  let rest = v - whole;
  let n = 0;
  // The integer part's digits (it has at most 16), most significant first.
  if (whole > 0) {
    let w = whole;
    // Least significant first, then turned around; int32 arithmetic while the part fits.
    while (w >= 2147483648) {
      const d = w % 10;
      digits[n++] = d;
      w = (w - d) / 10;
    }
    let i = w | 0;
    while (i > 0) {
      const q = (i / 10) | 0;
      digits[n++] = i - q * 10;
      i = q;
    }
    for (let l = 0, r = n - 1; l < r; l++, r--) {
      const t = digits[l];
      digits[l] = digits[r];
      digits[r] = t;
    }
    exponent10 = n - 1;
  } else {
    exponent10 = 0;
  }
  let up = above;
  let down = below;
  let leading = whole === 0; // no significant digit yet: zeros after the point only move the exponent
  for (;;) {
    // Cut here: the digits so far (rest ≤ down), or one more in the last place (1 - rest ≤ up).
    const downOk = rest <= down;
    const upOk = 1 - rest <= up;
    if (downOk || upOk) {
      const roundUp = downOk && upOk ? rest > 0.5 || (rest === 0.5 && n > 0 && (digits[n - 1] & 1) === 1) : upOk;
      if (roundUp) n = incrementLast(n);
      break;
    }
    rest *= 10;
    up *= 10;
    down *= 10;
    const d = Math.floor(rest);
    rest -= d;
    if (leading && d === 0) {
      exponent10--;
      continue;
    }
    if (leading) {
      exponent10--;
      leading = false;
    }
    digits[n++] = d;
  }
  while (n > 1 && digits[n - 1] === 0) n--;
  return n;
}

/** Adds one in the last place of the n digits (a carry may add a digit in front); returns the count. */
function incrementLast(n: number): number {
  if (n === 0) {
    // 0.00…0 rounded up: a 1 in the place looked at last, whose exponent exponent10 is already.
    digits[0] = 1;
    return 1;
  }
  let i = n - 1;
  while (i >= 0 && digits[i] === 9) digits[i--] = 0;
  if (i >= 0) {
    digits[i]++;
    return n;
  }
  // 99…9 + 1: a 1 in front, the zeros after it are dropped by the caller.
  digits.copyWithin(1, 0, n);
  digits[0] = 1;
  exponent10++;
  return n + 1;
}

/**
 * The digits PostgreSQL's Ryu (src/common/d2s.c, built without STRICTLY_SHORTEST) gives for
 * v > 0, in exact BigInt arithmetic: the shortest decimal strictly inside the interval that reads
 * back as v, nearest v. The interval's ends are left out even where they would read back as v,
 * so above 2^53 PostgreSQL sometimes prints a seventeenth digit where JavaScript stops at sixteen.
 * Slow, and only for values outside the fast path: subnormal, below 2^-10, at or above 2^53, or
 * not float32 values.
 */
function shortestDigits(v: number): number {
  bits[0] = v;
  const hi = words[HI];
  const ieeeExponent = (hi >>> 20) & 0x7ff;
  const ieeeMantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(words[1 - HI]);
  // d2s.c: integers in [1, 2^53) print as themselves.
  const e2raw = ieeeExponent - 1075;
  if (ieeeExponent !== 0 && e2raw <= 0 && e2raw >= -52) {
    const m = ieeeMantissa | (1n << 52n);
    const shift = BigInt(-e2raw);
    if ((m & ((1n << shift) - 1n)) === 0n) return digitsOf(m >> shift, 0);
  }
  let m2: bigint;
  let e2: number;
  if (ieeeExponent === 0) {
    m2 = ieeeMantissa;
    e2 = 1 - 1075 - 2;
  } else {
    m2 = ieeeMantissa | (1n << 52n);
    e2 = ieeeExponent - 1075 - 2;
  }
  const mv = 4n * m2;
  const mmShift = ieeeMantissa !== 0n || ieeeExponent <= 1 ? 1n : 0n;
  const mp = mv + 2n;
  const mm = mv - 1n - mmShift;
  let vr: bigint;
  let vp: bigint;
  let vm: bigint;
  let e10: number;
  let vrIsTrailingZeros = false;
  if (e2 >= 0) {
    const q = Math.max(0, ((e2 * 78913) >>> 18) - (e2 > 3 ? 1 : 0));
    e10 = q;
    const num = 1n << BigInt(e2);
    const den = 10n ** BigInt(q);
    vr = (mv * num) / den;
    vp = (mp * num) / den;
    vm = (mm * num) / den;
    if (q <= 21) {
      const five = 5n ** BigInt(q);
      if (mv % 5n === 0n) vrIsTrailingZeros = mv % five === 0n;
      else if (mp % five === 0n) vp -= 1n;
    }
  } else {
    const q = Math.max(0, ((-e2 * 732923) >>> 20) - (-e2 > 1 ? 1 : 0));
    e10 = q + e2;
    const i = -e2 - q;
    const num = 5n ** BigInt(i);
    const den = 1n << BigInt(q);
    vr = (mv * num) / den;
    vp = (mp * num) / den;
    vm = (mm * num) / den;
    if (q <= 1) {
      vrIsTrailingZeros = true;
      vp -= 1n;
    } else if (q < 63) {
      vrIsTrailingZeros = mv % (1n << BigInt(q - 1)) === 0n;
    }
  }
  let removed = 0;
  let lastRemovedDigit = 0n;
  let output: bigint;
  if (vrIsTrailingZeros) {
    // The value's own decimal ends here: an exact …5 rounds to even.
    while (vp / 10n > vm / 10n) {
      vrIsTrailingZeros &&= lastRemovedDigit === 0n;
      lastRemovedDigit = vr % 10n;
      vr /= 10n;
      vp /= 10n;
      vm /= 10n;
      removed++;
    }
    if (vrIsTrailingZeros && lastRemovedDigit === 5n && vr % 2n === 0n) lastRemovedDigit = 4n;
    output = vr + (vr === vm || lastRemovedDigit >= 5n ? 1n : 0n);
  } else {
    let roundUp = false;
    while (vp / 10n > vm / 10n) {
      roundUp = vr % 10n >= 5n;
      vr /= 10n;
      vp /= 10n;
      vm /= 10n;
      removed++;
    }
    output = vr + (vr === vm || roundUp ? 1n : 0n);
  }
  return digitsOf(output, e10 + removed);
}

/** The digits of output × 10^exponent into `digits`, trailing zeros dropped; sets exponent10. */
function digitsOf(output: bigint, exponent: number): number {
  const text = output.toString();
  let n = text.length;
  while (n > 1 && text.charCodeAt(n - 1) === 48) n--;
  for (let i = 0; i < n; i++) digits[i] = text.charCodeAt(i) - 48;
  exponent10 = exponent + text.length - 1;
  return n;
}

/** PostgreSQL's layout of n digits whose first is at decimal exponent e (d2s.c's to_chars). */
function layout(out: Uint8Array, o: number, n: number, e: number): number {
  if (e >= -4 && e < 15) {
    if (e < 0) {
      out[o++] = 48;
      out[o++] = 46;
      for (let z = -1; z > e; z--) out[o++] = 48;
      for (let i = 0; i < n; i++) out[o++] = 48 + digits[i];
      return o;
    }
    for (let i = 0; i <= e; i++) out[o++] = i < n ? 48 + digits[i] : 48;
    if (n > e + 1) {
      out[o++] = 46;
      for (let i = e + 1; i < n; i++) out[o++] = 48 + digits[i];
    }
    return o;
  }
  out[o++] = 48 + digits[0];
  if (n > 1) {
    out[o++] = 46;
    for (let i = 1; i < n; i++) out[o++] = 48 + digits[i];
  }
  out[o++] = 101; // 'e'
  out[o++] = e < 0 ? 45 : 43;
  const a = e < 0 ? -e : e;
  if (a >= 100) out[o++] = 48 + Math.floor(a / 100);
  out[o++] = 48 + (Math.floor(a / 10) % 10);
  out[o++] = 48 + (a % 10);
  return o;
}

function ascii(out: Uint8Array, o: number, text: string): number {
  for (let i = 0; i < text.length; i++) out[o++] = text.charCodeAt(i);
  return o;
}
