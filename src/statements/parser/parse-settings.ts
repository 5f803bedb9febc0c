import { SqlState } from '../../errors/sqlstate.ts';
import { FREQUENCIES } from '../../forecast/frequency.ts';
import { parsePercentiles } from '../../forecast/percentiles.ts';
import type { Token } from '../../sql/lexer.ts';
import type { ModelSettings } from '../ast/model-settings.ts';
import { parseOnOff, parseString } from './parse-names.ts';
import { syntaxError, valueError } from './syntax-error.ts';
import type { TokenStream } from './token-stream.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type SettingReader = (ts: TokenStream, into: Mutable<ModelSettings>) => void;

/** The SETTINGS keys of the contract, read by key (lower case). */
const READERS: Record<string, SettingReader> = {
  s3_bucket: (ts, into) => (into.s3Bucket = parseString(ts)),
  kms_key_id: (ts, into) => (into.kmsKeyId = parseString(ts)),
  tags: (ts, into) => (into.tags = parseString(ts)),
  s3_garbage_collect: (ts, into) => (into.s3GarbageCollect = parseOnOff(ts)),
  max_cells: (ts, into) => (into.maxCells = parseCount(ts, 'MAX_CELLS')),
  max_runtime: (ts, into) => (into.maxRuntime = parseCount(ts, 'MAX_RUNTIME')),
  max_batch_rows: (ts, into) => (into.maxBatchRows = parseCount(ts, 'MAX_BATCH_ROWS')),
  horizon: (ts, into) => (into.horizon = parseHorizon(ts)),
  frequency: (ts, into) => (into.frequency = parseFrequency(ts)),
  percentiles: (ts, into) => (into.percentiles = parsePercentileList(ts)),
};

/** Settings of one kind of model only: a remote model's batch size, a forecast's shape. */
const NOT_TRAINED_SETTINGS = new Set(['max_batch_rows', 'horizon', 'frequency', 'percentiles']);

/** The settings of a trained model. */
export const ALL_SETTINGS: readonly string[] = Object.keys(READERS).filter((k) => !NOT_TRAINED_SETTINGS.has(k));

/** The settings of a FORECAST model. */
export const FORECAST_SETTINGS: readonly string[] = [...ALL_SETTINGS, 'horizon', 'frequency', 'percentiles'];

/** Amazon Forecast's bound; also what keeps one version's stored forecast a sane size. */
export const MAX_HORIZON = 500;

/**
 * SETTINGS ( key value [, ...] ), after the SETTINGS keyword. Keys are case-insensitive; a key
 * outside `allowed`, or given twice, is an error at the key, worded as PostgreSQL words it for
 * COPY options.
 */
export function parseSettings(ts: TokenStream, allowed: readonly string[] = ALL_SETTINGS, hint?: string): ModelSettings {
  const settings: Mutable<ModelSettings> = {};
  const seen = new Set<string>();
  ts.expectPunctuation('(');
  do {
    const keyToken = ts.peek();
    if (keyToken.kind !== 'identifier') throw ts.fail();
    const key = keyToken.value;
    const reader = READERS[key];
    if (!reader || !allowed.includes(key)) {
      throw valueError(ts.sql, keyToken, SqlState.syntaxError, `option "${key}" not recognized`, {
        hint: hint ?? `SETTINGS takes ${allowed.map((k) => k.toUpperCase()).join(', ')}.`,
      });
    }
    if (seen.has(key)) throw valueError(ts.sql, keyToken, SqlState.syntaxError, 'conflicting or redundant options');
    seen.add(key);
    ts.next();
    reader(ts, settings);
  } while (ts.acceptPunctuation(','));
  ts.expectPunctuation(')');
  return settings;
}

/** A positive integer, written as a number or, as Redshift users sometimes do, quoted. */
function parseCount(ts: TokenStream, what: string): number {
  const token: Token = ts.peek();
  const text = token.kind === 'integer' ? token.value : token.kind === 'string' ? token.value.trim().replaceAll('_', '') : null;
  if (text === null) throw syntaxError(ts.sql, token);
  ts.next();
  const value = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!(value >= 1 && Number.isSafeInteger(value))) {
    throw valueError(ts.sql, token, SqlState.invalidParameterValue, `${what} must be a positive integer`);
  }
  return value;
}

function parseHorizon(ts: TokenStream): number {
  const token = ts.peek();
  const horizon = parseCount(ts, 'HORIZON');
  if (horizon > MAX_HORIZON) throw valueError(ts.sql, token, SqlState.invalidParameterValue, `HORIZON must be at most ${MAX_HORIZON}`);
  return horizon;
}

/** One of FREQUENCIES; the letters in either case ('d' is 'D'), the minutes as '15min' or '15MIN'. */
function parseFrequency(ts: TokenStream): string {
  const token = ts.peek();
  const written = parseString(ts).trim();
  const frequency = FREQUENCIES.find((f) => f.toLowerCase() === written.toLowerCase());
  if (!frequency) {
    throw valueError(ts.sql, token, SqlState.invalidParameterValue, `invalid FREQUENCY "${written}"`, {
      hint: `FREQUENCY is one of ${FREQUENCIES.map((f) => `'${f}'`).join(', ')}.`,
    });
  }
  return frequency;
}

function parsePercentileList(ts: TokenStream): string {
  const token = ts.peek();
  const parsed = parsePercentiles(parseString(ts));
  if (typeof parsed === 'string') {
    throw valueError(ts.sql, token, SqlState.invalidParameterValue, `invalid PERCENTILES: ${parsed}`, {
      hint: "PERCENTILES is a list such as '0.1,0.5,0.9' or '0.25,0.50,0.75,mean'.",
    });
  }
  return parsed.map((p) => (p.kind === 'mean' ? 'mean' : String(p.tau))).join(',');
}
