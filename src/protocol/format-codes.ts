import { ClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';

/** A value's format in the extended protocol: 0 text, 1 binary. */
export type FormatCode = 0 | 1;

/**
 * The format of parameter or column `i` under a Bind's format codes, by the protocol's rule: no
 * codes mean every value in text, one code applies to all, otherwise there is one per value.
 */
export function formatAt(codes: readonly number[], i: number): FormatCode {
  const code = codes.length === 0 ? 0 : codes.length === 1 ? codes[0] : codes[i];
  return code === 1 ? 1 : 0;
}

/** Whether any value is binary under these codes. */
export function anyBinary(codes: readonly number[]): boolean {
  return codes.some((c) => c === 1);
}

/** The codes for `count` values, one per value (for an upstream Bind or a RowDescription). */
export function formatsFor(codes: readonly number[], count: number): FormatCode[] {
  return Array.from({ length: count }, (_, i) => formatAt(codes, i));
}

/** Refuses format codes other than 0 and 1, as PostgreSQL does at Bind (22023). */
export function checkFormatCodes(codes: readonly number[]): void {
  const bad = codes.find((c) => c !== 0 && c !== 1);
  if (bad !== undefined) throw new ClientError(SqlState.invalidParameterValue, `unsupported format code: ${bad}`);
}

/** PostgreSQL's check that a Bind's codes fit its parameters or the portal's columns (08P01). */
export function checkFormatCount(codes: readonly number[], count: number, what: 'parameter' | 'result'): void {
  if (codes.length <= 1 || codes.length === count) return;
  const message =
    what === 'parameter'
      ? `bind message has ${codes.length} parameter formats but ${count} parameters`
      : `bind message has ${codes.length} result formats but query has ${count} columns`;
  throw new ClientError(SqlState.protocolViolation, message);
}
