import { ClientError } from '../../errors/client-error.ts';
import { SqlState } from '../../errors/sqlstate.ts';
import { pgPosition } from '../../sql/position.ts';
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
};

/** Redshift ML settings of features modelgres does not have yet (forecasting). */
const NOT_SUPPORTED_YET = new Set(['horizon', 'frequency', 'percentiles']);

/** The settings of a trained model (MAX_BATCH_ROWS is a remote model's only). */
export const ALL_SETTINGS: readonly string[] = Object.keys(READERS).filter((k) => k !== 'max_batch_rows');

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
    if (NOT_SUPPORTED_YET.has(key)) {
      throw new ClientError(SqlState.featureNotSupported, `setting ${key.toUpperCase()} is not supported yet`, {
        position: pgPosition(ts.sql, keyToken.start),
      });
    }
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
