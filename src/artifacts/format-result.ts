import { ClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';
import { float4Text, float8Text } from './float-text.ts';
import { outOfRange } from './out-of-range.ts';
import { baseTypeName, sqlTypeKind } from './sql-type-kind.ts';

/** One element of an output tensor, as onnxruntime-node hands it over. */
export type OutputValue = number | bigint | string | boolean;

const INT_RANGE: Record<string, [bigint, bigint]> = {
  int2: [-32768n, 32767n], smallint: [-32768n, 32767n],
  int4: [-2147483648n, 2147483647n], integer: [-2147483648n, 2147483647n], int: [-2147483648n, 2147483647n],
  int8: [-(2n ** 63n), 2n ** 63n - 1n], bigint: [-(2n ** 63n), 2n ** 63n - 1n],
};

/**
 * One model answer as PostgreSQL text of `returnType`. `fromFloat32` says the number was a
 * float32, so text and float4 results print it as short as float32 allows, while float8 and
 * numeric print its exact float64 value (JS's shortest round-trip text), as predictBatch does.
 */
export function formatResult(v: OutputValue, returnType: string, fromFloat32: boolean): string | null {
  const type = baseTypeName(returnType);
  switch (sqlTypeKind(returnType)) {
    case 'float':
      if (typeof v === 'number') return type === 'float4' || type === 'real' ? float4Text(v) : float8Text(v);
      return typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
    case 'integer':
      return integerText(v, type);
    case 'bool':
      if (typeof v === 'number' && Number.isNaN(v)) return null;
      return v === false || v === 0 || v === 0n || v === '' ? 'f' : 't';
    case 'json':
      return JSON.stringify(jsonValue(v));
    default:
      if (typeof v === 'boolean') return v ? 'true' : 'false';
      if (typeof v === 'number') return fromFloat32 ? float4Text(v) : float8Text(v);
      return String(v);
  }
}

function integerText(v: OutputValue, type: string): string | null {
  if (typeof v === 'number' && Number.isNaN(v)) return null;
  if (typeof v === 'number' && !Number.isInteger(v)) {
    throw new ClientError(SqlState.invalidTextRepresentation, `the model answered ${float8Text(v)}, which is not an integer for RETURNS ${type}`);
  }
  const n = typeof v === 'bigint' ? v : BigInt(typeof v === 'boolean' ? Number(v) : v);
  const range = INT_RANGE[type];
  if (range && (n < range[0] || n > range[1])) throw outOfRange(`the model answered ${n}, out of range for RETURNS ${type}`);
  return n.toString();
}

export function jsonValue(v: OutputValue): string | number | boolean | null {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  return v;
}
