import { SqlState } from '../../errors/sqlstate.ts';
import type { MonitoringOptions } from '../ast/monitoring-options.ts';
import { parseOnOff, parseString } from './parse-names.ts';
import { parseNumber } from './parse-numbers.ts';
import { valueError } from './syntax-error.ts';
import type { TokenStream } from './token-stream.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type OptionReader = (ts: TokenStream, into: Mutable<MonitoringOptions>) => void;

const READERS: Record<string, OptionReader> = {
  capture_percent: (ts, into) => {
    const { value, token } = parseNumber(ts);
    if (value > 100) throw valueError(ts.sql, token, SqlState.invalidParameterValue, 'CAPTURE_PERCENT must be between 0 and 100');
    into.capturePercent = value;
  },
  drift_threshold: (ts, into) => {
    const { value, token } = parseNumber(ts);
    if (!(value > 0)) throw valueError(ts.sql, token, SqlState.invalidParameterValue, 'DRIFT_THRESHOLD must be greater than 0');
    into.driftThreshold = value;
  },
  schedule: (ts, into) => (into.schedule = parseString(ts)),
  retrain_on_drift: (ts, into) => (into.retrainOnDrift = parseOnOff(ts)),
};

/** After SET MONITORING: ( option value [, ...] ), any subset of the options in any order. */
export function parseMonitoringOptions(ts: TokenStream): MonitoringOptions {
  const options: Mutable<MonitoringOptions> = {};
  const seen = new Set<string>();
  ts.expectPunctuation('(');
  do {
    const keyToken = ts.peek();
    const reader = keyToken.kind === 'identifier' ? READERS[keyToken.value] : undefined;
    if (!reader) {
      throw ts.fail(keyToken, 'SET MONITORING takes CAPTURE_PERCENT, DRIFT_THRESHOLD, SCHEDULE and RETRAIN_ON_DRIFT.');
    }
    if (seen.has(keyToken.value)) throw valueError(ts.sql, keyToken, SqlState.syntaxError, 'conflicting or redundant options');
    seen.add(keyToken.value);
    ts.next();
    reader(ts, options);
  } while (ts.acceptPunctuation(','));
  ts.expectPunctuation(')');
  return options;
}
