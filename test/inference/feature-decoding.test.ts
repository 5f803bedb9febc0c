import { describe, expect, test } from 'vitest';
import { float32Column, float32OfText, indexLeadingColumns, parseFloat32Bytes, textColumn } from '../../src/inference/feature-decoding.ts';

/** The reference: what predictBatch stores for a float32 input's text. */
const reference = (text: string | null) => Math.fround(text === null ? NaN : text === 't' ? 1 : text === 'f' ? 0 : Number(text));

function dataRow(values: Array<string | null>): Buffer {
  const parts: Buffer[] = [Buffer.from([values.length >> 8, values.length & 255])];
  for (const v of values) {
    const len = Buffer.alloc(4);
    if (v === null) {
      len.writeInt32BE(-1);
      parts.push(len);
    } else {
      const bytes = Buffer.from(v, 'utf8');
      len.writeInt32BE(bytes.length);
      parts.push(len, bytes);
    }
  }
  return Buffer.concat(parts);
}

/** Decoded as a one-column batch, through the fast parser and its fallback. */
function decode(texts: Array<string | null>): Float32Array {
  return float32Column(indexLeadingColumns(texts.map((t) => dataRow([t, 'other'])), 1), 0);
}

function expectSame(texts: Array<string | null>): void {
  const got = decode(texts);
  texts.forEach((t, i) => {
    const want = reference(t);
    // Object.is tells -0 from 0 and NaN equal to NaN.
    if (!Object.is(got[i], want)) expect({ text: t, got: got[i] }).toEqual({ text: t, got: want });
  });
}

/** A deterministic generator (xorshift), so a failure repeats. */
function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

describe('float32 inputs from DataRow bytes', () => {
  test('special and unusual texts equal Number() then float32', () => {
    expectSame([
      null, 't', 'f', 'true', 'false', '', ' ', '0', '-0', '+0', '0.0', '-0.0', '00', '0e0', '-0e-999', '1', '-1', '+1',
      '1.', '.5', '-.5', '.', '-', '+', 'e5', '1e', '1e+', '1e-', '1e5', '1E5', '1e+05', '1e-05', '-1.5e-7', '1e22', '1e23',
      '1e38', '3.4028234663852886e+38', '3.4028235677973366e+38', '3.4028235677973362e+38', '1e39', '-1e39', '1e-38',
      '1.401298464324817e-45', '7.006492321624085e-46', '7.006492321624087e-46', '1e-46', '1e-50', '1e300', '1e-300',
      '1e400', '1e-400', '12345e-50', '12345e50', 'NaN', 'Infinity', '-Infinity', '+Infinity', 'inf', 'nan',
      ' 1', '1 ', '0x10', '0b11', '0o7', '1_000', '١', '1,5', '--1', '1e1.5', '16777217', '16777216', '16777215',
      '33554433', '9007199254740993', '9007199254740992', '123456789012345678901234567890', '0.1', '0.2', '0.3',
      '1.00000005960464477539062', '1.0000000596046448', '1.0000000596046447', '1.0000000596046449',
      '0.000000000000000000000000000000000000000000001', '1' + '0'.repeat(40), '0.' + '0'.repeat(50) + '1',
      '4.2e-12', '99999999999999999999', '9999999999999999999', '1e-0', '1e+0', '1e0000', '1e00001',
    ]);
  });

  test('random doubles as JS and PostgreSQL print them (shortest round trip)', () => {
    const next = random(11);
    const texts: string[] = [];
    for (let i = 0; i < 50_000; i++) {
      const scale = 10 ** Math.floor(next() * 80 - 40);
      const v = (next() - 0.5) * scale;
      texts.push(String(v), v.toExponential(), v.toPrecision(1 + Math.floor(next() * 20)), v.toFixed(Math.floor(next() * 20)));
    }
    expectSame(texts);
  });

  test('float32 values and the midpoints between neighbouring float32s', () => {
    const next = random(7);
    const f32 = new Float32Array(1);
    const u32 = new Uint32Array(f32.buffer);
    const texts: string[] = [];
    for (let i = 0; i < 30_000; i++) {
      u32[0] = Math.floor(next() * 0xff000000); // finite float32s of either sign
      const a = f32[0];
      u32[0] += 1;
      const b = f32[0];
      const mid = (a + b) / 2; // exact in a double: the float32 rounding boundary
      texts.push(String(a), String(mid), mid.toPrecision(17), mid.toPrecision(21), (mid * (1 + 1e-16)).toPrecision(17), (mid * (1 - 1e-16)).toPrecision(17));
    }
    expectSame(texts);
  });

  test('random digit strings, long and short, with exponents', () => {
    const next = random(3);
    const digits = (n: number) => Array.from({ length: n }, () => Math.floor(next() * 10)).join('');
    const texts: string[] = [];
    for (let i = 0; i < 50_000; i++) {
      const sign = next() < 0.3 ? '-' : next() < 0.1 ? '+' : '';
      const int = digits(Math.floor(next() * 22));
      const frac = next() < 0.7 ? `.${digits(Math.floor(next() * 22))}` : '';
      const exp = next() < 0.3 ? `${next() < 0.5 ? 'e' : 'E'}${next() < 0.5 ? '-' : ''}${Math.floor(next() * 60)}` : '';
      texts.push(`${sign}${int}${frac}${exp}`);
    }
    expectSame(texts);
  });

  test('NULLs, text columns and the columns after the inputs', () => {
    const rows = [dataRow(['1.5', null, 'x']), dataRow([null, 'é', 'y']), dataRow(['t', '', null])];
    const index = indexLeadingColumns(rows, 2);
    expect(Array.from(float32Column(index, 0))).toEqual([1.5, NaN, 1]);
    expect(textColumn(index, 1)).toEqual([null, 'é', '']);
    expect(float32OfText('f')).toBe(0);
  });

  test('the parser answers only for plain decimals', () => {
    const bytes = (s: string) => Buffer.from(s);
    expect(parseFloat32Bytes(bytes('2.5'), 0, 3)).toBe(2.5);
    expect(parseFloat32Bytes(bytes('NaN'), 0, 3)).toBeUndefined();
    expect(parseFloat32Bytes(bytes(' 1'), 0, 2)).toBeUndefined();
  });
});
