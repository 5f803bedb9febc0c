import { SqlState } from '../../errors/sqlstate.ts';
import type { Token } from '../../sql/lexer.ts';
import { valueError } from './syntax-error.ts';
import type { TokenStream } from './token-stream.ts';

/** A numeric constant (integer or decimal); anything else is a syntax error at it. */
export function parseNumber(ts: TokenStream): { value: number; token: Token } {
  const token = ts.peek();
  if (token.kind !== 'integer' && token.kind !== 'numeric') throw ts.fail();
  ts.next();
  return { value: Number(token.value), token };
}

/** An integer within [min, max]; out of range is 22023 naming `what`. */
export function parseInteger(ts: TokenStream, what: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const token = ts.peek();
  if (token.kind !== 'integer') throw ts.fail();
  ts.next();
  const value = Number(token.value);
  if (!(value >= min && value <= max)) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `between ${min} and ${max}`;
    throw valueError(ts.sql, token, SqlState.invalidParameterValue, `${what} must be ${range}`);
  }
  return value;
}

/** VERSION n: versions are numbered from 1. */
export function parseVersionNumber(ts: TokenStream): number {
  return parseInteger(ts, 'model version', 1, 2_147_483_647);
}
