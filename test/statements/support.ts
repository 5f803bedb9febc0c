import { expect } from 'vitest';
import { ClientError } from '../../src/errors/client-error.ts';
import { parseMlStatement } from '../../src/statements/parser/parse-ml-statement.ts';

/** The ClientError that parsing `sql` throws. */
export function parseFailure(sql: string): ClientError {
  try {
    parseMlStatement(sql);
  } catch (error) {
    if (error instanceof ClientError) return error;
    throw error;
  }
  throw new Error(`expected a ClientError for: ${sql}`);
}

/** Asserts the SQLSTATE and message, and that the position points at `near` (its first occurrence after `from`). */
export function expectError(sql: string, code: string, message: string | RegExp, near?: string, from = 0): ClientError {
  const error = parseFailure(sql);
  expect(error.code).toBe(code);
  if (typeof message === 'string') expect(error.message).toBe(message);
  else expect(error.message).toMatch(message);
  if (near !== undefined) {
    const offset = near === '<end>' ? sql.length : sql.indexOf(near, from);
    expect(offset).toBeGreaterThanOrEqual(0);
    expect(error.position).toBe([...sql.slice(0, offset)].length + 1);
  }
  return error;
}
