import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { inject } from 'vitest';
import { serialize } from 'pg-protocol';
import { BinaryOid, decodeBinary, encodeBinary } from '../../src/protocol/binary-values.ts';
import { isClientError } from '../../src/errors/client-error.ts';
import { RawClient, rowValues } from '../support/raw-client.ts';

/*
 * The reference is PostgreSQL itself: for each value, its own text output and its own binary
 * output (typsend) of the same value, read byte for byte with a raw protocol client. The proxy's
 * encoder must write those bytes from that text, and its decoder must give that text back (or,
 * for floats, text PostgreSQL reads back as the same bytes).
 */

let c: RawClient;

beforeAll(async () => {
  const url = new URL(inject('upstreamUrl'));
  c = await RawClient.ready(Number(url.port), { database: 'postgres', TimeZone: 'UTC' });
});
afterAll(() => c.destroy());

/** PostgreSQL's text (format 0) or binary (format 1) output of `text` read as type `oid`. */
async function postgres(oid: number, value: string | Buffer, format: 0 | 1): Promise<Buffer | null> {
  c.write([
    serialize.parse({ text: 'SELECT $1', types: [oid] }),
    serialize.bind({ values: [value], binary: format === 1 }),
    serialize.execute(),
    serialize.sync(),
  ]);
  const answers = await c.readUntilReady();
  const error = answers.find((m) => m.name === 'error');
  if (error) throw new Error(`PostgreSQL refused ${String(value)} as ${oid}: ${String(error.message)}`);
  const row = answers.find((m) => m.name === 'dataRow');
  return row ? rowValues(row.body)[0] : null;
}

const CASES: Array<[keyof typeof BinaryOid, string[]]> = [
  ['bool', ['t', 'f']],
  ['int2', ['0', '-32768', '32767', '-7']],
  ['int4', ['-2147483648', '2147483647', '123']],
  ['int8', ['9223372036854775807', '-9223372036854775808', '4294967296', '0']],
  ['float4', ['1.5', '-0', 'NaN', 'Infinity', '-Infinity', '3.4028235e+38', '1e-45', '0.1', '0.30000001']],
  ['float8', ['0.1', '-0', 'NaN', '-Infinity', '1e+308', '5e-324', '3.141592653589793', '123456789012345680000']],
  [
    'numeric',
    ['0', '0.00', '-1.5', '1.50', '12000', '0.00001', '123456789.123456789', 'NaN', 'Infinity', '-Infinity', '99999999999999999999.0001', '-0.0001000', '10000'],
  ],
  ['text', ['héllo wörld', '', 'tab\tand\nnewline']],
  ['varchar', ['abc', '日本語']],
  ['bpchar', ['x  ']],
  ['name', ['pg_class']],
  ['char', ['a', '']],
  ['json', ['{"b":1,  "a" : [1, 2.50]}']],
  ['jsonb', ['{"b": 1, "a": [1, 2.50, null, "é"], "aa": {"x": true}}', '[]', '0.0000001']],
  ['bytea', ['\\x00ff80', '\\x']],
  ['uuid', ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11']],
  ['date', ['2026-12-01', '2000-01-01', '1999-12-31', '0044-03-15 BC', '4713-01-01 BC', '5874897-12-31', 'infinity', '-infinity']],
  ['time', ['00:00:00', '23:59:59.999999', '24:00:00', '12:34:56.5']],
  ['timestamp', ['2000-01-02 00:00:01.000002', '1970-01-01 00:00:00', '0044-03-15 12:00:00 BC', '1999-12-31 23:59:59.5', 'infinity', '-infinity']],
  ['timestamptz', ['2026-12-01 08:23:23.123456+00', '1900-01-01 00:00:00+00', '0001-01-01 00:00:00+00 BC', 'infinity']],
];

describe('binary values by type OID, against PostgreSQL', () => {
  test.each(CASES)('%s: encoded from PostgreSQL\'s text as it sends them, decoded back to its text', async (type, values) => {
    const oid = BinaryOid[type];
    for (const value of values) {
      const text = (await postgres(oid, value, 0))!.toString('utf8');
      const binary = (await postgres(oid, value, 1))!;
      expect(encodeBinary(oid, text), `${type} ${text}`).toEqual(binary);
      const decoded = decodeBinary(oid, binary)!;
      if (type === 'float4' || type === 'float8') {
        // Any text of the same float does (JS and PostgreSQL choose exponents differently).
        expect(await postgres(oid, decoded, 1), `${type} ${decoded}`).toEqual(binary);
      } else {
        expect(decoded, `${type} ${text}`).toBe(text);
      }
      // PostgreSQL's own binary input (typreceive) takes what the encoder wrote.
      expect(await postgres(oid, encodeBinary(oid, text)!, 1)).toEqual(binary);
    }
  });

  test('timestamptz text with offsets, as other time zones print it, is the same instant', async () => {
    for (const text of ['2026-12-01 08:23:23+05:30', '1900-01-01 00:00:00-03:30:15', '2026-06-01 00:00:00.25-07']) {
      expect(encodeBinary(BinaryOid.timestamptz, text), text).toEqual(await postgres(BinaryOid.timestamptz, text, 1));
    }
  });

  test('numbers with exponents, as a model may print them, are the numeric PostgreSQL reads', async () => {
    for (const text of ['1e-7', '1.5e3', '-2.5E+2', '7e0', '0e5']) {
      expect(encodeBinary(BinaryOid.numeric, text), text).toEqual(await postgres(BinaryOid.numeric, text, 1));
    }
  });

  test('text the encoder does not read, and types it does not know, are left to PostgreSQL', () => {
    expect(encodeBinary(BinaryOid.timestamptz, '12/01/2026 08:23:23 CET')).toBeNull();
    expect(encodeBinary(BinaryOid.int4, 'twelve')).toBeNull();
    expect(encodeBinary(BinaryOid.int2, '40000')).toBeNull();
    expect(encodeBinary(600 /* point */, '(1,2)')).toBeNull();
    expect(decodeBinary(600, Buffer.alloc(16))).toBeNull();
  });

  test('binary values of the wrong size are refused as PostgreSQL refuses them (22P03)', () => {
    for (const [oid, bytes] of [
      [BinaryOid.int4, Buffer.alloc(3)],
      [BinaryOid.int8, Buffer.alloc(4)],
      [BinaryOid.float8, Buffer.alloc(7)],
      [BinaryOid.bool, Buffer.alloc(0)],
      [BinaryOid.jsonb, Buffer.from('{}')],
      [BinaryOid.numeric, Buffer.alloc(9)],
    ] as const) {
      let error: unknown;
      try {
        decodeBinary(oid, bytes);
      } catch (e) {
        error = e;
      }
      expect(isClientError(error) && error.code).toBe('22P03');
    }
  });
});
