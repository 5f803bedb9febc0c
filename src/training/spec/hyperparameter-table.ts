import { TrainingInputError } from '../training-errors.ts';

/** One numeric hyperparameter: where its value goes, its default and its inclusive range. */
export interface NumericKey<F extends string> {
  field: F;
  default?: number;
  min: number;
  max: number;
  integer: boolean;
}

/**
 * Parses the user's quoted values against a table of numeric keys; keys are case-insensitive, as
 * SQL keywords are. Keys in `ignored` are accepted (Redshift names that have no effect here) and
 * left out of the result. Any other key, a non-number or a value out of range is a
 * TrainingInputError naming the key, the value and the range.
 */
export function parseNumericKeys<F extends string>(
  raw: Record<string, string>,
  keys: Record<string, NumericKey<F>>,
  ignored: readonly string[] = [],
): Record<F, number | undefined> {
  const out = {} as Record<F, number | undefined>;
  for (const spec of Object.values(keys)) out[spec.field] = spec.default;
  for (const [rawKey, rawValue] of Object.entries(raw)) {
    const key = rawKey.toLowerCase();
    if (ignored.includes(key)) continue;
    const spec = Object.hasOwn(keys, key) ? keys[key] : undefined;
    if (spec === undefined) {
      throw new TrainingInputError(
        `unknown hyperparameter ${rawKey}; known ones are ${[...Object.keys(keys), ...ignored].join(', ')}`,
      );
    }
    const text = String(rawValue).trim();
    const value = text === '' ? NaN : Number(text);
    const range = `[${spec.min}, ${spec.max}]`;
    if (!Number.isFinite(value) || (spec.integer && !Number.isInteger(value))) {
      const kind = spec.integer ? 'an integer' : 'a number';
      throw new TrainingInputError(`hyperparameter ${key} must be ${kind} in ${range}, got '${rawValue}'`);
    }
    if (value < spec.min || value > spec.max) {
      throw new TrainingInputError(`hyperparameter ${key} value '${rawValue}' is out of range ${range}`);
    }
    out[spec.field] = value;
  }
  return out;
}
