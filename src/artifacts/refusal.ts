import { ClientError } from '../errors/client-error.ts';
import { SqlState } from '../errors/sqlstate.ts';

/** Every refusal of an imported model is the user's to fix, so all carry invalid_parameter_value. */
export function refuse(message: string, hint?: string): ClientError {
  return new ClientError(SqlState.invalidParameterValue, message, { hint });
}
