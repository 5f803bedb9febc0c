import { ClientError } from '../errors/client-error.ts';

/**
 * numeric_value_out_of_range, what PostgreSQL itself says for '70000'::int2. Kept here rather
 * than in errors/sqlstate.ts, which this module does not own.
 */
const NUMERIC_VALUE_OUT_OF_RANGE = '22003';

export function outOfRange(message: string): ClientError {
  return new ClientError(NUMERIC_VALUE_OUT_OF_RANGE, message);
}
