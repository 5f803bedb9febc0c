import { SqlState } from '../../errors/sqlstate.ts';
import type { WaitForModel } from '../ast/wait-for-model.ts';
import { parseQualifiedName } from './parse-names.ts';
import { parseNumber, parseVersionNumber } from './parse-numbers.ts';
import { valueError } from './syntax-error.ts';
import type { TokenStream } from './token-stream.ts';

/** WAIT FOR MODEL m [ VERSION n ] [ TIMEOUT seconds ] */
export function parseWaitForModel(ts: TokenStream): WaitForModel {
  ts.expectKeyword('wait');
  ts.expectKeyword('for');
  ts.expectKeyword('model');
  const model = parseQualifiedName(ts);
  const version = ts.acceptKeyword('version') ? parseVersionNumber(ts) : undefined;
  let timeoutSeconds: number | undefined;
  if (ts.acceptKeyword('timeout')) {
    const { value, token } = parseNumber(ts);
    if (!(value > 0)) throw valueError(ts.sql, token, SqlState.invalidParameterValue, 'TIMEOUT must be a positive number of seconds');
    timeoutSeconds = value;
  }
  ts.expectEnd();
  return {
    kind: 'WaitForModel',
    model,
    ...(version !== undefined ? { version } : {}),
    ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
  };
}
