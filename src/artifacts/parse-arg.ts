import { ClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';

/**
 * PostgreSQL text of one argument -> a model input value. Arguments arrive as PostgreSQL prints
 * numbers ('1.5', 'NaN', 'Infinity'), bools ('t', 'f') and dates (epoch seconds, as
 * featureSelectExpression selects them), so anything else is a caller's mistake worth refusing
 * rather than feeding the model a silent NaN.
 */
export function parseFloatArg(text: string | null, input: string): number {
  if (text === null) return NaN;
  if (text === 't') return 1;
  if (text === 'f') return 0;
  const n = Number(text);
  if (Number.isNaN(n) && text !== 'NaN') throw notA('a number', text, input);
  return n;
}

/** NULL -> 0: an integer tensor has no missing value to stand for it. */
export function parseIntArg(text: string | null, input: string): bigint {
  if (text === null || text === 'f') return 0n;
  if (text === 't') return 1n;
  if (!/^\s*[+-]?\d+\s*$/.test(text)) throw notA('an integer', text, input);
  return BigInt(text.trim());
}

/** NULL -> false, for the same reason. */
export function parseBoolArg(text: string | null, input: string): boolean {
  if (text === null || text === 'f') return false;
  if (text === 't') return true;
  throw notA('a bool', text, input);
}

function notA(what: string, text: string, input: string): ClientError {
  return new ClientError(SqlState.invalidTextRepresentation, `cannot feed '${text}' to ONNX input ${input}: not ${what}`);
}
